// The live schema judged against the deployed components' requirements on the database.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { emptyState, promoted } from "../../.dagger/src/release/state.js";
import { schemaProblems } from "../../.dagger/src/verify/schema.js";
import { exampleRelease, REV_A } from "../release/fixture.js";

const config = parseConfig(readFileSync("examples/webshop/pipeline.yaml", "utf8"), "pipeline.yaml");
// The example's backend requires db >=1.1.0.
const state = promoted(emptyState("prod"), exampleRelease(REV_A, "1"), ["db", "backend", "frontend"], "t1");

describe("schema the backend sees", () => {
  test("a schema the backend's requires admits: no problem (newer is fine: migrations are forward-only)", () => {
    assert.deepEqual(schemaProblems(config, state, "1.1.0"), []);
    assert.deepEqual(schemaProblems(config, state, "1.4.0"), []);
  });
  test("an older schema (a migration that did not run) names the component, its requirement and the schema", () => {
    assert.deepEqual(schemaProblems(config, state, "1.0.0"), ["backend 1.2.0 requires db >=1.1.0; the database it uses reports schema 1.0.0"]);
  });
  test("a schema that is not a version fails every requirement rather than passing", () => {
    assert.equal(schemaProblems(config, state, "unknown").length, 1);
  });
});
