/**
 * The events a pipeline reacts to, as every CI host reduces them: a pull request, a push to a
 * branch, a release tag, a manual promotion, a manual rollback, a deployment from the GitOps
 * repository's push (deploy --env), the deletion of a branch.
 */
import semver from "../vendor/semver.js";
import { InputError, quoted } from "../errors.js";
import { normaliseChanged } from "./changed-paths.js";
import { checkRefName } from "./ref-name.js";

/** What happened in the repository (or what the release engineer asked for). */
export type PipelineEvent =
  | { kind: "pull-request"; branch: string; changed?: string[] }
  | { kind: "push"; branch: string; changed?: string[] }
  | { kind: "tag"; tag: string }
  | { kind: "promote"; environment: string; emergency?: boolean }
  | { kind: "rollback"; environment: string }
  | { kind: "deploy"; environment: string }
  | { kind: "delete"; branch: string };

/** Every event kind, in the order docs list them. */
export const EVENT_KINDS = ["pull-request", "push", "tag", "promote", "rollback", "deploy", "delete"] as const;
/** One event kind. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** Raw event arguments as a CLI or a Dagger function receives them. */
export interface EventArgs {
  event: string;
  ref?: string;
  environment?: string;
  changed?: string[];
  emergency?: boolean;
}

/** Which events take each optional argument, for the refusal of one given to another event. */
const TAKES: Record<"ref" | "environment" | "emergency" | "changed", readonly EventKind[]> = {
  ref: ["pull-request", "push", "tag", "delete"],
  environment: ["promote", "rollback", "deploy"],
  emergency: ["promote"],
  changed: ["pull-request", "push"],
};

/**
 * Build a typed event from loose arguments, rejecting combinations that make no sense: an argument
 * the event does not read is refused, not ignored (`--emergency` on a push would otherwise look
 * like it did something). Refs and changed paths are checked as git names them.
 */
export function toEvent(args: EventArgs): PipelineEvent {
  const kind = args.event as EventKind;
  if (!EVENT_KINDS.includes(kind)) throw new InputError(`event: unknown event ${quoted(args.event)}; valid events: ${EVENT_KINDS.join(", ")}`);
  const given = {
    ref: args.ref !== undefined && args.ref !== "",
    environment: args.environment !== undefined && args.environment !== "",
    emergency: args.emergency === true,
    changed: args.changed !== undefined,
  };
  if (kind === "rollback" && given.emergency) throw new InputError("emergency: a rollback goes back to digests the environment already ran; it has no emergency form");
  for (const [arg, events] of Object.entries(TAKES) as [keyof typeof TAKES, readonly EventKind[]][])
    if (given[arg] && !events.includes(kind)) throw new InputError(`${arg}: a ${kind} event takes no ${arg} (it would be ignored); ${arg} is for ${events.join(", ")} events`);
  switch (kind) {
    case "pull-request":
    case "push":
    case "delete": {
      if (!args.ref) throw new InputError(`ref: a ${kind} event needs the branch name (--ref feature/login)`);
      const branch = branchOf(args.ref, kind);
      if (kind === "delete") return { kind, branch };
      return { kind, branch, ...(args.changed !== undefined ? { changed: normaliseChanged(args.changed) } : {}) };
    }
    case "tag": {
      if (!args.ref) throw new InputError("ref: a tag event needs the tag name (--ref v1.4.0)");
      if (args.ref.startsWith("refs/") && !args.ref.startsWith("refs/tags/"))
        throw new InputError(`ref: ${quoted(args.ref)} is not a tag; a tag event takes the tag name (v1.4.0) or refs/tags/v1.4.0`);
      const tag = checkRefName("ref", args.ref.replace(/^refs\/tags\//, ""), "tag");
      if (semver.valid(tag) === null) throw new InputError(`ref: release tag ${quoted(tag)} is not a semantic version; valid tags look like v1.4.0, 1.4.0 or v1.4.0-rc.1 (MAJOR.MINOR.PATCH)`);
      return { kind, tag };
    }
    case "promote":
      return { kind, environment: environmentOf(args.environment, "a promote event needs the target environment"), ...(args.emergency ? { emergency: true } : {}) };
    case "rollback":
      return { kind, environment: environmentOf(args.environment, "a rollback event needs the environment to roll back") };
    case "deploy":
      return { kind, environment: environmentOf(args.environment, "a deploy event needs the environment to deploy") };
  }
}

/**
 * The branch a ref names. refs/tags/… is refused rather than read as a branch or turned into a
 * tag event: a pushed release tag is the tag event, whose plan releases; a push plan for it would
 * silently do something else.
 */
function branchOf(ref: string, kind: EventKind): string {
  if (ref.startsWith("refs/tags/"))
    throw new InputError(`ref: ${quoted(ref)} is a tag, and a ${kind} event is about a branch; a pushed release tag is the tag event (--event tag --ref ${quoted(ref.slice(10), 40)})`);
  if (ref.startsWith("refs/") && !ref.startsWith("refs/heads/"))
    throw new InputError(`ref: ${quoted(ref)} is not a branch; a ${kind} event takes the branch name (feature/login) or refs/heads/feature/login`);
  return checkRefName("ref", ref.replace(/^refs\/heads\//, ""), "branch");
}

/** The environment argument: required, and free of characters that would forge output (which environments exist is the plan's to check). */
function environmentOf(environment: string | undefined, need: string): string {
  if (!environment) throw new InputError(`environment: ${need} (--environment prod)`);
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(environment))
    throw new InputError(`environment: ${quoted(environment)} holds a control character; an environment is a name from pipeline.yaml's environments, e.g. prod`);
  return environment;
}
