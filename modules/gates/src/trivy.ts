/**
 * Trivy's JSON report (`trivy image --format json`, SchemaVersion 2), read into the fields the
 * vulnerability gate judges: vulnerabilities, misconfigurations and secrets. Unknown fields are
 * allowed (Trivy adds some in most releases); the fields read here are checked, and a report that
 * lacks one is refused naming the file, the JSON path and what was expected, because a gate must
 * not guess what a scanner meant.
 *
 * Fields Trivy omits when empty (`json:",omitempty"`, pkg/types/report.go) are optional inside a
 * result: `Vulnerabilities`, `Misconfigurations` and `Secrets` of a clean target, `FixedVersion`
 * of an unfixed finding, `Title` of some advisories (musl's CVE-2019-14697), `Metadata` of
 * repository scans. `Results` is not: Trivy omits it when it found nothing to scan (every path
 * skipped, no OS and no package detected), and such a report shows nothing about the image, so it
 * is refused, as are `Results: null`, an empty list, a misspelled key (`results`, `Result`, or a
 * section such as `vulnerabilities` inside a result) and entries that are not objects. Each of
 * those read as "nothing found" before; each is a scan that did not happen or a file that is not
 * Trivy's.
 *
 * A secret finding's `Match` and `Code` hold the line with the secret: they are never read, and a
 * malformed secret entry is refused without quoting it.
 */
import { z } from "./vendor/zod.js";
import { GateInputError } from "./errors.js";
import { issueMessage, jsonPath } from "./issues.js";
import { noFindings, SEVERITIES, type Severity, type SeverityCounts } from "./severity.js";

/** The only report schema the gate reads: Trivy's JSON since Trivy 0.20. */
export const SCHEMA_VERSION = 2;

/** One vulnerability as Trivy reports it. */
const TrivyVulnerability = z.object({
  VulnerabilityID: z.string().min(1),
  PkgName: z.string().min(1),
  /** The package's URL (Trivy 0.49 and later); VEX statements limited to subcomponents are matched against it. */
  PkgIdentifier: z.object({ PURL: z.string().min(1).optional() }).optional(),
  InstalledVersion: z.string().optional(),
  FixedVersion: z.string().optional(),
  Severity: z.enum(SEVERITIES),
  Title: z.string().optional(),
});

/** A misconfiguration check's outcome (pkg/types/misconfiguration.go); only FAIL is a finding. */
export const MISCONFIGURATION_STATUSES = ["FAIL", "PASS", "EXCEPTION"] as const;

/**
 * One misconfiguration check (DetectedMisconfiguration). Trivy identifies checks as ID "DS002"
 * with AVDID "AVD-DS-0002" up to 0.5x, and as ID "DS-0002" without AVDID since; either will do.
 */
const TrivyMisconfiguration = z
  .object({
    ID: z.string().min(1).optional(),
    AVDID: z.string().min(1).optional(),
    Type: z.string().optional(),
    Title: z.string().optional(),
    Severity: z.enum(SEVERITIES),
    Status: z.enum(MISCONFIGURATION_STATUSES),
  })
  .refine((m) => m.ID !== undefined || m.AVDID !== undefined, { error: "needs ID or AVDID (the check's ID, such as DS-0002)" });

/** One secret (SecretFinding, pkg/fanal/types/secret.go), without Match and Code: the gate never reads the secret. */
const TrivySecret = z.object({
  RuleID: z.string().min(1),
  Category: z.string().optional(),
  Severity: z.enum(SEVERITIES),
  Title: z.string().optional(),
  StartLine: z.number().int().optional(),
});

/** One scanned target: an OS's packages, a lockfile, a config file, a file with a secret. */
const TrivyResult = z.object({
  Target: z.string(),
  Class: z.string(),
  Type: z.string().optional(),
  Vulnerabilities: z.array(TrivyVulnerability).nullish(),
  Misconfigurations: z.array(TrivyMisconfiguration).nullish(),
  Secrets: z.array(TrivySecret).nullish(),
});

/** The sections of a result that hold findings: a misspelling of one hides them. */
const SECTIONS = ["Vulnerabilities", "Misconfigurations", "Secrets"] as const;

