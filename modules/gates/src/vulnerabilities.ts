/**
 * The vulnerability gate: no image of a release reaches an environment with a finding at a
 * blocking severity (default CRITICAL) unless a valid waiver covers it (R-GATE-3). Findings are
 * what Trivy reports: vulnerabilities, failed misconfiguration checks and secrets, judged at the
 * same blocking severities. A waiver covers a vulnerability (cve) or a misconfiguration
 * (misconfiguration) for one digest; a secret is never waived (see waivers.ts). A signed OpenVEX
 * statement attached to the image waives a vulnerability when its latest word for that digest is
 * not_affected or fixed (see vex.ts); it never waives a misconfiguration or a secret. A finding
 * both cover is recorded under its waiver.
 *
 * It fails closed: an image without a usable report of exactly that image is blocked, saying
 * why: no report, a report of another digest, a report that is not Trivy's SchemaVersion 2 JSON,
 * or one whose Results show nothing was scanned (see trivy.ts). An emergency
 * (--emergency --reason) lets everything through and the verdict records each thing it let
 * through and the reason, missing or foreign reports and secrets included, because an emergency
 * is exactly when a scanner or its database may be unavailable.
 */
import { isCalendarDate } from "./dates.js";
import { GateInputError } from "./errors.js";
import { digestOf, isDigest, reportMismatch, shortDigest } from "./identity.js";
import { blockingSeverities, describeCounts, noFindings, SEVERITIES, type Severity, type SeverityCounts } from "./severity.js";
import type { VexDocument, VexStatement } from "./openvex.js";
import { countFindings, type Finding, findingsOf, parseTrivyReport } from "./trivy.js";
import { cite, judgeByVex, vexNames } from "./vex.js";
import type { Waiver } from "./waivers.js";

/** One image of the release with what the scanner said about it. */
export interface ScannedImage {
  component: string;
  /** The image as the release records it: registry/name:tag@sha256:… */
  image: string;
  /** The Trivy JSON report's text; undefined when there is none. */
  report: string | undefined;
  /** Where the report came from, for messages (default: "<component>.json", as the module names them). */
  reportFile?: string;
  /** The image's config digest (Trivy's ImageID), when known: ties a report without RepoDigests to the image. */
  imageId?: string;
}

/** Everything the vulnerability gate judges. */
export interface VulnerabilityGateInput {
  images: readonly ScannedImage[];
  /** Severities that block (any case); default CRITICAL. Listing one also blocks every rated severity above it. */
  blocking?: readonly string[];
  waivers: readonly Waiver[];
  /** OpenVEX documents attached to the images, each tagged with its component (already verified as signed by the caller). */
  vex?: readonly VexDocument[];
  /** The current date, YYYY-MM-DD (UTC): a waiver counts through its expires day. */
  today: string;
  /** A declared emergency: the gate passes and records what it waived and why. */
  emergency?: { reason: string };
}

/** A finding and the waiver that let it, or would have let it, through. */
export interface WaivedFinding {
  finding: Finding;
  waiver: Waiver;
}

/** A finding and the OpenVEX statement that waived it. */
export interface VexWaivedFinding {
  finding: Finding;
  statement: VexStatement;
}

/** The gate's verdict for one component's image. */
export interface ComponentScanVerdict {
  component: string;
  image: string;
  /** The manifest digest judged; absent when the image reference carries none. */
  digest?: string;
  passed: boolean;
  /** True when the image would have been blocked and an emergency let it through. */
  waivedByEmergency: boolean;
  /** Why no report could be used (missing, unreadable, of another image); the image is blocked without looking further. */
  reportProblem?: string;
  /** Findings at a blocking severity that no valid waiver covers (under an emergency: the ones it let through). */
  blocking: Finding[];
  /** Findings at a blocking severity that a valid waiver covers. */
  waived: WaivedFinding[];
  /** Findings at a blocking severity no valid waiver covers and an OpenVEX statement waives (not_affected or fixed for this digest). */
  vexWaived: VexWaivedFinding[];
  /** Blocking findings whose waiver for this image expired (they are also in `blocking`). */
  expired: WaivedFinding[];
  /** Every vulnerability in the report by severity, blocking or not. */
  counts: SeverityCounts;
  /** Every failed misconfiguration check in the report by severity. */
  misconfigurationCounts: SeverityCounts;
  /** Every secret in the report by severity. */
  secretCounts: SeverityCounts;
  /** One line for summaries. */
  summary: string;
  /** Everything behind the verdict, one line each. */
  details: string[];
}

