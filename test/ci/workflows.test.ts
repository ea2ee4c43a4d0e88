/**
 * Rules for the GitHub workflows we ship that actionlint does not enforce: every action pinned to
 * a commit, no expression inside a `run:` script (untrusted input goes through env:), secrets
 * only into env:, and permissions set for every job.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { ROOT } from "../tiers/modules.js";

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Workflow {
  permissions?: unknown;
  jobs: Record<string, { permissions?: unknown; steps: Step[] }>;
}

/** Problems of one workflow file against the rules above. */
export function workflowProblems(file: string, text: string): string[] {
  const wf = parse(text) as Workflow;
  const problems: string[] = [];
  for (const [name, job] of Object.entries(wf.jobs)) {
    if (job.permissions === undefined) problems.push(`${file}: job ${name} sets no permissions`);
    for (const [i, step] of job.steps.entries()) {
      const at = `${file}: ${name}.steps[${i}]`;
      if (step.uses && !/@[0-9a-f]{40}$/.test(step.uses)) problems.push(`${at}: ${step.uses} is not pinned to a commit SHA`);
      if (step.run?.includes("${{")) problems.push(`${at}: an expression inside run: (pass it through env:)`);
      for (const [k, v] of Object.entries(step.with ?? {})) if (String(v).includes("secrets.")) problems.push(`${at}: secret in with.${k} (pass secrets through env: as env://)`);
    }
  }
  return problems;
}

const dirs = ["ci/github", ".github/workflows"];

test("every shipped workflow: actions pinned by SHA, no expression in run:, secrets only in env:, permissions per job", () => {
  const files = dirs.flatMap((d) =>
    readdirSync(join(ROOT, d))
      .filter((f) => f.endsWith(".yml"))
      .map((f) => `${d}/${f}`),
  );
  assert.ok(files.length >= 6);
  assert.deepEqual(
    files.flatMap((f) => workflowProblems(f, readFileSync(join(ROOT, f), "utf8"))),
    [],
  );
});

test("the rules catch the broken fixture: an unpinned action, an expression in run:, a job without permissions", () => {
  const problems = workflowProblems("broken-workflow.yml", readFileSync(join(ROOT, "test/fixtures/ci/broken-workflow.yml"), "utf8"));
  assert.deepEqual(problems, [
    "broken-workflow.yml: job lint sets no permissions",
    "broken-workflow.yml: lint.steps[0]: actions/checkout@v4 is not pinned to a commit SHA",
    "broken-workflow.yml: lint.steps[1]: an expression inside run: (pass it through env:)",
  ]);
});
