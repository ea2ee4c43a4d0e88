// Recorded graphs of the root module's stages: what ci, lint and test ask the engine to do.
// A recording proves structure (what runs, with what, in which order, concurrently); never behaviour.
// The verdicts of a passing run and the plan of each branch are in test/harness/ci-outcomes.test.ts.
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
const FAILING_JUNIT = readFileSync(join(ROOT, "test/fixtures/junit/node-test-runner-failing.xml"), "utf8");
const MIRROR_TOKEN = "nexus-token-canary-7f3a";

/** What the engine would answer for the example (a passing run); the mirror token reads back. */
const engine = (override: (leaf: string) => unknown = () => undefined) => exampleEngine((leaf) => override(leaf) ?? (leaf.endsWith(".plaintext") ? MIRROR_TOKEN : undefined));

/** The check calls in a recording: "component script junit" per check, sorted. */
function checkCalls(leaves: string[]): string[] {
  const calls = leaves.flatMap((l) =>
    [...l.matchAll(/\.check\(junit: (true|false), runId: "([^"]+)", script: "(\w+)", source: directory\.directory\(path: "(\w+)"\)\)\.exitCode$/g)].map(
      (m) => `${m[4]} ${m[3]} junit=${m[1]} run=${m[2]}`,
    ),
  );
  return calls.sort();
}

