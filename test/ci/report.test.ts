/** ci/report.sh, run for real with bash: the verdict of exported reports, and the job summary where the host has one. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../tiers/modules.js";

/** A reports folder with this summary and verdict; run report.sh on it with `env`. */
function report(result: string | undefined, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "reports-"));
  writeFileSync(join(dir, "summary.md"), "## Checks: 1 failed\n| backend | unit | ❌ failed |\n");
  if (result !== undefined) writeFileSync(join(dir, "result.json"), result);
  const r = spawnSync("bash", [join(ROOT, "ci/report.sh"), dir], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

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

test("no result.json: fails loudly, saying how the reports get there", () => {
  const r = report(undefined);
  assert.equal(r.code, 1);
  assert.match(r.err, /has no summary\.md and result\.json; did the dagger call export its reports there/);
});
