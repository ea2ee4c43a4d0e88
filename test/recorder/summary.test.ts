// Recorded: what a user reads after a ci whose image build fails. The build stage builds each image
// in its own span before E2E, so a broken image is named as "build | backend", not as an E2E
// service that never started. The recorder answers the backend image's sync with an error, the
// way the engine answers a failed build step.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import type { RunResult } from "../../.dagger/src/runs.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const BUILD_ERROR = "process \"npm run build\" did not complete successfully: exit code: 2\nsrc/server.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.";

describe("recorded ci summary and result.json", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("a backend image that does not build: the build stage fails naming it, E2E and later stages say why they did not start", async () => {
    const engine = exampleEngine((leaf) => {
      if (/^nodeToolchain\(.*\)\.build\(.*path: "backend"\).*\)\.sync$/.test(leaf)) throw new Error(BUILD_ERROR);
      return undefined;
    });
    const { result, graph } = await record(async () => {
      const run = await new Pipeline(dag.directory()).ci(SHA, undefined, "", "", undefined, undefined, "", "https://ci.example.com/run/7");
      return { summary: run.summary, passed: run.passed, reports: await run.reports.id() };
    }, engine);
    assert.equal(result.passed, false);
    assert.match(result.summary, /^# webshop ci: ❌ failed in build: backend image\n\nrevision `0123456789ab` · \[CI run\]\(https:\/\/ci\.example\.com\/run\/7\)\n/);
    assert.match(result.summary, /^\| build \| ❌ failed: backend image \|$/m);
    for (const stage of ["E2E", "scan", "integration \\(Aspire\\)", "publish", "release record", "promote"]) assert.match(result.summary, new RegExp(`^\\| ${stage} \\| ⏹️ not started, because an image did not build \\|$`, "m"));
    assert.match(result.summary, /### backend: image failed\n\n```\n[^`]*error TS2322: Type 'string' is not assignable to type 'number'\./, "the build's error is in the summary");
    assert.match(result.summary, /^CI run: https:\/\/ci\.example\.com\/run\/7$/m);
    assert.ok(!graph.leaves.some((l) => l.includes("playwright")), "no E2E after a failed build");

    const json = /withNewFile\(contents: ("(?:[^"\\]|\\.)*"), path: "result\.json"\)/.exec(graph.leaves.join("\n"))?.[1];
    assert.ok(json, "result.json is written");
    const verdict = JSON.parse(JSON.parse(json) as string) as RunResult;
    assert.equal(verdict.passed, false);
    assert.deepEqual(verdict.failed, [{ stage: "build", component: "backend", check: "image", tests: [] }]);
    assert.deepEqual(verdict.components, { db: { version: "1.1.0" }, backend: { version: "1.2.0" }, frontend: { version: "1.2.0" } });
    assert.equal(verdict.runUrl, "https://ci.example.com/run/7");
    assert.deepEqual(verdict.stages.map((s) => `${s.stage} ${s.status}`), ["checks passed", "build failed", "e2e not-started", "scan not-started", "integration not-started", "publish not-started", "record not-started", "promote not-started"]);
  });
});
