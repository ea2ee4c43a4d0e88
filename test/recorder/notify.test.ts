// Recorded graph of ci's notifications: a passed run notifies nobody (on: failure), or is announced
// as passed (on: always); a webhook ci got no URL for is reported as not sent. The module's webhook
// and SMTP sending run for real against local receivers in test/notify/; a failed ci run notifying
// through the module's own code (what it sends, and what the summary says of it) is in
// test/harness/ci-outcomes.test.ts. The notify module's answers here ("sent") are stubs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const CONFIG = `${readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8")}
notifications:
  webhook:
    format: teams
  email:
    host: smtp.example.com
    from: ci@example.com
    to: [dev@example.com]
`;
/** The example with notifications; the backend's unit tests fail when `fail` is set. */
const engine = (fail: boolean) =>
  exampleEngine((leaf) => {
    if (leaf.endsWith('file(path: "pipeline.yaml").contents')) return CONFIG;
    if (fail && leaf.includes('script: "test", source: directory.directory(path: "backend")') && leaf.endsWith(".exitCode")) return 1;
    // The recorder keeps no file contents: answer result.json as runs.ts writes it for this run.
    if (leaf.endsWith('file(path: "result.json").contents'))
      return JSON.stringify(
        fail
          ? {
              passed: false,
              failed: [{ stage: "checks", component: "backend", check: "unit", tests: ["orders > totals"] }],
              stages: [
                { stage: "checks", status: "failed", note: "failed: backend unit" },
                { stage: "build", status: "not-started", note: "not started, because a check failed" },
              ],
            }
          : { passed: true, failed: [], stages: [{ stage: "checks", status: "passed", note: "8 checks passed" }] },
      );
    if (/^notify\.(webhook|email)\(/.test(leaf)) return "sent";
    return undefined;
  });

describe("recorded graph of ci notifications", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire", "notify"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("a passed run notifies nobody (notifications.on: failure)", async () => {
    const { graph } = await record(
      async () => (await new Pipeline(dag.directory()).ci(SHA, undefined, "", "", undefined, undefined, "main", "", dag.setSecret("chat-webhook", "u"))).summary,
      engine(false),
    );
    assert.ok(!graph.leaves.some((l) => l.startsWith("notify.")));
  });

  it("notifications.on: always: a passed run is announced as passed, with no failing stage", async () => {
    const always = (leaf: string) => (leaf.endsWith('file(path: "pipeline.yaml").contents') ? CONFIG.replace("notifications:\n", "notifications:\n  on: always\n") : engine(false)(leaf));
    const { graph } = await record(
      async () => (await new Pipeline(dag.directory()).ci(SHA, undefined, "", "", undefined, undefined, "main", "", dag.setSecret("chat-webhook", "u"), dag.setSecret("smtp-password", "p"))).summary,
      always,
    );
    const webhook = graph.leaves.find((l) => l.startsWith("notify.webhook(")) as string;
    assert.match(webhook, /passed: true/);
    assert.match(webhook, /stage: ""/);
  });

  it("a notification that cannot be sent is in the summary; the verdict stays the run's", async () => {
    const { result } = await record(async () => {
      const run = await new Pipeline(dag.directory()).ci(SHA, undefined, "", "", undefined, undefined, "main", "");
      return { summary: run.summary, passed: run.passed };
    }, engine(true));
    assert.equal(result.passed, false);
    assert.match(result.summary, /- chat: not sent: pipeline\.yaml has notifications\.webhook, but ci got no --notify-webhook/);
  });
});
