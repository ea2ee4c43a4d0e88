/**
 * Answers for the containers the engine model does not run, shared by the harness tests: Flyway's
 * recorded real output (recorded-flyway.ts) and stand-in Trivy reports (Trivy does not run here)
 * with the scanned image's config digest. A test chooses which scans report a CRITICAL finding.
 */
import type { ReleaseRecord } from "../../.dagger/src/release/record.js";
import { mintId } from "../recorder/ids.js";
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

/**
 * Trivy reports of a release's images as a directory ID for `--scans`, one <component>.json each,
 * tied to the images by their digests (RepoDigests), with no finding or, when given, one CRITICAL
 * finding in the backend's: what the vulnerability gate reads.
 */
export function releaseScans(release: ReleaseRecord, criticalInBackend?: string): string {
  const files = Object.entries(release.components).map(([name, c]) => ({
    field: "withNewFile",
    args: {
      path: `${name}.json`,
      contents: JSON.stringify({
        SchemaVersion: 2,
        ArtifactName: c.image,
        ArtifactType: "container_image",
        Metadata: { RepoDigests: [`${c.image.replace(/:[0-9a-f]{40}@sha256:[0-9a-f]{64}$/, "")}@${c.digest}`] },
        Results: [
          {
            Target: name,
            Class: "os-pkgs",
            Type: "debian",
            Vulnerabilities: criticalInBackend && name === "backend" ? [{ VulnerabilityID: criticalInBackend, PkgName: "openssl", InstalledVersion: "3.0.0", Severity: "CRITICAL" }] : [],
          },
        ],
      }),
    },
  }));
  return mintId([{ field: "directory", args: {} }, ...files]);
}