/** The gate's verdict for the whole release. */
export interface VulnerabilityVerdict {
  gate: "vulnerabilities";
  passed: boolean;
  /** True when the gate would have refused and an emergency let the release through. */
  waivedByEmergency: boolean;
  /** The severities that blocked, after widening the configured list. */
  blockingSeverities: Severity[];
  /** The date waivers were judged on. */
  today: string;
  /** The emergency declared, when one was. */
  emergency?: { reason: string };
  components: ComponentScanVerdict[];
  /** Every vulnerability of every image, by severity. */
  counts: SeverityCounts;
  /** Every failed misconfiguration check of every image, by severity. */
  misconfigurationCounts: SeverityCounts;
  /** Every secret of every image, by severity. */
  secretCounts: SeverityCounts;
  summary: string;
  details: string[];
}

/** Judge every image of a release against its scan report, the blocking severities, the waivers and the date. */
export function vulnerabilityGate(input: VulnerabilityGateInput): VulnerabilityVerdict {
  const blocking = blockingSeverities(input.blocking);
  if (!isCalendarDate(input.today)) throw new GateInputError(`today: must be a date YYYY-MM-DD (got ${JSON.stringify(input.today)})`);
  const reason = input.emergency?.reason.trim();
  if (input.emergency && !reason) throw new GateInputError('emergency: needs a reason (--emergency --reason "…"): an emergency is recorded with why it was declared');
  if (input.images.length === 0) throw new GateInputError("images: the release has no images to judge");
  const seen = new Set<string>();
  for (const img of input.images) {
    if (seen.has(img.component)) throw new GateInputError(`images: component ${img.component} is given twice`);
    seen.add(img.component);
    if (img.imageId !== undefined && !isDigest(img.imageId))
      throw new GateInputError(`images.${img.component}.imageId: must be the image's config digest sha256:<64 hex digits> (got ${JSON.stringify(img.imageId)})`);
  }

  const vex = input.vex ?? [];
  const components = input.images.map((img) =>
    judgeImage(
      img,
      blocking,
      input.waivers,
      vex.filter((d) => d.component === img.component),
      input.today,
      reason,
    ),
  );
  // Documents for a component that is not judged are not used; say so rather than drop them silently.
  const strays = [...new Set(vex.filter((d) => !seen.has(d.component)).map((d) => d.component))].map(
    (c) =>
      `vex: ${vex
        .filter((d) => d.component === c)
        .map((d) => d.file)
        .join(", ")} attached to ${c}, which is not among the images judged (${[...seen].join(", ")}); not used`,
  );
  const sum = (pick: (c: ComponentScanVerdict) => SeverityCounts): SeverityCounts => {
    const counts = noFindings();
    for (const c of components) for (const s of SEVERITIES) counts[s] += pick(c)[s];
    return counts;
  };
  const refused = components.filter((c) => !c.passed || c.waivedByEmergency);
  const waivedByEmergency = reason !== undefined && refused.length > 0;
  const passed = refused.length === 0 || waivedByEmergency;
  const waivedCount = components.reduce((n, c) => n + c.waived.length + c.vexWaived.length, 0);
  const vexCount = components.reduce((n, c) => n + c.vexWaived.length, 0);
  const summary = waivedByEmergency
    ? `waived by emergency (${reason}): ${refused.map((c) => c.summary).join("; ")}`
    : passed
      ? `${components.length} image${components.length === 1 ? "" : "s"}, no unwaived ${blocking.join("/")} findings${waivedCount > 0 ? ` (${waivedCount} waived${vexCount > 0 ? `, ${vexCount} by VEX` : ""})` : ""}`
      : `blocked: ${refused.map((c) => c.summary).join("; ")}; fix, waive (a waiver per CVE or misconfiguration and digest in the GitOps repository) or declare an emergency (--emergency --reason "…")${refused.some((c) => c.blocking.some((f) => f.kind === "secret")) ? "; a secret is never waived: remove it from the image, rotate it and rebuild" : ""}`;
  return {
    gate: "vulnerabilities",
    passed,
    waivedByEmergency,
    blockingSeverities: blocking,
    today: input.today,
    ...(reason !== undefined ? { emergency: { reason } } : {}),
    components,
    counts: sum((c) => c.counts),
    misconfigurationCounts: sum((c) => c.misconfigurationCounts),
    secretCounts: sum((c) => c.secretCounts),
    summary,
    details: [...components.flatMap((c) => c.details), ...strays],
  };
}