/** What Trivy knows about the scanned image; absent for repository and filesystem scans. */
const TrivyMetadata = z.object({
  /** The image config's digest (docker inspect's Id), not the manifest digest a registry serves. */
  ImageID: z.string().optional(),
  /** repository@sha256:<manifest digest>, only when Trivy pulled the image from a registry or a daemon that knows it. */
  RepoDigests: z.array(z.string()).nullish(),
  RepoTags: z.array(z.string()).nullish(),
});

/** A Trivy JSON report. */
export const TrivyReport = z.object({
  SchemaVersion: z.literal(SCHEMA_VERSION),
  ArtifactName: z.string(),
  ArtifactType: z.string(),
  Metadata: TrivyMetadata.optional(),
  Results: z.array(TrivyResult).min(1),
});

/** A validated Trivy report. */
export type TrivyReport = z.output<typeof TrivyReport>;

/** One vulnerability of one package in one target. */
export interface VulnerabilityFinding {
  kind: "vulnerability";
  /** CVE-…, GHSA-…, DLA-…: Trivy's VulnerabilityID. */
  id: string;
  package: string;
  /** The package URL Trivy gives (PkgIdentifier.PURL), when it gives one. */
  purl?: string;
  installed: string;
  /** The version(s) that fix it, as Trivy writes them ("6.0.3.1, 5.2.4.3"); absent when none does yet. */
  fixed?: string;
  severity: Severity;
  title?: string;
  /** Where Trivy found the package: the OS, or a lockfile's path. */
  target: string;
}

/** One failed misconfiguration check in one target. */
export interface MisconfigurationFinding {
  kind: "misconfiguration";
  /** The check's ID as the report writes it (ID, else AVDID): DS-0002, KSV-0001. */
  id: string;
  /** The check's AVD ID when the report gives it besides ID (Trivy before 0.6x: ID DS002, AVDID AVD-DS-0002). */
  avdId?: string;
  severity: Severity;
  title?: string;
  /** The file checked: Dockerfile, a manifest's path. */
  target: string;
}

/** One secret in one file; what the secret is never leaves the report. */
export interface SecretFinding {
  kind: "secret";
  /** The rule that matched: aws-access-key-id, github-pat, private-key. */
  id: string;
  /** The rule's category: AWS, GitHub, … */
  category?: string;
  severity: Severity;
  title?: string;
  /** The file holding the secret. */
  target: string;
  /** The line it starts on. */
  line?: number;
}

/** What a verdict lists: a vulnerability, a failed misconfiguration check or a secret. */
export type Finding = VulnerabilityFinding | MisconfigurationFinding | SecretFinding;

/** Parse and validate a Trivy JSON report; throws GateInputError naming the file and what is wrong with it. */
export function parseTrivyReport(text: string, file: string): TrivyReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new GateInputError(`${file}: is not JSON (${syntaxError(text) ?? (e as Error).message})`);
  }
  const untrusted = untrustedShape(json, file);
  if (untrusted) throw new GateInputError(untrusted);
  const parsed = TrivyReport.safeParse(json);
  if (!parsed.success) {
    // A secret's entry may hold the secret: its values are never quoted.
    const lines = parsed.error.issues.map((i) => `  ${jsonPath(i.path)}: ${issueMessage(i, json, { withhold: i.path[2] === "Secrets" ? "part of a secret finding" : undefined })}`);
    throw new GateInputError(`${file}: not a Trivy JSON report (trivy image --format json, SchemaVersion ${SCHEMA_VERSION}):\n${lines.join("\n")}`);
  }
  return parsed.data;
}

const WANTED = `the gate reads Trivy's JSON report, SchemaVersion ${SCHEMA_VERSION} (trivy image --format json, Trivy 0.20 and later)`;
const UNSCANNED = "nothing in it shows what the image contains; check the scan (its --skip-dirs, --skip-files and log) and scan again";
const misspelled = (file: string, where: string, found: string, key: string) =>
  `${file}: ${where} "${found}", which Trivy never writes (its key is ${key}, case-sensitive): the gate does not guess what a misspelled section holds`;

/**
 * Why a parsed document cannot be read as a Trivy report at all (another format, another schema
 * version, nothing scanned, a misspelled section), or undefined when it has the report's shape;
 * the fields inside are checked by the schema after this.
 */
