/**
 * What a release record says about the digests it holds (issue 15, part 3): per component, the
 * scan's counts by severity and the SHA-256 of the report that was judged (so a report shown later
 * can be checked against it), and the run's verdicts. Counting is Trivy's JSON as written
 * (SchemaVersion 2: Results[].Vulnerabilities/Secrets/Misconfigurations[].Severity); the verdict
 * on a report is the gates module's, not this file's.
 */
import { createHash } from "node:crypto";

/** Findings by severity in one Trivy JSON report (failed misconfiguration checks only); empty for a report that cannot be read. */
export function scanCounts(report: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(report);
  } catch {
    return {};
  }
  const results = (parsed as { Results?: unknown }).Results;
  const counts: Record<string, number> = {};
  if (!Array.isArray(results)) return counts;
  for (const r of results as Record<string, unknown>[]) {
    const findings = [
      ...((r?.Vulnerabilities as { Severity?: unknown }[] | undefined) ?? []),
      ...((r?.Secrets as { Severity?: unknown }[] | undefined) ?? []),
      ...((r?.Misconfigurations as { Severity?: unknown; Status?: unknown }[] | undefined) ?? []).filter((m) => m?.Status === "FAIL"),
    ];
    for (const f of findings) if (typeof f?.Severity === "string") counts[f.Severity] = (counts[f.Severity] ?? 0) + 1;
  }
  return counts;
}

/** `sha256:<hex>` of a report's exact text. */
export const reportDigest = (report: string): string => `sha256:${createHash("sha256").update(report).digest("hex")}`;

/** What an `integration --override` run proves about each image it put in place of a resource: the verdict of the whole system with it. */
export interface IntegrationEvidence {
  kind: "pipeline-as-code/integration-evidence/v1";
  /** The application whose AppHost ran, at this commit. */
  application: string;
  revision: string;
  ranAt: string;
  /** Per overridden digest: the resource it replaced, the image by digest, the run's Aspire verdict (as a release record's evidence.integration). */
  digests: Record<string, { resource: string; image: string; integration: "passed" | "failed" | "not-run" }>;
}

/**
 * The evidence of an integration run for the published images of another repository (issue 15,
 * part 3): keyed by digest, so the service repository's pipeline can keep it with the artefact it
 * tested; `overrides` maps a resource to its image (already checked to be by digest).
 */
export function integrationEvidence(
  application: string,
  revision: string,
  overrides: Record<string, string>,
  integration: IntegrationEvidence["digests"][string]["integration"],
  ranAt: string,
): IntegrationEvidence {
  const digests = Object.fromEntries(Object.entries(overrides).map(([resource, image]) => [image.slice(image.lastIndexOf("@") + 1), { resource, image, integration }]));
  return { kind: "pipeline-as-code/integration-evidence/v1", application, revision, ranAt, digests };
}
