/**
 * The scan stage's commands (.dagger/src/stages/scan.ts) as plain argv: everything Trivy fetches
 * goes through the mirror when there is one, and the SBOM is converted from the report the scan
 * writes. A real Trivy runs these very commands in test/scan/trivy.integration.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AIR_GAPPED_FLAGS, imageIdCommand, SCAN_FILES, sbomCommand, trivyScanCommand } from "../../.dagger/src/stages/scan.js";

const MIRROR = "nexus.example:8443/docker-group";
const option = (argv: string[], name: string) => {
  const i = argv.indexOf(name);
  assert.ok(i > 0, `${name} in ${argv.join(" ")}`);
  return argv[i + 1];
};

describe("the scan stage's commands", () => {
  it("every OCI artefact Trivy fetches (both databases and the checks bundle) comes through the mirror", () => {
    const argv = trivyScanCommand(MIRROR);
    for (const name of ["--db-repository", "--java-db-repository", "--checks-bundle-repository"]) assert.ok(option(argv, name)?.startsWith(`${MIRROR}/`), `${name} ${option(argv, name)}`);
    assert.equal(
      argv.filter((a) => a.includes("ghcr.io") || a.includes("gcr.io")).every((a) => a.startsWith(`${MIRROR}/`)),
      true,
    );
  });

  it("without a mirror, Trivy's own repositories", () => {
    const argv = trivyScanCommand(undefined);
    assert.equal(option(argv, "--db-repository"), "ghcr.io/aquasecurity/trivy-db:2");
    assert.equal(option(argv, "--checks-bundle-repository"), "mirror.gcr.io/aquasec/trivy-checks:2");
  });

  it("the report lists every package, and the SBOM is converted from that report", () => {
    const argv = trivyScanCommand(undefined);
    assert.deepEqual(argv.slice(0, 2), ["trivy", "image"]);
    assert.equal(option(argv, "--input"), SCAN_FILES.image);
    assert.equal(option(argv, "--format"), "json");
    assert.equal(option(argv, "--output"), SCAN_FILES.report);
    assert.ok(argv.includes("--list-all-pkgs"));
    const sbom = sbomCommand();
    assert.deepEqual(sbom.slice(0, 2), ["trivy", "convert"]);
    assert.equal(option(sbom, "--format"), "cyclonedx");
    assert.equal(option(sbom, "--output"), SCAN_FILES.sbom);
    assert.equal(sbom.at(-1), SCAN_FILES.report);
  });

  it("air-gapped (--trivy-db): the same scan with the flags that fetch no database, no checks bundle, no version check", () => {
    const online = trivyScanCommand(MIRROR);
    const airGapped = trivyScanCommand(MIRROR, SCAN_FILES, true);
    assert.deepEqual(airGapped, [...online, "--skip-db-update", "--skip-java-db-update", "--skip-check-update", "--skip-version-check", "--disable-telemetry"]);
    assert.deepEqual(airGapped.slice(online.length), [...AIR_GAPPED_FLAGS]);
  });

  it("the paths are the caller's: a test runs the same commands on files of its own", () => {
    const files = { image: "/t/i.tar", imageId: "/t/id", report: "/t/r.json", sbom: "/t/s.json" };
    assert.match(imageIdCommand(files)[2] ?? "", /^tar -xOf \/t\/i\.tar manifest\.json \| sed .* > \/t\/id$/);
    assert.equal(option(trivyScanCommand(undefined, files), "--input"), "/t/i.tar");
    assert.equal(sbomCommand(files).at(-1), "/t/r.json");
  });
});