function untrustedShape(json: unknown, file: string): string | undefined {
  if (Array.isArray(json)) return `${file}: is a JSON list, not a Trivy report: Trivy before 0.20 wrote a bare list of results without SchemaVersion; ${WANTED}`;
  if (!isObject(json)) return `${file}: is JSON ${json === null ? "null" : `${typeof json} ${show(json)}`}, not a Trivy report: ${WANTED}`;
  if (!("SchemaVersion" in json)) return `${file}: has no SchemaVersion: ${WANTED}`;
  if (json.SchemaVersion !== SCHEMA_VERSION)
    return `${file}: SchemaVersion ${show(json.SchemaVersion)} is not supported: the gate reads SchemaVersion ${SCHEMA_VERSION} (Trivy's JSON report since Trivy 0.20)`;
  if (!("Results" in json)) {
    const near = nearMiss(Object.keys(json), "Results", TOP_LEVEL_KEYS);
    return near ? misspelled(file, "has no Results, but", near, "Results") : `${file}: has no Results (Trivy writes none when it found nothing to scan): ${UNSCANNED}`;
  }
  const results = json.Results;
  if (results === null) return `${file}: Results is null: ${UNSCANNED}`;
  if (!Array.isArray(results)) return `${file}: Results must be a list of scanned targets, got ${show(results)}`;
  if (results.length === 0) return `${file}: Results is empty: ${UNSCANNED}`;
  const notObjects = results.flatMap((r, i) => (isObject(r) ? [] : [`Results[${i}] (${show(r)})`]));
  if (notObjects.length > 0) {
    const list = notObjects.length === 1 ? notObjects[0] : `${notObjects.slice(0, -1).join(", ")} and ${notObjects[notObjects.length - 1]}`;
    return `${file}: ${list} ${notObjects.length === 1 ? "is not a scanned target" : "are not scanned targets"}: each entry is an object with Target, Class and its findings`;
  }
  for (const [i, r] of (results as Record<string, unknown>[]).entries()) {
    for (const section of SECTIONS) {
      if (section in r) continue;
      const near = nearMiss(Object.keys(r), section, RESULT_KEYS);
      if (near) return misspelled(file, `Results[${i}] has`, near, section);
    }
  }
  return undefined;
}

/** Keys Trivy writes at the top of a report and in a result (pkg/types/report.go): never taken for a misspelling. */
const TOP_LEVEL_KEYS = new Set(["SchemaVersion", "CreatedAt", "ArtifactID", "ArtifactName", "ArtifactType", "Metadata", "Results", "Trivy", "ReportID"]);
const RESULT_KEYS = new Set(["Target", "Class", "Type", "Packages", "Vulnerabilities", "MisconfSummary", "Misconfigurations", "Secrets", "Licenses", "CustomResources", "ModifiedFindings"]);