/** One image's verdict. */
function judgeImage(img: ScannedImage, blocking: readonly Severity[], waivers: readonly Waiver[], vex: readonly VexDocument[], today: string, emergency: string | undefined): ComponentScanVerdict {
  const file = img.reportFile ?? `${img.component}.json`;
  const digest = digestOf(img.image);
  const base = { component: img.component, image: img.image, ...(digest ? { digest } : {}) };
  const read = readReport(img, file, digest);
  if (typeof read === "string") {
    const waived = emergency !== undefined;
    return {
      ...base,
      passed: waived,
      waivedByEmergency: waived,
      reportProblem: read,
      blocking: [],
      waived: [],
      vexWaived: [],
      expired: [],
      counts: noFindings(),
      misconfigurationCounts: noFindings(),
      secretCounts: noFindings(),
      summary: `${img.component}: ${waived ? "no usable scan report, waived by emergency" : "no usable scan report"}`,
      details: [`${img.component}: ${read}${waived ? " (waived by emergency)" : ""}`],
    };
  }

  const findings = read.findings;
  const judged = read.digest;
  const unwaived: Finding[] = [];
  const waived: WaivedFinding[] = [];
  const vexWaived: VexWaivedFinding[] = [];
  const expired: WaivedFinding[] = [];
  const details: string[] = [];
  for (const finding of findings.filter((f) => blocking.includes(f.severity))) {
    const forId = waiversFor(finding, waivers);
    const forImage = forId.filter((w) => w.digest === digest);
    const valid = latest(forImage.filter((w) => w.expires >= today));
    const byVex = judgeByVex(finding, judged, vex);
    if (valid) {
      waived.push({ finding, waiver: valid });
      const contrary = byVex.latest ? ` (note: ${cite(byVex.latest)} says ${byVex.latest.status})` : "";
      details.push(`${img.component}: ${describeFinding(finding)}: waived until ${valid.expires} by ${valid.approver}: ${valid.reason}${contrary}`);
      continue;
    }
    if (byVex.waivedBy) {
      vexWaived.push({ finding, statement: byVex.waivedBy });
      details.push(`${img.component}: ${describeFinding(finding)}: waived by ${cite(byVex.waivedBy)}: ${vexReason(byVex.waivedBy)}`);
      continue;
    }
    unwaived.push(finding);
    const why: string[] = [];
    if (byVex.latest) why.push(`${cite(byVex.latest)} says ${byVex.latest.status}${byVex.latest.actionStatement ? `: ${byVex.latest.actionStatement}` : ""}, which does not waive it`);
    why.push(...byVex.unused);
    const lapsed = latest(forImage);
    if (lapsed) {
      expired.push({ finding, waiver: lapsed });
      why.push(`waiver for ${finding.id} expired on ${lapsed.expires} (approved by ${lapsed.approver})`);
    }
    // A waiver judged another build; the same finding here needs its own decision, but say it exists.
    const elsewhere = forId.filter((w) => w.digest !== digest);
    if (elsewhere.length > 0) why.push(`the waiver for ${finding.id} applies to ${elsewhere.map((w) => shortDigest(w.digest)).join(", ")}, not to this image`);
    const misnamed = [misnamedWaiver(finding, waivers), vexMisnamed(finding, vex)].filter((m) => m !== undefined).join("; ") || undefined;
    if (misnamed) why.push(misnamed);
    const line =
      finding.kind === "secret" ? `${describeFinding(finding)}: ${SECRET_NOTE}${misnamed ? ` (${misnamed})` : ""}` : `${describeFinding(finding)}${why.length > 0 ? `: ${why.join("; ")}` : ""}`;
    details.push(`${img.component}: ${line}${emergency !== undefined ? " (waived by emergency)" : ""}`);
  }

  const counts = countFindings(findings.filter((f) => f.kind === "vulnerability"));
  const misconfigurationCounts = countFindings(findings.filter((f) => f.kind === "misconfiguration"));
  const secretCounts = countFindings(findings.filter((f) => f.kind === "secret"));
  const blocked = unwaived.length > 0;
  const waivedByEmergency = blocked && emergency !== undefined;
  const names = [...new Set(unwaived.map(nameOf))];
  const found = [describeCounts(counts)];
  if (total(misconfigurationCounts) + total(secretCounts) > 0) {
    found[0] = `vulnerabilities: ${found[0]}`;
    if (total(misconfigurationCounts) > 0) found.push(`misconfigurations: ${describeCounts(misconfigurationCounts)}`);
    if (total(secretCounts) > 0) found.push(`secrets: ${describeCounts(secretCounts)}`);
  }
  const summary = blocked
    ? `${img.component}: ${describeCounts(countFindings(unwaived))} not waived (${names.join(", ")})${waivedByEmergency ? ", waived by emergency" : ""}`
    : `${img.component}: nothing blocking (${found.join("; ")})${waived.length + vexWaived.length > 0 ? `, ${waived.length + vexWaived.length} waived${vexWaived.length > 0 ? ` (${vexWaived.length} by VEX)` : ""}` : ""}`;
  return { ...base, passed: !blocked || waivedByEmergency, waivedByEmergency, blocking: unwaived, waived, vexWaived, expired, counts, misconfigurationCounts, secretCounts, summary, details };
}

