// The generated JSON Schema is what editors (yaml-language-server) validate against: check it with
// a real draft 2020-12 validator on the same files the loader is tested on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { ROOT } from "./tiers/modules.js";

const schema = JSON.parse(readFileSync(join(ROOT, "schema/pipeline.schema.json"), "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const yamlFile = (p: string) => parse(readFileSync(join(ROOT, p), "utf8"));

describe("schema/pipeline.schema.json in a real JSON Schema validator", () => {
  it("accepts the example application's pipeline.yaml", () => {
    assert.equal(validate(yamlFile("examples/webshop/pipeline.yaml")), true, JSON.stringify(validate.errors, null, 2));
  });

  it("flags the single-key mistakes of the bad fixture at the same paths as the loader", () => {
    assert.equal(validate(yamlFile("test/fixtures/ten-mistakes.pipeline.yaml")), false);
    const paths = new Set((validate.errors ?? []).map((e: ErrorObject) => (e.keyword === "additionalProperties" ? `${e.instancePath}/${e.params.additionalProperty}` : e.instancePath)));
    // Cross-references (unknown component, environment chain, approvals) and semver-range syntax
    // need the loader; an editor sees the rest.
    for (const p of ["/name", "/components/backend/path", "/components/frontend/kind", "/components/frontend/colour", "/registry/address", "/mirror/npm"]) {
      assert.ok(paths.has(p), `expected the editor schema to flag ${p}; it flagged ${[...paths].join(", ")}`);
    }
  });
});
