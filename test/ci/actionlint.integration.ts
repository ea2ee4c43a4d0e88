/**
 * The workflows we ship pass the real actionlint (ACTIONLINT_BIN, built by
 * scripts/integration/workflows.sh) with shellcheck on their scripts (SHELLCHECK_BIN), and a
 * deliberately broken one fails with the rules it breaks.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../tiers/modules.js";

const BIN = process.env.ACTIONLINT_BIN;
const SHELLCHECK = process.env.SHELLCHECK_BIN;

/** actionlint's findings for files, as JSON. */
function actionlint(files: string[]): { code: number | null; errors: { kind: string; message: string; filepath: string }[]; stderr: string } {
  if (!BIN || !SHELLCHECK)
    throw new Error("ACTIONLINT_BIN or SHELLCHECK_BIN is not set: run this through `bash scripts/integration/workflows.sh`, which builds actionlint from the Go module proxy and finds shellcheck");
  // An explicit -shellcheck: without one, actionlint silently skips scripts when shellcheck is not on PATH.
  const r = spawnSync(BIN, ["-shellcheck", SHELLCHECK, "-format", "{{json .}}", ...files], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, errors: r.stdout.trim() ? (JSON.parse(r.stdout) as { kind: string; message: string; filepath: string }[]) : [], stderr: r.stderr };
}

const shipped = [
  ...readdirSync(join(ROOT, "ci/github"))
    .filter((f) => f.endsWith(".yml"))
    .map((f) => `ci/github/${f}`),
  ...readdirSync(join(ROOT, ".github/workflows"))
    .filter((f) => f.endsWith(".yml"))
    .map((f) => `.github/workflows/${f}`),
];

test("every workflow we ship passes actionlint", () => {
  assert.ok(shipped.length >= 6, `workflows found: ${shipped.join(", ")}`);
  const r = actionlint(shipped);
  assert.deepEqual(
    r.errors.map((e) => `${e.filepath}: [${e.kind}] ${e.message}`),
    [],
  );
  assert.equal(r.code, 0, r.stderr);
});

test("a broken workflow fails, naming the untrusted input in a script, the unknown key and the unquoted variable", () => {
  const r = actionlint(["test/fixtures/ci/broken-workflow.yml"]);
  assert.equal(r.code, 1, r.stderr);
  const kinds = new Set(r.errors.map((e) => e.kind));
  assert.ok(kinds.has("expression"), JSON.stringify(r.errors));
  assert.ok(
    r.errors.some((e) => /github\.event\.pull_request\.title.*potentially untrusted/.test(e.message)),
    JSON.stringify(r.errors),
  );
  assert.ok(
    r.errors.some((e) => e.kind === "syntax-check" && /timeout/.test(e.message)),
    JSON.stringify(r.errors),
  );
  // Proves shellcheck ran on the scripts (the shipped workflows' scripts pass it).
  assert.ok(
    r.errors.some((e) => e.kind === "shellcheck" && /SC2086/.test(e.message)),
    JSON.stringify(r.errors),
  );
});
