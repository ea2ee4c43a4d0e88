/**
 * The commit message of a promotion: a subject a human scans in `git log --oneline`, a body, and
 * git trailers that tools read back (`git log --format=%(trailers:key=Release,valueonly)`,
 * `git interpret-trailers --parse`): which release, which environment, every component's
 * version, every gate's verdict and, only for an emergency, its recorded reason.
 */
import { environmentName, shortSha } from "./branch.js";

/** What a promotion commit says. */
export interface PromotionMessage {
  /** The release's full git SHA. */
  release: string;
  /** The environment promoted to. */
  environment: string;
  /** Every component of the release with its version (the Versions trailer). */
  versions: Record<string, string>;
  /** Components whose image this promotion moves (the subject); default: all of them. */
  changed?: string[];
  /** Versions the environment ran before, to show in the body as `old -> new`. */
  previous?: Record<string, string>;
  /** Each gate's verdict, e.g. compatibility=passed, vulnerabilities=waived. */
  gates: Record<string, string>;
  /** The reason of an emergency promotion (R-GATE-3); absent for a normal one. */
  emergency?: string;
  /** Extra paragraphs for the body (who ran it, the CI run's URL). */
  notes?: string;
  /** A rollback: the release it goes away from, whether a failed verification started it, and why. */
  rollback?: { from: string; automatic: boolean; reason?: string };
}

/** The trailers of a promotion commit, read back. */
export interface PromotionTrailers {
  /** The release's full SHA. */
  release: string;
  /** The environment. */
  environment: string;
  /** Component versions. */
  versions: Record<string, string>;
  /** Gate verdicts. */
  gates: Record<string, string>;
  /** The emergency reason, when there was one. */
  emergency?: string;
  /** For a rollback: the release rolled back from, and automatic or manual. */
  rollback?: { from: string; kind: string };
}

/** Trailer keys, in the order they are written. */
export const TRAILERS = { release: "Release", environment: "Environment", versions: "Versions", gates: "Gates", emergency: "Emergency", rollbackFrom: "Rollback-From", rollback: "Rollback" } as const;

// Names and values that go inside a `k=v, k=v` list must not contain its separators.
const LIST_KEY = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const LIST_VALUE = /^[^\s,=]+$/;

/** Refuse a value that would end the trailer (git reads a newline as the next trailer or paragraph). */
function oneLine(value: string, what: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`${what}: must be one line; a newline would end the trailer (got ${JSON.stringify(value)})`);
  if (value.trim() === "") throw new Error(`${what}: must not be empty`);
  return value.trim();
}

/** `k=v, k=v` in name order, each name and value checked. */
function list(entries: Record<string, string>, what: string): string {
  const pairs = Object.entries(entries).sort(([a], [b]) => a.localeCompare(b));
  if (pairs.length === 0) throw new Error(`${what}: must name at least one entry`);
  for (const [k, v] of pairs) {
    if (!LIST_KEY.test(k)) throw new Error(`${what}: ${JSON.stringify(k)} is not a name (letters, digits, '_', '.', '-')`);
    if (!LIST_VALUE.test(v)) throw new Error(`${what}.${k}: ${JSON.stringify(v)} must be one word without ',' or '='`);
  }
  return pairs.map(([k, v]) => `${k}=${v}`).join(", ");
}

/** Body text must not contain a line `git interpret-trailers` reads as the end of the message (`---`, the patch divider). */
function prose(text: string, what: string): string {
  if (/^---/m.test(text)) throw new Error(`${what}: a line starting with '---' would hide the trailers from git interpret-trailers (it reads one as the start of a patch)`);
  return text.trim();
}

/** A full git SHA, or an error naming it (a trailer others read back must be exact). */
function fullSha(value: string): string {
  if (!/^[0-9a-f]{40}$/.test(value)) throw new Error(`rollback.from: ${JSON.stringify(value)} must be a full git SHA (40 lowercase hex digits)`);
  return value;
}

