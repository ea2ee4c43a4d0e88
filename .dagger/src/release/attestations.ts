/**
 * The in-toto attestations publish attaches to each image digest (issue 15, part 4), as cosign's
 * predicates: the CycloneDX SBOM of the scan, a test result of what ran against that digest, and
 * SLSA v1 provenance. cosign wraps each predicate in an in-toto statement whose subject is the
 * digest it signs (cosign pkg/cosign/attestation/attestation.go GenerateStatement), so a predicate
 * here names no digest itself; the verifier checks the statement's subject.
 */

/** One attestation kind: the predicate type in the statement, and cosign's `--type` for it. */
export interface AttestationKind {
  predicateType: string;
  cosignType: string;
}

/** The attestations every published image carries, by kind (cosign's short names where it has one; a URI is attached as it is). */
export const ATTESTATIONS = {
  sbom: { predicateType: "https://cyclonedx.org/bom", cosignType: "cyclonedx" },
  /** The Trivy JSON report judged for the digest, in cosign's vuln predicate: promotions without --rescan judge this one. */
  vulnerabilities: { predicateType: "https://cosign.sigstore.dev/attestation/vuln/v1", cosignType: "vuln" },
  testResult: { predicateType: "https://in-toto.io/attestation/test-result/v0.1", cosignType: "https://in-toto.io/attestation/test-result/v0.1" },
  provenance: { predicateType: "https://slsa.dev/provenance/v1", cosignType: "slsaprovenance1" },
} as const satisfies Record<string, AttestationKind>;

/** OpenVEX statements attached to a digest (by the team, with the same key): read at promotion as waivers. */
export const VEX_ATTESTATION: AttestationKind = { predicateType: "https://openvex.dev/ns", cosignType: "openvex" };

/** The build type of our provenance: the `ci` function of this pipeline (see the README's security section). */
export const BUILD_TYPE = "urn:pipeline-as-code:buildtype:dagger-ci:v1";

/** What a run knows about one published component, for its attestations. */
export interface AttestedBuild {
  pipeline: string;
  component: string;
  /** The git SHA the image was built from. */
  revision: string;
  /** The application repository's URL ("" when the call was not given one). */
  source: string;
  /** The CI run's link ("" when not known). */
  runUrl: string;
  /** When the run started (ISO 8601), or "". */
  started: string;
  /** Base images the build used, each pinned name:tag@sha256:…. */
  baseImages: string[];
  /** Each check that ran against this digest (component/check, e2e, scan, integration), with its verdict. */
  tests: { name: string; passed: boolean }[];
  /** Whether the image was reused from an earlier run of the same inputs (then that run built it). */
  reused: boolean;
}

/** The source as an in-toto resource descriptor: the git commit. */
function sourceDescriptor(b: AttestedBuild): { uri: string; digest: { gitCommit: string } } {
  return { uri: b.source ? `git+${b.source}@${b.revision}` : `git+unknown@${b.revision}`, digest: { gitCommit: b.revision } };
}

/** in-toto test-result v0.1: PASSED only when every test passed; the checks, E2E and scans by name. */
export function testResultPredicate(b: AttestedBuild): Record<string, unknown> {
  const failed = b.tests.filter((t) => !t.passed).map((t) => t.name);
  return {
    result: failed.length === 0 && b.tests.length > 0 ? "PASSED" : "FAILED",
    configuration: [sourceDescriptor(b)],
    ...(b.runUrl ? { url: b.runUrl } : {}),
    passedTests: b.tests.filter((t) => t.passed).map((t) => t.name),
    failedTests: failed,
  };
}

/** A base image reference (name:tag@sha256:hex) as a resource descriptor with its digest. */
function imageDescriptor(ref: string): { uri: string; digest: { sha256: string } } {
  const at = ref.lastIndexOf("@sha256:");
  if (at < 0) throw new Error(`provenance: base image ${ref} is not pinned by digest`);
  return { uri: `oci://${ref.slice(0, at)}`, digest: { sha256: ref.slice(at + "@sha256:".length) } };
}

/**
 * SLSA v1 provenance: built by this pipeline's `ci` at the revision (the pipeline is the
 * repository's own Dagger module, so its commit is the builder's version), from the git commit
 * and the base images by digest.
 */
export function provenancePredicate(b: AttestedBuild): Record<string, unknown> {
  return {
    buildDefinition: {
      buildType: BUILD_TYPE,
      externalParameters: { pipeline: b.pipeline, component: b.component, source: sourceDescriptor(b).uri, revision: b.revision },
      internalParameters: { reused: b.reused },
      resolvedDependencies: [sourceDescriptor(b), ...b.baseImages.map(imageDescriptor)],
    },
    runDetails: {
      builder: { id: b.source ? `${b.source}/.dagger@${b.revision}` : `pipeline:${b.pipeline}@${b.revision}` },
      metadata: { ...(b.runUrl ? { invocationId: b.runUrl } : {}), ...(b.started ? { startedOn: b.started } : {}) },
    },
  };
}

/** The scan a vuln attestation carries: Trivy's JSON report, and when it was read. */
export interface AttestedScan {
  report: string;
  scannedAt: string;
  /** The databases' repository the scan used. */
  db: string;
}

/** cosign's vuln predicate (pkg/cosign/attestation CosignVulnPredicate) holding Trivy's JSON report as its result. */
export function vulnPredicate(scan: AttestedScan, trivyVersion: string): Record<string, unknown> {
  return {
    invocation: { parameters: null, uri: "", event_id: "", "builder.id": "" },
    scanner: { uri: `pkg:github/aquasecurity/trivy@v${trivyVersion}`, version: trivyVersion, db: { uri: scan.db, version: "2" }, result: JSON.parse(scan.report) as unknown },
    metadata: { scanStartedOn: scan.scannedAt, scanFinishedOn: scan.scannedAt },
  };
}

/** The Trivy report of a vuln predicate, as JSON text; undefined when the predicate holds none. */
export function reportOfVulnPredicate(predicate: unknown): string | undefined {
  const result = (predicate as { scanner?: { result?: unknown } } | null)?.scanner?.result;
  return result === undefined || result === null ? undefined : JSON.stringify(result);
}
