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
import { type Container, dag, type Directory, ReturnType } from "@dagger.io/dagger";
import { InputError } from "../errors.js";
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

/** Trivy's cache directory in its image: its databases (db/, java-db/), checks bundle (policy/) and layer cache (fanal/). */
export const TRIVY_CACHE = "/root/.cache/trivy";

/**
 * What tells Trivy to use the databases it finds in its cache and fetch nothing: neither database
 * (a missing java-db/ then fails the scan of an image with JAR files instead of downloading it), nor
 * the checks bundle (the checks built into Trivy are used), nor the version check and telemetry
 * Trivy otherwise sends to check.trivy.dev. Each flag is Trivy 0.74's (`trivy image --help`).
 */
export const AIR_GAPPED_FLAGS = ["--skip-db-update", "--skip-java-db-update", "--skip-check-update", "--skip-version-check", "--disable-telemetry"] as const;

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
 * `airGapped`: the databases are the ones in Trivy's cache (--trivy-db), nothing is fetched (AIR_GAPPED_FLAGS).
 */
export function trivyScanCommand(mirror: string | undefined, files: ScanFiles = SCAN_FILES, airGapped = false): string[] {
  return [
    "trivy",
    "image",
    "--input",
    files.image,
    "--format",
    "json",
    "--list-all-pkgs",
    "--output",
    files.report,
    "--scanners",
    "vuln,secret,misconfig",
    "--quiet",
    "--db-repository",
    mirrorImage(TRIVY_ARTEFACTS.db, mirror),
    "--java-db-repository",
    mirrorImage(TRIVY_ARTEFACTS.javaDb, mirror),
    "--checks-bundle-repository",
    mirrorImage(TRIVY_ARTEFACTS.checks, mirror),
    ...(airGapped ? AIR_GAPPED_FLAGS : []),
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

/** Trivy's databases handed over by the user (--trivy-db), checked by trivyDatabase: the folders mounted into Trivy's cache. */
export interface TrivyDatabase {
  /** db/: trivy.db and metadata.json (schema 2). */
  db: Directory;
  /** java-db/: trivy-java.db and metadata.json (schema 1); without it an image with JAR files fails to scan. */
  javaDb?: Directory;
}

/**
 * What an air-gapped scan mounts over Trivy's cache, each read-only, as [path, folder]: the given
 * db/, the given java-db/ or an empty one, and an empty policy/. The empty ones hide what an online
 * run left in the cache volume (a Java DB, a downloaded checks bundle), so that the scan depends on
 * the given databases and Trivy's built-in checks only, and never on the volume's history.
 * Read-only is enough: Trivy opens trivy.db read-only, and with the skip flags writes none of them.
 * Generic over the folder, so that the integration test mounts them the same way for a real Trivy.
 */
export function trivyCacheMounts<D>(database: { db: D; javaDb?: D }, empty: D, cache = TRIVY_CACHE): [string, D][] {
  return [
    [`${cache}/db`, database.db],
    [`${cache}/java-db`, database.javaDb ?? empty],
    [`${cache}/policy`, empty],
  ];
}

/** How to produce the directory --trivy-db takes, for its errors. */
const TRIVY_DB_HOW =
  "pass Trivy's cache directory as `trivy image --download-db-only --cache-dir <dir>` leaves it (db/trivy.db, db/metadata.json), plus java-db/ from `trivy image --download-java-db-only --cache-dir <dir>` when images hold JAR files";

/**
 * Checks a --trivy-db directory before anything runs: db/trivy.db and db/metadata.json of the
 * schema Trivy 0.74 reads (2), and, when there is a java-db/, its trivy-java.db and metadata.json
 * (schema 1). Fails naming the argument, what is missing and how to produce it.
 */
export async function trivyDatabase(dir: Directory, argument = "--trivy-db"): Promise<TrivyDatabase> {
  const fail = (what: string) => new InputError(`${argument}: ${what}; ${TRIVY_DB_HOW}`);
  const schema = async (folder: string, file: string, version: number): Promise<void> => {
    const [hasDb, hasMeta] = await Promise.all([dir.exists(`${folder}/${file}`), dir.exists(`${folder}/metadata.json`)]);
    const missing = [...(hasDb ? [] : [`${folder}/${file}`]), ...(hasMeta ? [] : [`${folder}/metadata.json`])];
    if (missing.length > 0) {
      const top = folder === "db" ? await dir.entries() : [];
      // The db/ folder itself, or a bare trivy.db: the most likely mix-up.
      const hint = top.includes("trivy.db")
        ? ", but trivy.db at its top level: pass the folder that holds db/, not db/ itself"
        : top.length > 0
          ? ` (its top level holds ${top.join(", ")})`
          : folder === "db"
            ? " (it is empty)"
            : "";
      throw fail(`the directory has no ${missing.join(" and ")}${hint}`);
    }
    let found: unknown;
    try {
      found = (JSON.parse(await dir.file(`${folder}/metadata.json`).contents()) as { Version?: unknown }).Version;
    } catch (e) {
      throw fail(`${folder}/metadata.json is not JSON (${(e as Error).message})`);
    }
    if (found !== version) throw fail(`${folder}/metadata.json says schema Version ${JSON.stringify(found)}; Trivy ${TRIVY_IMAGE.split(":")[1]} reads ${folder} schema ${version}`);
  };
  await schema("db", "trivy.db", 2);
  const hasJava = await dir.exists("java-db");
  if (hasJava) await schema("java-db", "trivy-java.db", 1);
  return { db: dir.directory("db"), ...(hasJava ? { javaDb: dir.directory("java-db") } : {}) };
}

/**
 * Scan one image with Trivy; a scanner failure leaves no report, which the gate refuses (fail closed).
 * With `database` (--trivy-db), Trivy reads those databases and fetches nothing (trivyScanCommand's airGapped).
 */
export async function scanImage(config: PipelineConfig, image: Container, database?: TrivyDatabase): Promise<ScanResult> {
  const mirror = config.mirror?.images;
  const trivy = dag
    .container()
    .from(mirrorImage(TRIVY_IMAGE, mirror))
    .withMountedFile(SCAN_FILES.image, image.asTarball())
    // The databases are kept between runs; Trivy refreshes them itself when they are older than a day.
    .withMountedCache(TRIVY_CACHE, dag.cacheVolume("pipeline-trivy-cache"));
  // The user's databases over the cache volume's; their content is in the exec's cache key (a new database, a new scan).
  const scanner = database ? trivyCacheMounts(database, dag.directory()).reduce((c, [path, folder]) => c.withMountedDirectory(path, folder, { readOnly: true }), trivy) : trivy;
  const scanned = scanner
    // An exec is cached by its inputs: without the day, an unchanged image would get an earlier day's report.
    .withEnvVariable("PIPELINE_SCAN_DAY", new Date().toISOString().slice(0, 10))
    .withExec(imageIdCommand())
    .withExec(trivyScanCommand(mirror, SCAN_FILES, database !== undefined), { expect: ReturnType.Any });
  // A failed scan leaves no report, and so no SBOM either; the report is read from before the conversion.
  const converted = scanned.withExec(sbomCommand(), { expect: ReturnType.Any });
  const [report, imageId, sbom] = await Promise.all([
    scanned
      .file(SCAN_FILES.report)
      .contents()
      .catch(() => ""),
    scanned.file(SCAN_FILES.imageId).contents(),
    converted
      .file(SCAN_FILES.sbom)
      .contents()
      .catch(() => ""),
  ]);
  return { report, imageId: imageId.trim(), sbom };
}
