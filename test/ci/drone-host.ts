/**
 * Drone as a host for the event-mapping test: which pipelines and steps of a .drone.yml run for
 * an event (trigger and `when` conditions, glob-matched as Drone does), and the DRONE_* variables
 * Drone sets for it (docs.drone.io/pipeline/environment/reference).
 */
import picomatch from "picomatch";
import type { DronePipeline } from "./drone-format.js";

/** An event as Drone delivers it: its DRONE_* variables. */
export type DroneEnv = Record<string, string>;

type Condition = NonNullable<DronePipeline["trigger"]>[keyof NonNullable<DronePipeline["trigger"]>];

/** Whether a condition (value, list, include/exclude) admits `value`; an absent condition admits everything. */
function admits(condition: Condition | undefined, value: string | undefined): boolean {
  if (condition === undefined) return true;
  if (value === undefined) return false;
  const match = (patterns: (string | null)[] | undefined) => (patterns ?? []).some((p) => p !== null && picomatch.isMatch(value, p, { dot: true }));
  if (typeof condition === "string") return match([condition]);
  if (Array.isArray(condition)) return match(condition);
  return (condition.include === undefined || match(condition.include)) && !match(condition.exclude);
}

/**
 * A step's environment as the Docker runner sets it: the pipeline's and the step's `environment`,
 * each `from_secret` from `secrets` (without it every secret is set, to secret-<name>). A secret
 * Drone does not have is still set, empty (drone-runner-docker engine/convert.go appends every
 * step secret, found or not).
 */
function stepEnvironment(pipeline: DronePipeline, step: DronePipeline["steps"][number], params: Record<string, string>, secrets?: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  // A literal value is text of the file, so Drone's substitution has been over it; a secret's value never is.
  for (const [k, v] of Object.entries({ ...pipeline.environment, ...step.environment }))
    out[k] = typeof v === "object" ? (secrets ? (secrets[v.from_secret] ?? "") : `secret-${v.from_secret}`) : droneSubstitute(String(v), params);
  return out;
}

/**
 * Drone's substitution, which runs over the whole .drone.yml before it is parsed: drone/runner-go
 * pipeline/runtime/runner.go calls envsubst.Eval with the build's parameters (DRONE_* of the
 * repository, build, stage, system and links; never a secret, a step's environment or the netrc
 * credentials), and drone-runner-docker builds with github.com/drone/envsubst v1.0.3. Its rules, as
 * that version evaluates them (checked with it): `$$` is a literal `$`; `${NAME}` is the
 * parameter's value, "" when the build has no such parameter; `${NAME:-x}`, `${NAME:=x}`,
 * `${NAME=x}`, `${NAME:?x}` and also `${NAME:+x}` (envsubst maps them all to one default function)
 * give the value, or x when it is empty, so `${SECRET:+--flag}` is always `--flag`; `${NAME+x}` and
 * `${NAME-x}` are errors that fail the whole file. `$NAME` without braces is left to the shell.
 * Forms this model does not evaluate throw, never pass silently.
 */
export function droneSubstitute(text: string, params: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "$" && text[i + 1] === "$") {
      out += "$";
      i++;
    } else if (text[i] === "$" && text[i + 1] === "{") {
      const end = text.indexOf("}", i + 2);
      if (end < 0) throw new Error(`Drone substitution: missing closing brace after ${text.slice(i, i + 30)}`);
      const body = text.slice(i + 2, end);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:=|=|:\?|:\+)([^$]*))?$/.exec(body);
      if (!m)
        throw new Error(
          /^[A-Za-z_][A-Za-z0-9_]*[-+]/.test(body)
            ? `Drone substitution: \${${body}} is a bad substitution, which fails the whole file`
            : `Drone substitution: \${${body}} is a form this model does not evaluate`,
        );
      const value = params[m[1]] ?? "";
      out += m[2] === undefined || value !== "" ? value : m[3];
      i = end;
    } else out += text[i];
  }
  return out;
}

/** The parameters Drone substitutes: the event's variables without the netrc credentials (environ.Netrc is a step variable, not a build parameter). */
export function substitutionParams(env: DroneEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("DRONE_NETRC_")));
}