/** Why a VEX statement waived: "not_affected, vulnerable_code_not_in_execute_path: awk is not used", "fixed". */
function vexReason(s: VexStatement): string {
  const why = [s.justification, s.impactStatement ?? s.statusNotes].filter((p) => p !== undefined);
  return `${s.status}${why.length > 0 ? `, ${why.join(": ")}` : ""}`;
}

/** A VEX statement naming a misconfiguration or a secret, said so it is not taken for one that counts. */
function vexMisnamed(finding: Finding, vex: readonly VexDocument[]): string | undefined {
  if (finding.kind === "vulnerability") return undefined;
  const named = vexNames(finding.id, vex);
  return named ? `${cite(named)} names ${finding.id}: VEX waives vulnerabilities only, never a ${finding.kind}` : undefined;
}

/** What the details say of every blocking secret. */
const SECRET_NOTE = "a secret is never waived; remove it from the image, rotate it and rebuild";

/** How many findings the counts hold. */
const total = (counts: SeverityCounts): number => SEVERITIES.reduce((n, s) => n + counts[s], 0);

/** A finding as the summary names it: the CVE, "misconfiguration DS-0002", "secret aws-access-key-id in /app/.env". */
function nameOf(f: Finding): string {
  if (f.kind === "misconfiguration") return `misconfiguration ${f.id}`;
  if (f.kind === "secret") return `secret ${f.id} in ${f.target}`;
  return f.id;
}

