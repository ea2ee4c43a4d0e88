/** ci/report.sh, run for real with bash: the verdict of exported reports, and the job summary where the host has one. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { CheckOutcome } from "../../.dagger/src/report/outcome.js";
import { type RunFacts, stageVerdicts } from "../../.dagger/src/report/run.js";
import { runResult } from "../../.dagger/src/runs.js";
import { ROOT } from "../tiers/modules.js";

/** A reports folder with this summary and verdict (undefined or null: no such file); run report.sh on it with `env`. */
function report(result: string | undefined, env: Record<string, string> = {}, summary: string | null = "## Checks: 1 failed\n| backend | unit | ❌ failed |\n") {
  const dir = mkdtempSync(join(tmpdir(), "reports-"));
  if (summary !== null) writeFileSync(join(dir, "summary.md"), summary);
  if (result !== undefined) writeFileSync(join(dir, "result.json"), result);
  const r = spawnSync("bash", [join(ROOT, "ci/report.sh"), dir], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** result.json exactly as runs.ts writes it, for these check outcomes. */
function producedResult(checks: CheckOutcome[]): string {
  const facts: RunFacts = { run: "ci", pipeline: "webshop", checks };
  return `${JSON.stringify(runResult(facts, stageVerdicts(facts)), null, 2)}\n`;
}
const outcome = (status: "passed" | "failed", failedTests: string[] = []): CheckOutcome => ({
  component: "backend",
  check: "unit",
  status,
  failedTests,
  detail: "",
  junit: "<testsuites/>",
  seconds: 1,
});

test("passed: prints the summary, appends it to $GITHUB_STEP_SUMMARY, exits 0", () => {
  const summary = join(mkdtempSync(join(tmpdir(), "gh-")), "step-summary.md");
  writeFileSync(summary, "# earlier step\n");
  const r = report(JSON.stringify({ passed: true, failed: [] }, null, 2), { GITHUB_STEP_SUMMARY: summary });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /## Checks/);
  assert.equal(readFileSync(summary, "utf8"), "# earlier step\n## Checks: 1 failed\n| backend | unit | ❌ failed |\n");
});

test("failed: exits 1 naming the reports; without $GITHUB_STEP_SUMMARY it only prints", () => {
  const r = report(JSON.stringify({ passed: false, failed: [{ stage: "checks", component: "backend", check: "unit", tests: [] }] }));
  assert.equal(r.code, 1);
  assert.match(r.out, /backend \| unit/);
  assert.match(r.err, /the run failed/);
});

test("the pipeline's own result.json (runs.ts runResult): a passed run passes, a failed one fails", () => {
  assert.equal(report(producedResult([outcome("passed")])).code, 0);
  assert.equal(report(producedResult([outcome("failed", ["adds an order"])])).code, 1);
});

test('a failed run with a nested `"passed": true` (a stage\'s, say) still fails: only the first key counts', () => {
  const facts: RunFacts = { run: "ci", pipeline: "webshop", checks: [outcome("failed", ["adds an order"])] };
  const result = runResult(facts, stageVerdicts(facts));
  const nested = `${JSON.stringify({ ...result, stages: result.stages.map((s) => ({ ...s, passed: true })) }, null, 2)}\n`;
  assert.match(nested, /^ {4,}"passed": true/m, "the nested key is in the file");
  const r = report(nested);
  assert.equal(r.code, 1, r.out);
  assert.match(r.err, /the run failed/);
});

test("a result.json of another shape fails instead of passing", () => {
  const r = report(JSON.stringify({ failed: [], passed: true }));
  assert.equal(r.code, 1);
  assert.match(r.err, /does not start with \{"passed": true\|false: not a run's result/);
});

test("no result.json, or no summary.md: fails loudly, saying how the reports get there", () => {
  const noResult = report(undefined);
  assert.equal(noResult.code, 1);
  assert.match(noResult.err, /result\.json is missing; did the dagger call export its reports there \(reports export --path=/);
  const noSummary = report(JSON.stringify({ passed: true }), {}, null);
  assert.equal(noSummary.code, 1);
  assert.match(noSummary.err, /summary\.md is missing/);
});
