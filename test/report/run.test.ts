// The run overview and result.json for the stages a recording cannot reach (publishing needs a
// real registry, delivery a GitOps repository): pure functions, fed the facts ci collects.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CheckOutcome } from "../../.dagger/src/report/outcome.js";
import { renderOverview, renderReportLinks, type RunFacts, runPassed, stageVerdicts } from "../../.dagger/src/report/run.js";
import { runResult } from "../../.dagger/src/runs.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const DIGEST = `sha256:${"ab".repeat(32)}`;
const ok = (component: string, check: string): CheckOutcome => ({ component, check, status: "passed", failedTests: [], detail: "", junit: "<testsuites/>", seconds: 1 });
const published: RunFacts = {
  run: "ci",
  pipeline: "webshop",
  revision: SHA,
  branch: "main",
  runUrl: "https://github.com/acme/webshop/actions/runs/42",
  checks: [ok("backend", "unit"), ok("frontend", "lint")],
  build: [ok("backend", "image"), ok("frontend", "image")],
  e2e: [ok("e2e", "playwright")],
  versions: { backend: "1.2.0", frontend: "2.0.1" },
  images: { backend: { ref: `registry.example.com/acme/backend:${SHA}@${DIGEST}`, reused: false }, frontend: { ref: `registry.example.com/acme/frontend:${SHA}@${DIGEST}`, reused: true } },
  // The stages of the plan of a push to main (ci sets them from the plan it executes).
  only: ["checks", "build", "e2e", "publish", "record", "promote"],
  stages: { publish: { status: "passed", note: "2 image(s) pushed" } },
};

describe("run overview", () => {
  it("a published and delivered run: every stage passed in order, components with version and image digest, the run linked", () => {
    const facts: RunFacts = { ...published, stages: { ...published.stages, record: { status: "passed", note: "release recorded" }, promote: { status: "passed", note: "promoted to dev" } } };
    const stages = stageVerdicts(facts);
    assert.deepEqual(
      stages.map((s) => s.stage),
      ["checks", "build", "e2e", "publish", "record", "promote"],
    );
    assert.equal(runPassed(stages), true);
    const text = renderOverview(facts, stages);
    assert.equal(
      text,
      [
        "# webshop ci: ✅ passed",
        "",
        "revision `0123456789ab` · branch `main` · [CI run](https://github.com/acme/webshop/actions/runs/42)",
        "",
        "| stage | verdict |",
        "|---|---|",
        "| checks | ✅ 2 checks passed |",
        "| build | ✅ 2 images built |",
        "| E2E | ✅ 1 step passed |",
        "| publish | ✅ 2 image(s) pushed |",
        "| release record | ✅ release recorded |",
        "| promote | ✅ promoted to dev |",
        "",
        "| component | version | image |",
        "|---|---|---|",
        `| backend | 1.2.0 | \`registry.example.com/acme/backend:${SHA}@${DIGEST}\` |`,
        `| frontend | 2.0.1 | \`registry.example.com/acme/frontend:${SHA}@${DIGEST}\` (reused: inputs unchanged) |`,
        "",
      ].join("\n"),
    );
  });

  it("published but not delivered: the GitOps stages say why they did not start, and the run still passed", () => {
    const stages = stageVerdicts({ ...published, stop: "because no --gitops-token was given" });
    assert.deepEqual(stages.slice(-2), [
      { stage: "record", status: "not-started", note: "not started, because no --gitops-token was given" },
      { stage: "promote", status: "not-started", note: "not started, because no --gitops-token was given" },
    ]);
    assert.equal(runPassed(stages), true);
  });

  it("a failed push: the run fails at publish, result.json names the stage without a component, and never says passed: true inside", () => {
    const facts: RunFacts = { ...published, images: {}, stages: { publish: { status: "failed", note: "failed: registry.example.com: 401 Unauthorized" } }, stop: "because publishing failed" };
    const stages = stageVerdicts(facts);
    assert.equal(runPassed(stages), false);
    assert.match(renderOverview(facts, stages), /^# webshop ci: ❌ failed in publish$/m);
    const result = runResult(facts, stages);
    assert.equal(result.passed, false);
    assert.deepEqual(result.failed, [{ stage: "publish", component: "", check: "publish", tests: [] }]);
    assert.deepEqual(result.stages.at(-1), { stage: "promote", status: "not-started", note: "not started, because publishing failed" });
    assert.equal(Object.keys(result)[0], "passed", "ci/report.sh reads the first key");
    assert.doesNotMatch(JSON.stringify(result, null, 2), /"passed":\s*true/, "no nested key says passed in a failed run");
  });

  it("result.json of a published run: each component's version and image by digest", () => {
    const result = runResult(published, stageVerdicts(published));
    assert.deepEqual(result.components, {
      backend: { version: "1.2.0", image: `registry.example.com/acme/backend:${SHA}@${DIGEST}` },
      frontend: { version: "2.0.1", image: `registry.example.com/acme/frontend:${SHA}@${DIGEST}` },
    });
    assert.equal(result.passed, true);
  });

  it("lint and test runs show only the stages they have", () => {
    const stages = stageVerdicts({ run: "checks", only: ["checks"], checks: [ok("db", "lint")] });
    assert.deepEqual(stages, [{ stage: "checks", status: "passed", note: "1 check passed" }]);
  });

  it("the report links: summary.md and result.json first, JUnit reports counted, other files listed", () => {
    const text = renderReportLinks({
      run: "ci",
      runUrl: "https://ci.example.com/7",
      reportFiles: ["junit/backend-unit.xml", "junit/backend-image.xml", "e2e/playwright-report/index.html", "compose.yaml"],
    });
    assert.equal(
      text,
      "\n## Reports\n\nCI run: https://ci.example.com/7\n\nExported with `… reports export --path=reports`:\n\n- `reports/summary.md`: this summary\n- `reports/result.json`: the verdict and what failed, for CI wrappers\n- `reports/junit/`: 2 JUnit XML reports, one per check, image and E2E step (`<component>-<check>.xml`)\n- `reports/e2e/playwright-report/index.html`\n- `reports/compose.yaml`\n",
    );
  });
});