/** A misconfiguration check's ID without Trivy's "AVD-" prefix and case: AVD-DS-0002 and ds-0002 are DS-0002. */
const checkId = (id: string): string => id.toUpperCase().replace(/^AVD-/, "");

/**
 * The waivers naming this finding: a vulnerability by cve, a misconfiguration by misconfiguration
 * (its ID or AVD ID, in either of Trivy's forms), a secret by nothing.
 */
function waiversFor(finding: Finding, waivers: readonly Waiver[]): Waiver[] {
  switch (finding.kind) {
    case "vulnerability":
      return waivers.filter((w) => w.cve !== undefined && w.cve.toUpperCase() === finding.id.toUpperCase());
    case "misconfiguration": {
      const ids = [finding.id, ...(finding.avdId ? [finding.avdId] : [])].map(checkId);
      return waivers.filter((w) => w.misconfiguration !== undefined && ids.includes(checkId(w.misconfiguration)));
    }
    case "secret":
      return [];
  }
}

/** A waiver that names this finding's ID under the wrong key (or names a secret at all), said so it is not taken for a waiver that counts. */
function misnamedWaiver(finding: Finding, waivers: readonly Waiver[]): string | undefined {
  const same = (id: string | undefined) => id !== undefined && checkId(id) === checkId(finding.id);
  if (finding.kind === "secret") return waivers.some((w) => same(w.cve) || same(w.misconfiguration)) ? `a waiver names ${finding.id}: it does not count for a secret` : undefined;
  if (finding.kind === "misconfiguration" && waivers.some((w) => same(w.cve)))
    return `a waiver names ${finding.id} as cve, which waives vulnerabilities only; a misconfiguration is waived with misconfiguration: ${finding.id}`;
  if (finding.kind === "vulnerability" && waivers.some((w) => same(w.misconfiguration))) return `a waiver names ${finding.id} as misconfiguration; a vulnerability is waived with cve: ${finding.id}`;
  return undefined;
}

/** The findings of the image's report, or why the report cannot be used. */
function readReport(img: ScannedImage, file: string, digest: string | undefined): string | { findings: Finding[]; digest: string } {
  if (!digest) return `image ${img.image} carries no digest: the gate judges exact bytes, registry/name:tag@sha256:…`;
  if (img.report === undefined) return `no scan report for ${img.image}: ${file} is missing; scan the image (trivy image --format json --output ${file} ${img.image.replace(/:[^:/@]+@/, "@")})`;
  try {
    const report = parseTrivyReport(img.report, file);
    return reportMismatch(report, file, digest, img.imageId) ?? { findings: findingsOf(report), digest };
  } catch (e) {
    if (e instanceof GateInputError) return e.message;
    throw e;
  }
}

/** The waiver that lasts longest; ties keep the first written. */
function latest(waivers: readonly Waiver[]): Waiver | undefined {
  return waivers.reduce<Waiver | undefined>((best, w) => (best === undefined || w.expires > best.expires ? w : best), undefined);
}

/**
 * A finding in one line: "CVE-2019-14697 CRITICAL in musl 1.1.20-r4 (fixed in 1.1.20-r5)",
 * "misconfiguration DS-0002 HIGH in Dockerfile: Image user should not be 'root'",
 * "secret aws-access-key-id CRITICAL in /app/.env line 2: AWS Access Key ID (AWS)".
 */
export function describeFinding(f: Finding): string {
  const title = f.title ? `: ${f.title}` : "";
  switch (f.kind) {
    case "vulnerability":
      return `${f.id} ${f.severity} in ${f.package} ${f.installed || "(version unknown)"} (${f.fixed ? `fixed in ${f.fixed}` : "no fix yet"})${title}`;
    case "misconfiguration":
      return `misconfiguration ${f.id} ${f.severity} in ${f.target}${title}`;
    case "secret":
      return `secret ${f.id} ${f.severity} in ${f.target}${f.line ? ` line ${f.line}` : ""}${title}${f.category ? ` (${f.category})` : ""}`;
  }
}