/** A key that is `wanted` misspelled (another case, or up to two letters off), unless it is one of Trivy's own keys. */
function nearMiss(keys: readonly string[], wanted: string, known: ReadonlySet<string>): string | undefined {
  const w = wanted.toLowerCase();
  return keys.find((k) => !known.has(k) && editDistance(k.toLowerCase(), w) <= 2);
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Where and why `text` is not JSON (RFC 8259), as "line L, column C: what", found by a scan of our
 * own because JSON.parse's messages differ between Node versions and some name no position.
 * Undefined when the scan finds nothing wrong (JSON.parse's own message is used then).
 */
export function syntaxError(text: string): string | undefined {
  let i = 0;
  const found = () => (i < text.length ? `found ${char(text[i])}` : "found the end of the text");
  const fail = (what: string): never => {
    throw new JsonSyntaxError(i, what);
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail("the text ends before the JSON does; a truncated file?");
      const c = text[i];
      if (c === '"') return void i++;
      if (c === "\\") {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail(e === undefined ? "the text ends before the JSON does; a truncated file?" : `invalid escape \\${e} in a string`);
      } else if (c < " ") fail("a line break or control character inside a string");
      else i++;
    }
  };
  const value = (): void => {
    space();
    if (i >= text.length) fail("the text ends before the JSON does; a truncated file?");
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === "{") {
          space();
          if (i >= text.length) fail("the text ends before the JSON does; a truncated file?");
          if (text[i] !== '"') fail(`expected a key in double quotes, ${found()}`);
          string();
          space();
          if (i >= text.length) fail("the text ends before the JSON does; a truncated file?");
          if (text[i] !== ":") fail(`expected ":" after a key, ${found()}`);
          i++;
        }
        value();
        space();
        if (i >= text.length) fail("the text ends before the JSON does; a truncated file?");
        if (text[i] === close) return void i++;
        if (text[i] !== ",") fail(`expected "," or "${close}", ${found()}`);
        i++;
      }
    }
    if (c === '"') return string();
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if ((c === "-" || (c >= "0" && c <= "9")) && number.test(text)) return void (i = number.lastIndex);
    for (const literal of ["true", "false", "null"]) if (text.startsWith(literal, i)) return void (i += literal.length);
    fail(i === 0 && c === "\uFEFF" ? "a byte order mark (U+FEFF) before the JSON" : `unexpected ${char(c)}`);
  };
  try {
    if (text.trim() === "") return `${position(text, 0)}: the file is empty`;
    value();
    space();
    if (i < text.length) fail(`unexpected ${char(text[i])} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return `${position(text, e.at)}: ${e.what}`;
    // Nesting deeper than the stack allows: JSON.parse's message will do.
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

/** A character for a message: itself in quotes, or its code point when it is invisible. */
const char = (c: string): string => (/^[\u0021-\u007e]$/.test(c) || (c > "\u00a0" && c !== "\ufeff") ? JSON.stringify(c) : `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);

class JsonSyntaxError {
  constructor(
    readonly at: number,
    readonly what: string,
  ) {}
}

/** "line L, column C" (both from 1) of an offset. */
function position(text: string, at: number): string {
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  return `line ${line}, column ${at - (before.lastIndexOf("\n") + 1) + 1}`;
}

/** Every vulnerability in a report, in report order; one per package, so a CVE in two packages is two findings. */
export function vulnerabilitiesOf(report: TrivyReport): VulnerabilityFinding[] {
  return report.Results.flatMap((r) =>
    (r.Vulnerabilities ?? []).map((v) => ({
      kind: "vulnerability" as const,
      id: v.VulnerabilityID,
      package: v.PkgName,
      ...(v.PkgIdentifier?.PURL ? { purl: v.PkgIdentifier.PURL } : {}),
      installed: v.InstalledVersion ?? "",
      ...(v.FixedVersion ? { fixed: v.FixedVersion } : {}),
      severity: v.Severity,
      ...(v.Title ? { title: v.Title } : {}),
      target: r.Target,
    })),
  );
}

/** Every failed misconfiguration check in a report, in report order (PASS and EXCEPTION are no findings). */
export function misconfigurationsOf(report: TrivyReport): MisconfigurationFinding[] {
  return report.Results.flatMap((r) =>
    (r.Misconfigurations ?? [])
      .filter((m) => m.Status === "FAIL")
      .map((m) => ({
        kind: "misconfiguration" as const,
        id: (m.ID ?? m.AVDID) as string,
        ...(m.ID !== undefined && m.AVDID !== undefined ? { avdId: m.AVDID } : {}),
        severity: m.Severity,
        ...(m.Title ? { title: m.Title } : {}),
        target: r.Target,
      })),
  );
}

/** Every secret in a report, in report order: rule, category, severity, title, file and line, never the secret. */
export function secretsOf(report: TrivyReport): SecretFinding[] {
  return report.Results.flatMap((r) =>
    (r.Secrets ?? []).map((s) => ({
      kind: "secret" as const,
      id: s.RuleID,
      ...(s.Category ? { category: s.Category } : {}),
      severity: s.Severity,
      ...(s.Title ? { title: s.Title } : {}),
      target: r.Target,
      ...(s.StartLine ? { line: s.StartLine } : {}),
    })),
  );
}

/** Every finding of a report: vulnerabilities, then failed misconfiguration checks, then secrets. */
export function findingsOf(report: TrivyReport): Finding[] {
  return [...vulnerabilitiesOf(report), ...misconfigurationsOf(report), ...secretsOf(report)];
}

/** How many findings there are at each severity. */
export function countFindings(findings: readonly Finding[]): SeverityCounts {
  const counts = noFindings();
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}
