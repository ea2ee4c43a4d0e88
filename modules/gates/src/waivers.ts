/**
 * Waivers: a person's recorded decision that one finding may ship in one image until a date.
 * They live in the GitOps repository (so adding one is itself reviewed) as YAML:
 *
 *   waivers:
 *     - cve: CVE-2019-14697
 *       digest: sha256:<the image's manifest digest>
 *       reason: musl is not used by the Node runtime; fixed upstream in the next base image
 *       approver: jane.doe@example.com
 *       expires: 2026-12-31
 *     - misconfiguration: DS-0002
 *       digest: sha256:<the image's manifest digest>
 *       reason: the Deployment runs it as uid 10001 (securityContext.runAsNonRoot)
 *       approver: jane.doe@example.com
 *       expires: 2026-09-30
 *
 * A waiver names a digest rather than a component or tag, so it covers exactly the bytes that
 * were judged; a rebuilt image needs a new decision. It is valid through its `expires` day (UTC),
 * which may be at most one year after the day the file is judged (the same date next year,
 * oneYearAfter): a waiver is a decision to revisit, not a permanent exception, so `expires:
 * 9999-12-31` is refused; renew a waiver by moving its date. Its `approver` names who decided (an
 * address or a name, at least two letters or digits with a letter among them); placeholders such
 * as "-", "?", "TBD", "n/a", "none", "unknown" or "someone" are refused.
 *
 * It names one finding: a vulnerability by `cve` (Trivy's VulnerabilityID, CVE-… or GHSA-…) or a
 * failed misconfiguration check by `misconfiguration` (its ID, DS-0002 or the older AVD-DS-0002
 * and DS002), never both: the key says what kind of finding a reviewer is agreeing to ship. A
 * misconfiguration can be harmless where the image runs (the classic: DS-0002 "runs as root",
 * when the cluster runs it as another user). A secret cannot be waived at all: it is readable by
 * everyone who can pull the image, in every registry, mirror and node cache it reaches, so there
 * is no context in which it is safe to ship, and the only fix is to remove and rotate it. A
 * `secret:` entry is refused saying so; when a false positive must ship now, an emergency
 * (--emergency --reason) is the way, and it is recorded.
 */
import { SHA256_DIGEST_PATTERN } from "./vendor/image-reference.js";
import { isNode, LineCounter, parseDocument, type Document } from "./vendor/yaml.js";
import { z } from "./vendor/zod.js";
import { isCalendarDate, oneYearAfter } from "./dates.js";
import { GateInputError } from "./errors.js";
import { issueMessage, jsonPath, valueAt } from "./issues.js";

/** One waiver. */
export const Waiver = z
  .strictObject({
    /** The vulnerability's ID as Trivy reports it (CVE-…, GHSA-…); matched without regard to case. */
    cve: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { error: "must be a vulnerability ID such as CVE-2019-14697 or GHSA-jfh8-c2jp-5v3q" })
      .optional(),
    /** A misconfiguration check's ID as Trivy reports it (DS-0002, AVD-DS-0002, KSV-0001); matched without regard to case or an AVD- prefix. */
    misconfiguration: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { error: "must be a misconfiguration check ID such as DS-0002 or KSV-0001" })
      .optional(),
    /** The image it applies to, by manifest digest. */
    digest: z.string().regex(SHA256_DIGEST_PATTERN, { error: "must be an image digest sha256:<64 hex digits>" }),
    reason: z.string().trim().min(1, { error: "must say why the finding may ship" }),
    /** Who decided: an address or a name; placeholders ("-", "TBD", "n/a", "unknown", …) are refused. */
    approver: z
      .string()
      .trim()
      .min(1, { error: "must name who decided" })
      .refine((a) => !isPlaceholder(a), { error: "must name who decided (a person or team, e.g. jane.doe@example.com), not a placeholder" }),
    /** Last day the waiver counts (UTC), YYYY-MM-DD; at most one year after the day it is judged. */
    expires: z.string().refine(isCalendarDate, { error: "must be a date YYYY-MM-DD" }),
  })
  .superRefine((w, ctx) => {
    if (w.cve !== undefined && w.misconfiguration !== undefined) ctx.addIssue({ code: "custom", message: "names both cve and misconfiguration; one waiver covers one finding" });
    if (w.cve === undefined && w.misconfiguration === undefined)
      ctx.addIssue({ code: "custom", message: "needs cve (a vulnerability ID such as CVE-2019-14697) or misconfiguration (a Trivy check ID such as DS-0002)" });
  });

