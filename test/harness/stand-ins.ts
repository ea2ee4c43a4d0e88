/**
 * Answers for the containers the engine model does not run, shared by the harness tests: Flyway's
 * recorded real output (recorded-flyway.ts) and stand-in Trivy reports (Trivy does not run here)
 * with the scanned image's config digest. A test chooses which scans report a CRITICAL finding.
 */
import { recordedFlyway } from "./recorded-flyway.js";

/** The config digest every stand-in scan reports for the image it scanned. */
export const IMAGE_ID = `sha256:${"c".repeat(64)}`;

/** A Trivy JSON report of one image: no findings, or one CRITICAL finding. */
export function trivyReport(critical?: string): string {
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: "/scan/image.tar",
    ArtifactType: "container_image",
    Metadata: { ImageID: IMAGE_ID, RepoDigests: [] },
    Results: [
      {
        Target: "image",
        Class: "os-pkgs",
        Type: "debian",
        Vulnerabilities: critical ? [{ VulnerabilityID: critical, PkgName: "openssl", InstalledVersion: "3.0.0", Severity: "CRITICAL", Title: "a critical one" }] : [],
      },
    ],
  });
}

/** The CycloneDX SBOM every stand-in scan converts its report to (what `trivy convert` writes, trimmed to one package). */
export const CYCLONEDX = JSON.stringify({
  bomFormat: "CycloneDX",
  specVersion: "1.6",
  version: 1,
  components: [{ type: "library", name: "openssl", version: "3.0.0", purl: "pkg:deb/debian/openssl@3.0.0" }],
});

/**
 * Flyway's recorded output and the scans' stand-in answers; `criticalIn(leaf)` names the CVE a
 * scan reports (the leaf's chain says which image it mounted), or undefined for a clean report;
 * `flyway` replaces the recordings of a successful migration (recorded-flyway.ts).
 */
export function standIns(criticalIn: (leaf: string) => string | undefined = () => undefined, flyway?: Record<string, string>): (leaf: string) => unknown {
  return (leaf) => {
    const recorded = flyway ? recordedFlyway(leaf, flyway) : recordedFlyway(leaf);
    if (recorded !== undefined) return recorded;
    if (/\/scan\/image-id"\)\.contents$/.test(leaf)) return `${IMAGE_ID}\n`;
    if (/\/scan\/report\.json"\)\.contents$/.test(leaf)) return trivyReport(criticalIn(leaf));
    if (/\/scan\/sbom\.cdx\.json"\)\.contents$/.test(leaf)) return CYCLONEDX;
    return undefined;
  };
}
