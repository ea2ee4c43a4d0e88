/**
 * Trivy's JSON report (`trivy image --format json`, SchemaVersion 2), read into the few fields
 * the vulnerability gate needs. Unknown fields are allowed (Trivy adds some in most releases);
 * the fields read here are checked, and a report that lacks one is refused naming the file, the
 * JSON path and what was expected, because a gate must not guess what a scanner meant.
 * Fields Trivy omits when empty (`json:",omitempty"`) are optional: `Metadata` of repository and
 * filesystem scans, `Results` of a scan that found nothing to scan, `Vulnerabilities` of a clean
 * target, `FixedVersion` of an unfixed finding, `Title` of some advisories (musl's CVE-2019-14697).
 */
import { z } from "./vendor/zod.js";
import { GateInputError } from "./errors.js";
import { issueMessage, jsonPath } from "./issues.js";
import { noFindings, SEVERITIES, type Severity, type SeverityCounts } from "./severity.js";

/** One vulnerability as Trivy reports it. */
const TrivyVulnerability = z.object({
  VulnerabilityID: z.string().min(1),
  PkgName: z.string().min(1),
  InstalledVersion: z.string().optional(),
  FixedVersion: z.string().optional(),
  Severity: z.enum(SEVERITIES),
  Title: z.string().optional(),
});

/** One scanned target: an OS's packages, a lockfile, a config file. */
const TrivyResult = z.object({
  Target: z.string(),
  Class: z.string(),
  Type: z.string().optional(),
  Vulnerabilities: z.array(TrivyVulnerability).nullish(),
});

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
  SchemaVersion: z.literal(2),
  ArtifactName: z.string(),
  ArtifactType: z.string(),
  Metadata: TrivyMetadata.optional(),
  Results: z.array(TrivyResult).nullish(),
});

/** A validated Trivy report. */
export type TrivyReport = z.output<typeof TrivyReport>;

/** One vulnerability of one package in one target: what a verdict lists. */
export interface Finding {
  /** CVE-…, GHSA-…, DLA-…: Trivy's VulnerabilityID. */
  id: string;
  package: string;
  installed: string;
  /** The version(s) that fix it, as Trivy writes them ("6.0.3.1, 5.2.4.3"); absent when none does yet. */
  fixed?: string;
  severity: Severity;
  title?: string;
  /** Where Trivy found the package: the OS, or a lockfile's path. */
  target: string;
}

/** Parse and validate a Trivy JSON report; throws GateInputError naming the file and every bad path. */
export function parseTrivyReport(text: string, file: string): TrivyReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new GateInputError(`${file}: is not JSON (${(e as Error).message})`);
  }
  const parsed = TrivyReport.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${jsonPath(i.path)}: ${issueMessage(i, json)}`);
    throw new GateInputError(`${file}: not a Trivy JSON report (trivy image --format json, SchemaVersion 2):\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Every vulnerability in a report, in report order; one per package, so a CVE in two packages is two findings. */
export function findingsOf(report: TrivyReport): Finding[] {
  return (report.Results ?? []).flatMap((r) =>
    (r.Vulnerabilities ?? []).map((v) => ({
      id: v.VulnerabilityID,
      package: v.PkgName,
      installed: v.InstalledVersion ?? "",
      ...(v.FixedVersion ? { fixed: v.FixedVersion } : {}),
      severity: v.Severity,
      ...(v.Title ? { title: v.Title } : {}),
      target: r.Target,
    })),
  );
}

/** How many findings there are at each severity. */
export function countFindings(findings: readonly Finding[]): SeverityCounts {
  const counts = noFindings();
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}
