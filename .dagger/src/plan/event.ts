/**
 * The events a pipeline reacts to, as every CI host reduces them: a pull request, a push to a
 * branch, a release tag, a manual promotion, a manual rollback, the deletion of a branch.
 */
import semver from "../vendor/semver.js";
import { InputError } from "../errors.js";

/** What happened in the repository (or what the release engineer asked for). */
export type PipelineEvent =
  | { kind: "pull-request"; branch: string; changed?: string[] }
  | { kind: "push"; branch: string; changed?: string[] }
  | { kind: "tag"; tag: string }
  | { kind: "promote"; environment: string; emergency?: boolean }
  | { kind: "rollback"; environment: string }
  | { kind: "delete"; branch: string };

/** Every event kind, in the order docs list them. */
export const EVENT_KINDS = ["pull-request", "push", "tag", "promote", "rollback", "delete"] as const;
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

/** Build a typed event from loose arguments, rejecting combinations that make no sense. */
export function toEvent(args: EventArgs): PipelineEvent {
  const kind = args.event as EventKind;
  if (!EVENT_KINDS.includes(kind)) throw new InputError(`event: unknown event "${args.event}"; valid events: ${EVENT_KINDS.join(", ")}`);
  const ref = args.ref?.replace(/^refs\/(heads|tags)\//, "");
  const changed = args.changed?.map(normalisePath).filter((p) => p !== "");
  switch (kind) {
    case "pull-request":
    case "push":
    case "delete":
      if (!ref) throw new InputError(`ref: a ${kind} event needs the branch name (--ref feature/login)`);
      return kind === "delete" ? { kind, branch: ref } : { kind, branch: ref, ...(changed ? { changed } : {}) };
    case "tag":
      if (!ref) throw new InputError("ref: a tag event needs the tag name (--ref v1.4.0)");
      if (semver.valid(ref) === null) throw new InputError(`ref: release tag "${ref}" is not a semantic version; valid tags look like v1.4.0, 1.4.0 or v1.4.0-rc.1 (MAJOR.MINOR.PATCH)`);
      return { kind, tag: ref };
    case "promote":
      if (!args.environment) throw new InputError("environment: a promote event needs the target environment (--environment prod)");
      return { kind, environment: args.environment, ...(args.emergency ? { emergency: true } : {}) };
    case "rollback":
      if (!args.environment) throw new InputError("environment: a rollback event needs the environment to roll back (--environment prod)");
      if (args.emergency) throw new InputError("emergency: a rollback goes back to digests the environment already ran; it has no emergency form");
      return { kind, environment: args.environment };
  }
}

/** Paths as git prints them: forward slashes, no leading ./ */
function normalisePath(p: string): string {
  return p.trim().replace(/\\/g, "/").replace(/^\.\//, "");
}