/** The pipelines whose trigger admits the event, and of each the steps whose `when` admits it, with their environment; commands and values as Drone's substitution leaves them. */
export function droneStepsFor(
  pipelines: DronePipeline[],
  env: DroneEnv,
  secrets?: Record<string, string>,
): { pipeline: string; step: string; commands: string[]; environment: Record<string, string> }[] {
  const fits = (c: DronePipeline["trigger"]) =>
    admits(c?.event, env.DRONE_BUILD_EVENT) &&
    // Branch conditions never match tags: a tag has no branch (docs: triggers, by branch).
    admits(c?.branch, env.DRONE_BUILD_EVENT === "tag" ? undefined : env.DRONE_BRANCH) &&
    admits(c?.ref, env.DRONE_COMMIT_REF) &&
    admits(c?.target, env.DRONE_DEPLOY_TO) &&
    admits(c?.cron, env.DRONE_CRON);
  return pipelines
    .filter((p) => fits(p.trigger))
    .flatMap((p) =>
      p.steps
        .filter((s) => fits(s.when))
        .map((s) => ({
          pipeline: p.name,
          step: s.name,
          commands: (s.commands ?? []).map((c) => droneSubstitute(c, substitutionParams(env))),
          environment: stepEnvironment(p, s, substitutionParams(env), secrets),
        })),
    );
}

// The runner also gives every step the clone credentials as DRONE_NETRC_* (drone-runner-docker compiler.go, unless DRONE_NETRC_CLONE_ONLY).
const COMMON = {
  DRONE_REPO_LINK: "https://gitea.example.com/acme/webshop",
  DRONE_BUILD_LINK: "https://drone.example.com/acme/webshop/42",
  DRONE_NETRC_MACHINE: "gitea.example.com",
  DRONE_NETRC_USERNAME: "drone",
  DRONE_NETRC_PASSWORD: "clone-token",
  CI: "true",
  DRONE: "true",
};

/** The DRONE_* variables of each event the pipeline reacts to. */
export const droneEvents = {
  /** `sha` is the pull request's head; `before` the target branch's commit the webhook names (Drone's hook parser: Before = the pull request's base sha), which Drone may leave empty. */
  pullRequest: (source: string, target: string, sha: string, before = ""): DroneEnv => ({
    ...COMMON,
    DRONE_BUILD_EVENT: "pull_request",
    DRONE_SOURCE_BRANCH: source,
    DRONE_TARGET_BRANCH: target,
    DRONE_BRANCH: target,
    DRONE_COMMIT_BRANCH: target,
    DRONE_COMMIT_REF: "refs/pull/7/head",
    DRONE_COMMIT_SHA: sha,
    DRONE_COMMIT_BEFORE: before,
    DRONE_PULL_REQUEST: "7",
  }),
  push: (branch: string, sha: string): DroneEnv => ({ ...COMMON, DRONE_BUILD_EVENT: "push", DRONE_BRANCH: branch, DRONE_COMMIT_REF: `refs/heads/${branch}`, DRONE_COMMIT_SHA: sha }),
  tag: (tag: string, sha: string): DroneEnv => ({ ...COMMON, DRONE_BUILD_EVENT: "tag", DRONE_TAG: tag, DRONE_COMMIT_REF: `refs/tags/${tag}`, DRONE_COMMIT_SHA: sha }),
  promote: (target: string, sha: string): DroneEnv => ({
    ...COMMON,
    DRONE_BUILD_EVENT: "promote",
    DRONE_DEPLOY_TO: target,
    DRONE_BRANCH: "main",
    DRONE_COMMIT_REF: "refs/heads/main",
    DRONE_COMMIT_SHA: sha,
  }),
  rollback: (target: string, sha: string): DroneEnv => ({
    ...COMMON,
    DRONE_BUILD_EVENT: "rollback",
    DRONE_DEPLOY_TO: target,
    DRONE_BRANCH: "main",
    DRONE_COMMIT_REF: "refs/heads/main",
    DRONE_COMMIT_SHA: sha,
  }),
  cron: (job: string, sha: string): DroneEnv => ({ ...COMMON, DRONE_BUILD_EVENT: "cron", DRONE_CRON: job, DRONE_BRANCH: "main", DRONE_COMMIT_REF: "refs/heads/main", DRONE_COMMIT_SHA: sha }),
};
