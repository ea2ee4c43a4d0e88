// Issue 14, item 8: the mirror token was folded into a composite .npmrc secret; the engine scrubs
// exact secret values only (engine rule (g)), so the bare token printed by a tool was not scrubbed.
// The token must be a secret of its own, exposed to the very exec that uses it, and the .npmrc
// must reference it (${NPM_TOKEN}) instead of holding it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import * as mirror from "../../.dagger/src/mirror/npmrc.js";
import { NodeToolchain } from "../../modules/node-toolchain/src/index.js";
import { scrub } from "../harness/engine/secret-scrub.js";
import { record } from "../recorder/record.js";

const TOKEN = "npm_tok_5f3a9c1e77b2d4";
const REGISTRY = "https://nexus.example/repository/npm-group/";
const TOOL_OUTPUT = `npm error 401 Unauthorized - GET ${REGISTRY}left-pad - token ${TOKEN} rejected`;

describe("issue 14 items", () => {
  it("item 8: the bare mirror token printed by npm is scrubbed (it is a secret of its own in the install exec)", async () => {
    const npmrcText = mirror.npmrc(REGISTRY, {}, { token: TOKEN });
    assert.equal(npmrcText.includes(TOKEN), false, "the .npmrc references the token, it does not hold it");
    assert.match(npmrcText, /:_authToken=\$\{NPM_TOKEN\}/);
    // What the install exec is given: recorded from node-toolchain's own code.
    const { graph } = await record(async () => new NodeToolchain("node:22", REGISTRY, dag.setSecret("npmrc", npmrcText), dag.setSecret("npm-token", TOKEN)).install(dag.directory()).stdout());
    const ops = graph.containers[0].ops as Record<string, unknown>[];
    const ci = ops.findIndex((o) => o.op === "withExec" && JSON.stringify(o.args).includes('"ci"'));
    const before = ops.slice(0, ci);
    assert.ok(
      before.some((o) => o.op === "withSecretVariable" && o.name === "NPM_TOKEN" && o.secret === "npm-token"),
      "npm ci runs with the token as the secret env NPM_TOKEN",
    );
    // The scrubber gets the exec's secrets: the .npmrc file and the token itself (rule (g)).
    const values = [npmrcText, ...(before.some((o) => o.name === "NPM_TOKEN") ? [TOKEN] : [])];
    assert.equal(scrub(TOOL_OUTPUT, values).includes(TOKEN), false);
  });
  it("item 8: with a user name (basic auth) the .npmrc references ${NPM_AUTH}, and the token is still its own secret", () => {
    const text = mirror.npmrc(REGISTRY, {}, { token: TOKEN, username: "ci" });
    assert.match(text, /:_auth=\$\{NPM_AUTH\}/);
    assert.equal(text.includes(Buffer.from(`ci:${TOKEN}`).toString("base64")), false);
  });
});
