/**
 * GitHub Actions as a host for the event-mapping test: which workflows and jobs run for an event
 * (the `on:` filters, glob-matched, and a job's `if:`), and each step's `env:` with its
 * `${{ … }}` expressions evaluated against the event's `github`, `inputs` and `secrets` contexts
 * (docs.github.com: contexts, events that trigger workflows). Only the expression forms the shipped
 * workflows use are supported; any other is an error, not a silent empty string.
 */
import picomatch from "picomatch";
import { parse } from "yaml";

/** The contexts an event gives a workflow. */
export interface GithubEvent {
  name: "pull_request" | "push" | "workflow_dispatch" | "delete" | "workflow_run";
  github: Record<string, unknown>;
  inputs?: Record<string, string>;
  /** The repository's (and job environment's) secrets; without it every secret is set, to secret-<NAME>. A secret not set reads as "" (GitHub's rule). */
  secrets?: Record<string, string>;
  /** The repository's (and job environment's) configuration variables (`vars`); one not set reads as "" (GitHub's rule). */
  vars?: Record<string, string>;
  /** The files a push changed, which `on.push.paths` filters on (none given: no file). */
  changed?: string[];
}

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, { branches?: string[]; tags?: string[]; paths?: string[] } | null>;
  jobs: Record<string, Job>;
}

/** A dotted path of a context, e.g. github.event.ref. */
function lookup(ctx: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), ctx);
}

/** One expression: a context path, or path == 'literal' / path != 'literal', or such comparisons joined by &&. */
export function evaluate(expr: string, event: GithubEvent): string | boolean {
  const parts = expr.split("&&");
  if (parts.length > 1) return parts.every((p) => evaluate(p, event) === true);
  const given = event.secrets;
  const ctx = {
    github: event.github,
    inputs: event.inputs ?? {},
    vars: new Proxy({}, { get: (_t, name) => event.vars?.[String(name)] ?? "" }),
    secrets: new Proxy({}, { get: (_t, name) => (given ? (given[String(name)] ?? "") : `secret-${String(name)}`) }),
  };
  const eq = /^([a-z_.]+)\s*(==|!=)\s*'([^']*)'$/.exec(expr.trim());
  if (eq) return (String(lookup(ctx, eq[1])) === eq[3]) === (eq[2] === "==");
  if (/^(github|inputs|secrets|vars)(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(expr.trim())) {
    const v = lookup(ctx, expr.trim());
    if (v === undefined) throw new Error(`\${{ ${expr} }}: not in the ${event.name} event's context`);
    return String(v);
  }
  throw new Error(`\${{ ${expr} }}: an expression form this test does not evaluate; keep wrappers to context paths`);
}

/** A string with its ${{ … }} parts evaluated. */
function interpolate(text: string, event: GithubEvent): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_m, e: string) => String(evaluate(e, event)));
}

/** Whether a workflow's `on:` admits the event. */
function triggered(wf: Workflow, event: GithubEvent): boolean {
  if (!(event.name in wf.on)) return false;
  const filter = wf.on[event.name];
  if (event.name !== "push") return true;
  const ref = String(event.github.ref);
  const name = String(event.github.ref_name);
  // A push filtered by branches only never runs for tags, and the reverse (GitHub's rule).
  if (ref.startsWith("refs/tags/")) return filter?.tags !== undefined && picomatch.isMatch(name, filter.tags);
  if (filter?.branches === undefined || !picomatch.isMatch(name, filter.branches)) return false;
  // With paths, only a push that changed a matching file runs the workflow.
  return filter.paths === undefined || (event.changed ?? []).some((f) => picomatch.isMatch(f, filter.paths as string[], { dot: true }));
}

/** The run steps of every job the event starts, each with its evaluated env. */
export function githubStepsFor(files: Record<string, string>, event: GithubEvent): { job: string; steps: { script: string; env: Record<string, string> }[] }[] {
  const out: { job: string; steps: { script: string; env: Record<string, string> }[] }[] = [];
  for (const [file, text] of Object.entries(files)) {
    const wf = parse(text) as Workflow;
    if (!triggered(wf, event)) continue;
    for (const [name, job] of Object.entries(wf.jobs)) {
      if (job.if !== undefined && evaluate(job.if, event) !== true) continue;
      const steps = job.steps
        .filter((s) => s.run !== undefined)
        .map((s) => ({ script: s.run as string, env: Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, interpolate(String(v), event)])) }));
      out.push({ job: `${file}:${name}`, steps });
    }
  }
  return out;
}

const COMMON = { server_url: "https://github.com", repository: "acme/webshop", run_id: "4242" };

/** The contexts of each event, as GitHub fills them. */
export const githubEvents = {
  /** `sha` is GitHub's merge of the pull request (refs/pull/7/merge); `commits` the tips of base and head the event names. */
  pullRequest: (head: string, base: string, sha: string, commits: { base: string; head: string } = { base: "b".repeat(40), head: "c".repeat(40) }): GithubEvent => ({
    name: "pull_request",
    github: {
      ...COMMON,
      event_name: "pull_request",
      ref: "refs/pull/7/merge",
      ref_name: "7/merge",
      head_ref: head,
      base_ref: base,
      sha,
      event: { number: 7, pull_request: { number: 7, title: "$(rm -rf /)", head: { ref: head, sha: commits.head }, base: { ref: base, sha: commits.base } } },
    },
  }),
  push: (branch: string, sha: string, changed?: string[]): GithubEvent => ({
    name: "push",
    github: { ...COMMON, event_name: "push", ref: `refs/heads/${branch}`, ref_name: branch, sha, event: {} },
    ...(changed ? { changed } : {}),
  }),
  tag: (tag: string, sha: string): GithubEvent => ({ name: "push", github: { ...COMMON, event_name: "push", ref: `refs/tags/${tag}`, ref_name: tag, sha, event: {} } }),
  dispatch: (environment: string, sha: string, action: "promote" | "rollback" = "promote"): GithubEvent => ({
    name: "workflow_dispatch",
    github: { ...COMMON, event_name: "workflow_dispatch", ref: "refs/heads/main", ref_name: "main", sha, event: { inputs: { environment, action } } },
    inputs: { environment, action },
  }),
  /** The push workflow's run on `branch` at `sha` completed with `conclusion`; the workflow_run workflow itself runs on the default branch. */
  workflowRun: (branch: string, sha: string, conclusion = "success", event = "push"): GithubEvent => ({
    name: "workflow_run",
    github: {
      ...COMMON,
      event_name: "workflow_run",
      ref: "refs/heads/main",
      ref_name: "main",
      sha: "d".repeat(40),
      token: "github-token",
      event: { workflow_run: { id: 777, name: "push", event, conclusion, head_branch: branch, head_sha: sha }, repository: { default_branch: "main" } },
    },
  }),
  delete: (branch: string, sha: string): GithubEvent => ({
    name: "delete",
    github: { ...COMMON, event_name: "delete", ref: "refs/heads/main", ref_name: "main", sha, event: { ref: branch, ref_type: "branch", repository: { default_branch: "main" } } },
  }),
};
