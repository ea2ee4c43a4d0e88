/**
 * The scan stage: Trivy, pinned and pulled through the mirror, scans each component image the
 * build stage produced (from its tarball: the same bytes E2E tested, before anything is pushed)
 * for vulnerabilities, secrets and misconfigurations, and writes one JSON report per component,
 * plus a CycloneDX SBOM converted from that report.
 * `release` and `promote` scan the release's published images the same way, in the run whose
 * vulnerability gate judges them.
 * A tarball scan has no RepoDigests, so the image's config digest is read from the same tarball
 * here and handed to the gate, which ties the report to the image by it (gates identity.ts).
 * The commands are plain functions of the files' paths, so that the integration test
 * (test/scan/trivy.integration.ts) runs these very commands with a real Trivy.
 */
import { type Container, dag, ReturnType } from "@dagger.io/dagger";
import { mirrorImage } from "../mirror/images.js";
import type { PipelineConfig } from "../config/schema.js";

/** Trivy's image, pinned (the mirror serves it like every other image). */
export const TRIVY_IMAGE = "aquasec/trivy:0.74.0";
/**
 * Trivy's vulnerability databases and its misconfiguration checks bundle, as OCI artefacts;
 * pointed at the mirror's proxy of them when there is one. The checks bundle is Trivy 0.74's
 * default (without the option, Trivy fetches it from there past the mirror).
 */
const TRIVY_ARTEFACTS = { db: "ghcr.io/aquasecurity/trivy-db:2", javaDb: "ghcr.io/aquasecurity/trivy-java-db:1", checks: "mirror.gcr.io/aquasec/trivy-checks:2" } as const;

/** Where the scan container keeps its files. */
export interface ScanFiles {
  /** The image, as Container.asTarball() writes it (OCI layout with Docker's manifest.json). */
  image: string;
  /** The image's config digest, sha256:…, read from the tarball. */
  imageId: string;
  /** Trivy's JSON report. */
  report: string;
  /** The CycloneDX SBOM. */
  sbom: string;
}

export const SCAN_FILES: ScanFiles = { image: "/scan/image.tar", imageId: "/scan/image-id", report: "/scan/report.json", sbom: "/scan/sbom.cdx.json" };

/** Reads the config digest off the tarball's manifest.json ("Config":"blobs/sha256/<hex>") into files.imageId. */
export function imageIdCommand(files: ScanFiles = SCAN_FILES): string[] {
  return ["sh", "-c", `tar -xOf ${files.image} manifest.json | sed -n 's#.*"Config":"blobs/sha256/\\([0-9a-f]*\\)".*#sha256:\\1#p' > ${files.imageId}`];
}

/**
 * Trivy's scan of the tarball into the JSON report. `--list-all-pkgs` puts every package in the
 * report, so that the SBOM can be converted from it (sbomCommand) instead of a second scan.
 */
export function trivyScanCommand(mirror: string | undefined, files: ScanFiles = SCAN_FILES): string[] {
  return [
    "trivy", "image", "--input", files.image, "--format", "json", "--list-all-pkgs", "--output", files.report,
    "--scanners", "vuln,secret,misconfig", "--quiet",
    "--db-repository", mirrorImage(TRIVY_ARTEFACTS.db, mirror), "--java-db-repository", mirrorImage(TRIVY_ARTEFACTS.javaDb, mirror),
    "--checks-bundle-repository", mirrorImage(TRIVY_ARTEFACTS.checks, mirror),
  ];
}

/** The CycloneDX SBOM, converted from the JSON report: the same packages as the report, without reading the image again. */
export function sbomCommand(files: ScanFiles = SCAN_FILES): string[] {
  return ["trivy", "convert", "--format", "cyclonedx", "--output", files.sbom, "--quiet", files.report];
}

/** One component's scan: the Trivy JSON report, its CycloneDX SBOM and the scanned image's config digest. */
export interface ScanResult {
  report: string;
  imageId: string;
  /** CycloneDX JSON; empty when the scan left no report. */
  sbom: string;
}

/** Scan one image with Trivy; a scanner failure leaves no report, which the gate refuses (fail closed). */
export async function scanImage(config: PipelineConfig, image: Container): Promise<ScanResult> {
  const mirror = config.mirror?.images;
  const scanned = dag
    .container()
    .from(mirrorImage(TRIVY_IMAGE, mirror))
    .withMountedFile(SCAN_FILES.image, image.asTarball())
    // The databases are kept between runs; Trivy refreshes them itself when they are older than a day.
    .withMountedCache("/root/.cache/trivy", dag.cacheVolume("pipeline-trivy-cache"))
    // An exec is cached by its inputs: without the day, an unchanged image would get an earlier day's report.
    .withEnvVariable("PIPELINE_SCAN_DAY", new Date().toISOString().slice(0, 10))
    .withExec(imageIdCommand())
    .withExec(trivyScanCommand(mirror), { expect: ReturnType.Any });
  // A failed scan leaves no report, and so no SBOM either; the report is read from before the conversion.
  const converted = scanned.withExec(sbomCommand(), { expect: ReturnType.Any });
  const [report, imageId, sbom] = await Promise.all([
    scanned.file(SCAN_FILES.report).contents().catch(() => ""),
    scanned.file(SCAN_FILES.imageId).contents(),
    converted.file(SCAN_FILES.sbom).contents().catch(() => ""),
  ]);
  return { report, imageId: imageId.trim(), sbom };
}
