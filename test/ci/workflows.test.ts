/**
 * Rules for the GitHub workflows we ship that actionlint does not enforce: every action pinned to
 * a commit, no expression inside a `run:` script (untrusted input goes through env:), secrets
 * only into env:, permissions set for every job, checkouts that leave no token in .git/config,
 * and secrets only in jobs that run in a GitHub environment (whose protection rules decide which
 * refs get them). zizmor (scripts/integration/workflows.sh) checks these and more on a real run.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { ROOT } from "../tiers/modules.js";
import { githubEvents, githubStepsFor } from "./github-host.js";

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Workflow {
  permissions?: unknown;
  jobs: Record<string, { if?: string; environment?: unknown; permissions?: unknown; steps: Step[] }>;
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
      // The checkout's token would stay in .git/config for every later step (and any artifact of the folder).
      if (step.uses?.startsWith("actions/checkout@") && step.with?.["persist-credentials"] !== false) problems.push(`${at}: ${step.uses} without persist-credentials: false`);
      // GITHUB_TOKEN is the job's own, scoped by permissions:; any other secret belongs to an environment.
      const secrets = Object.values(step.env ?? {}).flatMap((v) => [...String(v).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
      for (const name of secrets)
        if (name !== "GITHUB_TOKEN" && job.environment === undefined) problems.push(`${at}: secret ${name} in a job without environment: (a repository secret reaches every branch's workflow)`);
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
    "broken-workflow.yml: lint.steps[0]: actions/checkout@v4 without persist-credentials: false",
    "broken-workflow.yml: lint.steps[1]: an expression inside run: (pass it through env:)",
  ]);
});

test("the rules catch a checkout that keeps its token and a repository-level secret", () => {
  const wf = `on: push
jobs:
  build:
    permissions: {}
    steps:
      - uses: actions/checkout@${"a".repeat(40)}
      - run: deploy
        env:
          TOKEN: \${{ secrets.DEPLOY_TOKEN }}
          OWN: \${{ secrets.GITHUB_TOKEN }}
`;
  assert.deepEqual(workflowProblems("w.yml", wf), [
    `w.yml: build.steps[0]: actions/checkout@${"a".repeat(40)} without persist-credentials: false`,
    "w.yml: build.steps[1]: secret DEPLOY_TOKEN in a job without environment: (a repository secret reaches every branch's workflow)",
  ]);
});

test("push.yml: only a push to main gets the GitOps token, in the environment main; any other branch gets the mirror and registry tokens (and optional signing key) in branches, never GitOps", () => {
  const workflows = { "push.yml": readFileSync(join(ROOT, "ci/github/push.yml"), "utf8") };
  const wf = parse(workflows["push.yml"]) as Workflow;
  const SHA = "0".repeat(40);
  const secretsOf = (branch: string) => {
    const jobs = githubStepsFor(workflows, githubEvents.push(branch, SHA));
    assert.equal(jobs.length, 1, `one job for ${branch}: ${jobs.map((j) => j.job).join(", ")}`);
    const name = jobs[0].job.replace("push.yml:", "");
    return { environment: wf.jobs[name].environment, env: Object.keys(Object.assign({}, ...jobs[0].steps.map((s) => s.env))) };
  };
  const main = secretsOf("main");
  assert.equal(main.environment, "main");
  for (const k of ["NEXUS_TOKEN", "REGISTRY_TOKEN", "GITOPS_TOKEN"]) assert.ok(main.env.includes(k), k);
  for (const branch of ["dev", "feature/login", "mainx", "main/x", "refs/heads/main"]) {
    const other = secretsOf(branch);
    assert.equal(other.environment, "branches", branch);
    assert.deepEqual(
      other.env.filter((k) => /TOKEN|KEY|PASSWORD|WEBHOOK/.test(k)).sort(),
      ["COSIGN_KEY", "COSIGN_PASSWORD", "NEXUS_TOKEN", "REGISTRY_TOKEN"],
      `${branch}: the mirror's read token, the registry token (images by digest; production runs only recorded ones) and the optional signing key`,
    );
  }
  // The environment is the boundary (a branch can edit its own copy of this file and its if:): only jobs in main name the GitOps token.
  for (const [name, job] of Object.entries(wf.jobs))
    for (const step of job.steps) for (const v of Object.values(step.env ?? {})) if (/secrets\.GITOPS_TOKEN/.test(String(v))) assert.equal(job.environment, "main", `push.yml ${name}: ${v}`);
});

test("the GitOps token is named only in jobs whose environment admits the default branch alone (main, previews, staging, prod): never in branches", () => {
  for (const file of readdirSync(join(ROOT, "ci/github")).filter((f) => f.endsWith(".yml"))) {
    const wf = parse(readFileSync(join(ROOT, "ci/github", file), "utf8")) as Workflow;
    for (const [name, job] of Object.entries(wf.jobs))
      for (const step of job.steps) for (const v of Object.values(step.env ?? {})) if (/secrets\.GITOPS_TOKEN/.test(String(v))) assert.notEqual(job.environment, "branches", `${file} ${name}: ${v}`);
  }
});