/** A validated waiver. */
export type Waiver = z.output<typeof Waiver>;

/** The waivers file. */
const WaiversFile = z.strictObject({
  // `waivers:` with every entry commented out reads as null: that is an empty list, not an error.
  waivers: z
    .array(Waiver)
    .nullish()
    .transform((w) => w ?? []),
});

/** Words that stand in for an approver rather than name one, compared without case or punctuation. */
const PLACEHOLDERS = new Set([
  "tbd",
  "tba",
  "todo",
  "fixme",
  "na",
  "none",
  "nobody",
  "noone",
  "unknown",
  "anonymous",
  "anon",
  "someone",
  "somebody",
  "approver",
  "placeholder",
  "changeme",
  "null",
  "nil",
  "undefined",
  "xx",
  "xxx",
  "xxxx",
  "test",
  "me",
]);

/** Whether an approver is a placeholder: no letter, fewer than two letters or digits, or a word from PLACEHOLDERS. */
export function isPlaceholder(approver: string): boolean {
  const alnum = approver.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  return !/\p{L}/u.test(approver) || alnum.length < 2 || PLACEHOLDERS.has(alnum);
}

/**
 * Parse and validate a waivers file judged on `today` (YYYY-MM-DD, UTC); a missing or empty file
 * holds no waivers. Throws GateInputError listing every problem with its line, an `expires` more
 * than a year after `today` among them.
 */
export function parseWaivers(text: string | undefined, file: string, today: string): Waiver[] {
  if (!isCalendarDate(today)) throw new Error(`parseWaivers: today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
  if (text === undefined) return [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new GateInputError(`${file}: is not valid YAML:\n${doc.errors.map((e) => `  ${file}:${lines.linePos(e.pos[0]).line}: ${e.message.split("\n")[0]}`).join("\n")}`);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) return [];
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new GateInputError(
      `${file}: must be a mapping with a waivers: list, each entry with cve (or misconfiguration), digest, reason, approver and expires; got ${Array.isArray(raw) ? "a list" : JSON.stringify(raw)}`,
    );
  const parsed = WaiversFile.safeParse(raw);
  const tooLong = beyondHorizon(raw, today).map((path) => ({
    line: lineOf(doc, lines, path),
    text: `${jsonPath(path)}: ${String(valueAt(raw, path))} is more than a year after today (${today}): a waiver lasts at most a year, so expires must be on or before ${oneYearAfter(today)}; renew it when it runs out`,
  }));
  if (parsed.success && tooLong.length === 0) return parsed.data.waivers;
  const problems = (parsed.success ? [] : parsed.error.issues)
    .flatMap((issue) => {
      // One line per unknown key, each at its own line, so a typo (expiry:) is found at once.
      const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      return paths.map((path) => ({
        line: lineOf(doc, lines, path),
        text: `${jsonPath(path)}: ${issue.code === "unrecognized_keys" ? unknownField(path[path.length - 1]) : issueMessage(issue, raw)}`,
      }));
    })
    .concat(tooLong);
  problems.sort((a, b) => a.line - b.line);
  throw new GateInputError(`${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  ${file}:${p.line} ${p.text}`).join("\n")}`);
}

/** Paths of the `expires` dates (valid ones; invalid ones are reported by the schema) later than a year after `today`. */
function beyondHorizon(raw: object, today: string): PropertyKey[][] {
  const entries = (raw as { waivers?: unknown }).waivers;
  if (!Array.isArray(entries)) return [];
  const horizon = oneYearAfter(today);
  return entries.flatMap((w, i) => {
    const expires = valueAt(w, ["expires"]);
    return typeof expires === "string" && isCalendarDate(expires) && expires > horizon ? [["waivers", i, "expires"]] : [];
  });
}

/** Keys a person might write to waive a secret (Trivy's SecretFinding names its rule RuleID). */
const SECRET_KEYS = new Set(["secret", "secrets", "ruleid", "rule", "rule_id", "rule-id"]);

/** Why a key is not a waiver field; for a secret, why there is no such field. */
function unknownField(key: PropertyKey): string {
  if (SECRET_KEYS.has(String(key).toLowerCase())) return "a secret cannot be waived: it is readable by everyone who can pull the image; remove it, rotate it and rebuild (or declare an emergency)";
  return `is not a waiver field; fields: ${Object.keys(Waiver.shape).join(", ")}`;
}

/** Line of the deepest node of `path` that exists (a missing key is reported at its parent). */
function lineOf(doc: Document, lines: LineCounter, path: ReadonlyArray<PropertyKey>): number {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}