describe("recorded graph of pipeline ci", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("runs every check of every component concurrently, then builds all images; secrets by reference only", async () => {
    const pipeline = () => new Pipeline(dag.directory(), "pipeline.yaml", dag.setSecret("mirror-token", MIRROR_TOKEN));
    const { graph, maxInFlight } = await record(async () => (await pipeline().ci(SHA)).summary, engine(), 25);
    const calls = checkCalls(graph.leaves);
    const runId = calls[0].split("run=")[1];
    assert.deepEqual(
      calls.map((c) => c.replace(/ run=.*/, "")),
      ["backend lint junit=false", "backend test junit=true", "backend typecheck junit=false", "frontend lint junit=false", "frontend test junit=true", "frontend typecheck junit=false"],
    );
    assert.ok(
      calls.every((c) => c.endsWith(`run=${runId}`)),
      "one run id for the whole run",
    );
    // With every answer held 25 ms, sequential checks would never overlap.
    assert.ok(maxInFlight >= 7, `expected the checks in flight together, saw at most ${maxInFlight}`);
    const lastCheck = Math.max(...graph.leaves.map((l, i) => (/\.(check|throwaway)\(|^flyway\(image: "[^"]*"\)\.lint\(/.test(l) ? i : -1)));
    const firstBuild = graph.leaves.findIndex((l) => /\)\.build\(/.test(l));
    assert.ok(firstBuild > lastCheck, "images are built only after every check answered");
    const built = new Set(graph.leaves.flatMap((l) => [...l.matchAll(/\)\.build\((?:(?!\)\.build\().)*?source: directory\.directory\(path: "(\w+)"\)/g)].map((m) => m[1])));
    assert.deepEqual([...built].sort(), ["backend", "db", "frontend"]);
    assert.ok(
      graph.leaves.some((l) => /flyway\(image: "[^"]*flyway:11\.20\.3@sha256:[0-9a-f]{64}"\)\.build\(created: "[^"]*", migrationsPath: "migrations"/.test(l)),
      "the database image is built by the flyway module",
    );
    assert.ok(
      graph.leaves.some((l) =>
        /^flyway\(image: "[^"]*flyway:11\.20\.3"\)\.throwaway\(migrations: directory\.directory\(path: "db"\)\.directory\(path: "migrations"\), serverImage: "[^"]*\/library\/postgres:15-bookworm"\)\.json$/.test(
          l,
        ),
      ),
      "db unit: migrations on a throwaway server, read once",
    );
    assert.ok(graph.leaves.some((l) => /^flyway\(image: "[^"]*"\)\.lint\(migrations: directory\.directory\(path: "db"\)\.directory\(path: "migrations"\)\)/.test(l)));
    // The E2E database password exists only as secrets named per run (DATABASE_URL carries it too).
    assert.deepEqual(
      graph.secrets.map((n) => n.replace(/-[0-9a-f]{8}-[0-9a-f-]{27}$/, "-<run>")),
      ["e2e-backend-DATABASE_URL-<run>", "e2e-db-POSTGRES_PASSWORD-<run>", "e2e-db-url-<run>", "mirror-token", "pipeline-npm-token-webshop", "pipeline-npmrc-webshop"],
    );
    assert.equal(JSON.stringify(graph).includes(MIRROR_TOKEN), false, "the mirror token is in no chain");
    // The overview (each stage's verdict, the components' versions, the reports) rests on the modules'
    // answers, stubbed here: test/harness/ci-outcomes.test.ts has it from their own code.
  });

  it("a failing unit test: the summary names it, every check's JUnit is in the reports, no image is built", async () => {
    const failBackendTests = (leaf: string) => {
      if (!leaf.includes('script: "test", source: directory.directory(path: "backend")')) return undefined;
      if (leaf.endsWith(".exitCode")) return 1;
      if (leaf.endsWith('.file(path: "/reports/junit.xml").contents')) return FAILING_JUNIT;
      return undefined;
    };
    const { result, graph } = await record(async () => {
      const run = await new Pipeline(dag.directory()).ci(SHA);
      return { summary: run.summary, passed: run.passed, reports: await run.reports.id(), verify: await run.verify().catch((e: Error) => e.message) };
    }, engine(failBackendTests));
    assert.equal(result.passed, false);
    assert.match(result.summary, /^# webshop ci: ❌ failed in checks: backend unit$/m);
    assert.match(result.summary, /^## Checks: 1 failed$/m);
    assert.match(result.summary, /^\| backend \| unit \| ❌ failed \|/m);
    assert.match(result.summary, /### backend: unit failed\n\nFailing tests:\n- orders > rejects a negative quantity\n- orders > stock > decrements stock after an order/);
    for (const stage of ["build", "E2E", "scan", "integration \\(Aspire\\)", "publish", "release record", "promote"])
      assert.match(result.summary, new RegExp(`^\\| ${stage} \\| ⏹️ not started, because a check failed \\|$`, "m"));
    assert.equal(result.verify, result.summary, "verify fails with the summary");
    const reportFiles = [...graph.leaves.join("\n").matchAll(/withNewFile\(contents: "(?:[^"\\]|\\.)*", path: "([^"]+)"\)/g)].map((m) => m[1]);
    assert.deepEqual(
      new Set(reportFiles),
      new Set([
        "summary.md",
        "result.json",
        ...["db-lint", "db-unit", "backend-lint", "backend-typecheck", "backend-unit", "frontend-lint", "frontend-typecheck", "frontend-unit"].map((n) => `junit/${n}.xml`),
      ]),
    );
    assert.equal(graph.leaves.filter((l) => /\)\.build\(|dockerBuild/.test(l)).length, 0, "no image build after a failed check");
    // The verdict CI wrappers read (ci/report.sh): failed, naming the stage, component, check and tests.
    const resultJson = /withNewFile\(contents: ("(?:[^"\\]|\\.)*"), path: "result\.json"\)/.exec(graph.leaves.join("\n"))?.[1];
    assert.ok(resultJson, "result.json is written");
    const verdict = JSON.parse(resultJson) as string;
    assert.deepEqual(JSON.parse(verdict), {
      passed: false,
      failed: [{ stage: "checks", component: "backend", check: "unit", tests: ["orders > rejects a negative quantity", "orders > stock > decrements stock after an order"] }],
      stages: [
        { stage: "checks", status: "failed", note: "failed: backend unit" },
        ...["build", "e2e", "scan", "integration", "publish", "record", "promote"].map((stage) => ({ stage, status: "not-started", note: "not started, because a check failed" })),
      ],
      revision: SHA,
    });
    // ci/report.sh reads the first key; no nested key may say "passed": true in a failed run either.
    assert.doesNotMatch(verdict, /"passed":\s*true/);
  });

  it("refuses an unknown component and a missing lockfile before any check runs", async () => {
    const unknown = await record(async () => new Pipeline(dag.directory()).test(["backend", "payments"]).catch((e: Error) => e.message), engine());
    assert.equal(unknown.result, 'components: "payments" is not a component of this pipeline; components: db, backend, frontend');
    assert.deepEqual(unknown.graph.leaves, ['directory.file(path: "pipeline.yaml").contents']);

    const noLock = await record(
      async () => new Pipeline(dag.directory()).lint().catch((e: Error) => e.message),
      engine((leaf) => (leaf === 'directory.directory(path: "frontend").exists(path: "package-lock.json")' ? false : undefined)),
    );
    assert.equal(noLock.result, "components.frontend: frontend/package-lock.json is missing (commit the lockfile: builds install exactly what it pins with npm ci)");
    assert.equal(noLock.graph.leaves.filter((l) => l.includes(".check(")).length, 0);
  });

  it("refuses a revision that is not a git SHA before reading anything", async () => {
    const { result, graph } = await record(async () => new Pipeline(dag.directory()).ci("latest").catch((e: Error) => e.message), engine());
    assert.equal(result, 'revision: "latest" is not a full git commit SHA (40 lowercase hex digits); images are tagged with it');
    assert.deepEqual(graph.leaves, []);
  });
});