/** The whole commit message: subject, blank line, body, blank line, trailers. */
export function promotionMessage(m: PromotionMessage): string {
  const short = shortSha(m.release);
  const env = environmentName(m.environment);
  const versions = list(m.versions, "versions");
  const gates = list(m.gates, "gates");
  const changed = [...(m.changed && m.changed.length > 0 ? m.changed : Object.keys(m.versions))].sort();
  for (const c of changed) if (!(c in m.versions)) throw new Error(`changed: ${c} is not a component of the release (${Object.keys(m.versions).join(", ")})`);
  const emergency = m.emergency === undefined ? undefined : oneLine(m.emergency, "emergency");

  const rollback = m.rollback
    ? { from: fullSha(m.rollback.from), kind: m.rollback.automatic ? "automatic" : "manual", reason: m.rollback.reason === undefined ? undefined : oneLine(m.rollback.reason, "rollback.reason") }
    : undefined;
  const subject = `${rollback ? "roll back" : "promote"} ${rollback ? `${env} to ${short}` : `${short} to ${env}`}: ${changed.map((c) => `${c} ${m.versions[c]}`).join(", ")}`;
  const moves = changed.map((c) => {
    const before = m.previous?.[c];
    return `  ${c} ${before && before !== m.versions[c] ? `${before} -> ` : ""}${m.versions[c]}`;
  });
  const body = [`Moves ${env} to release ${m.release}:`, ...moves].join("\n");
  const paragraphs = [subject, body];
  if (emergency) paragraphs.push(`EMERGENCY promotion: failing gates did not block it (${gates}). Reason: ${emergency}`);
  if (rollback) paragraphs.push(`${rollback.kind === "automatic" ? "AUTOMATIC rollback" : "Rollback"} from release ${rollback.from}${rollback.reason ? `: ${rollback.reason}` : ""}`);
  if (m.notes?.trim()) paragraphs.push(prose(m.notes, "notes"));
  const trailers = [
    `${TRAILERS.release}: ${m.release}`,
    `${TRAILERS.environment}: ${env}`,
    `${TRAILERS.versions}: ${versions}`,
    `${TRAILERS.gates}: ${gates}`,
    ...(emergency ? [`${TRAILERS.emergency}: ${emergency}`] : []),
    ...(rollback ? [`${TRAILERS.rollbackFrom}: ${rollback.from}`, `${TRAILERS.rollback}: ${rollback.kind}`] : []),
  ];
  return `${paragraphs.join("\n\n")}\n\n${trailers.join("\n")}\n`;
}

/**
 * The trailers of a commit message as git reads them: the last paragraph, when every line of it
 * is `Key: value` (or a continuation line starting with whitespace). Text after a `---` line is
 * not part of the message, as for git.
 */
export function trailersOf(message: string): [string, string][] {
  const lines = message.replace(/\r\n/g, "\n").split("\n");
  const divider = lines.findIndex((l) => /^---(\s|$)/.test(l));
  const text = (divider < 0 ? lines : lines.slice(0, divider)).join("\n").trimEnd();
  const paragraphs = text.split(/\n[ \t]*\n/);
  if (paragraphs.length < 2) return [];
  const out: [string, string][] = [];
  for (const line of paragraphs[paragraphs.length - 1]!.split("\n")) {
    const kv = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (kv) out.push([kv[1]!, kv[2]!.trim()]);
    else if (/^[ \t]/.test(line) && out.length > 0) out[out.length - 1]![1] += ` ${line.trim()}`;
    else return [];
  }
  return out;
}

/** Read `k=v, k=v`. */
function parseList(value: string): Record<string, string> {
  return Object.fromEntries(
    value
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const i = p.indexOf("=");
        return i < 0 ? [p, ""] : [p.slice(0, i), p.slice(i + 1)];
      }),
  );
}

/** A promotion commit's trailers, or an error naming the one that is missing. */
export function parsePromotionTrailers(message: string): PromotionTrailers {
  const found = new Map<string, string>();
  for (const [k, v] of trailersOf(message)) if (!found.has(k.toLowerCase())) found.set(k.toLowerCase(), v);
  const get = (key: string) => {
    const v = found.get(key.toLowerCase());
    if (v === undefined) throw new Error(`not a promotion commit: no ${key} trailer`);
    return v;
  };
  const emergency = found.get(TRAILERS.emergency.toLowerCase());
  const rollbackFrom = found.get(TRAILERS.rollbackFrom.toLowerCase());
  return {
    release: get(TRAILERS.release),
    environment: get(TRAILERS.environment),
    versions: parseList(get(TRAILERS.versions)),
    gates: parseList(get(TRAILERS.gates)),
    ...(emergency !== undefined ? { emergency } : {}),
    ...(rollbackFrom !== undefined ? { rollback: { from: rollbackFrom, kind: found.get(TRAILERS.rollback.toLowerCase()) ?? "manual" } } : {}),
  };
}
