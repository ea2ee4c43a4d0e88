/** ci/report.sh, run for real with bash: the verdict of exported reports, and the job summary where the host has one. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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

test('a failed run with a nested `"passed": true` (a stage\'s, say) still fails: only the top-level key counts', () => {
  const facts: RunFacts = { run: "ci", pipeline: "webshop", checks: [outcome("failed", ["adds an order"])] };
  const result = runResult(facts, stageVerdicts(facts));
  const nested = `${JSON.stringify({ ...result, stages: result.stages.map((s) => ({ ...s, passed: true })) }, null, 2)}\n`;
  assert.match(nested, /^ {4,}"passed": true/m, "the nested key is in the file");
  const r = report(nested);
  assert.equal(r.code, 1, r.out);
  assert.match(r.err, /the run failed/);
});

test("a result.json that is not a run's result is refused (exit 2), naming the file and what is wrong, and the summary is not printed", () => {
  const cases: [string, RegExp][] = [
    ['{"passed": true, garbage', /not JSON: Expecting property name/],
    ['{"passed": true', /not JSON/],
    ['{"passed": true}{"passed": false}', /not JSON: Extra data/],
    // Whitespace inside the key is another key: the result has no "passed".
    ['{" passed": true}', /no "passed" key \(keys: " passed"\)/],
    ['{"passed ": true, "failed": []}', /no "passed" key \(keys: "passed ", "failed"\)/],
    // A duplicate key is refused, whichever value comes last.
    ['{"passed": false, "passed": true}', /the key "passed" appears 2 times in one object/],
    ['{"passed": true, "passed": false}', /the key "passed" appears 2 times/],
    ['{"passed": true, "stages": [{"name": "e2e", "name": "checks"}]}', /the key "name" appears 2 times/],
    ['{"passed": "true"}', /"passed" is a string, not true or false/],
    ['{"passed": 1}', /"passed" is a number, not true or false/],
    ['{"passed": NaN}', /NaN is not a JSON value/],
    ["[true]", /a JSON object with "passed": true\|false is expected, not an array/],
    ["", /not JSON/],
    ["\xff", /not JSON|not UTF-8/],
    [`${"[".repeat(100_000)}`, /not JSON/],
  ];
  for (const [result, why] of cases) {
    const summary = join(mkdtempSync(join(tmpdir(), "gh-")), "step-summary.md");
    const r = report(result, { GITHUB_STEP_SUMMARY: summary });
    assert.equal(r.code, 2, `${JSON.stringify(result.slice(0, 40))}: ${r.err}`);
    assert.match(r.err, /^ci\/report\.sh: \S+\/result\.json is not a run's result: /, result.slice(0, 40));
    assert.match(r.err, why, result.slice(0, 40));
    assert.doesNotMatch(r.err, /Traceback/);
    assert.equal(r.out, "", "nothing printed before the refusal");
    assert.throws(() => readFileSync(summary), /ENOENT/, "nothing appended to the job summary");
  }
});

test("a result.json that is not UTF-8 is refused, saying so", () => {
  const dir = mkdtempSync(join(tmpdir(), "reports-"));
  writeFileSync(join(dir, "summary.md"), "## Checks\n");
  writeFileSync(join(dir, "result.json"), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
  const r = spawnSync("bash", [join(ROOT, "ci/report.sh"), dir], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /result\.json is not a run's result: not UTF-8/);
});

test("key order does not matter: a real parse reads the top-level passed wherever it is", () => {
  assert.equal(report(JSON.stringify({ failed: [], passed: true })).code, 0);
  assert.equal(report(JSON.stringify({ stages: [{ passed: true }], passed: false })).code, 1);
});

test("a symlinked summary.md, result.json or reports folder is refused, not followed (it would print the file it points to)", () => {
  const secret = join(mkdtempSync(join(tmpdir(), "elsewhere-")), "secret.txt");
  writeFileSync(secret, "TOKEN=hunter2\n");
  for (const linked of ["summary.md", "result.json"] as const) {
    const dir = mkdtempSync(join(tmpdir(), "reports-"));
    if (linked === "summary.md") writeFileSync(join(dir, "result.json"), JSON.stringify({ passed: true }));
    else writeFileSync(join(dir, "summary.md"), "## Checks\n");
    symlinkSync(linked === "summary.md" ? secret : join(dirname(secret), "result.json"), join(dir, linked));
    if (linked === "result.json") writeFileSync(join(dirname(secret), "result.json"), JSON.stringify({ passed: true }));
    const r = spawnSync("bash", [join(ROOT, "ci/report.sh"), dir], { encoding: "utf8" });
    assert.equal(r.status, 2, linked);
    assert.equal(r.stderr, `ci/report.sh: ${dir}/${linked} is a symbolic link, not the file reports export writes; refusing to read it\n`);
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
  }
  const real = mkdtempSync(join(tmpdir(), "reports-"));
  writeFileSync(join(real, "summary.md"), "## Checks\n");
  writeFileSync(join(real, "result.json"), JSON.stringify({ passed: true }));
  const link = join(mkdtempSync(join(tmpdir(), "link-")), "reports");
  symlinkSync(real, link);
  const r = spawnSync("bash", [join(ROOT, "ci/report.sh"), `${link}/`], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /reports is a symbolic link; pass the folder reports export wrote/);
});

test("a result.json that is a folder is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "reports-"));
  writeFileSync(join(dir, "summary.md"), "## Checks\n");
  mkdirSync(join(dir, "result.json"));
  const r = spawnSync("bash", [join(ROOT, "ci/report.sh"), dir], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /result\.json is not a regular file/);
});

test("no result.json, or no summary.md: refused (exit 2), saying how the reports get there", () => {
  const noResult = report(undefined);
  assert.equal(noResult.code, 2);
  assert.match(noResult.err, /result\.json is missing; did the dagger call export its reports there \(reports export --path=/);
  const noSummary = report(JSON.stringify({ passed: true }), {}, null);
  assert.equal(noSummary.code, 2);
  assert.match(noSummary.err, /summary\.md is missing/);
});
