/**
 * What publish signs and attests for one pushed image (issue 15, part 4): the signature, and the
 * SBOM, vulnerability report, test-result and SLSA provenance attestations built from what this
 * run knows of that digest.
 * `publish` on its own (no checks, no scan) attaches the provenance only: promotion then refuses
 * the image for the missing SBOM and test result, as it should for an untested image.
 */
import type { Secret } from "@dagger.io/dagger";
import { ATTESTATIONS, type AttestedBuild, provenancePredicate, testResultPredicate, vulnPredicate } from "../release/attestations.js";
import { TRIVY_IMAGE } from "./scan.js";
import type { PublishEvidence } from "../run/ports.js";
import type { BuildStamp } from "../toolchains/toolchain.js";
import type { StageContext } from "./context.js";
import { baseImagesOf } from "./inputs.js";
import { registryHost } from "./publish.js";
import { type Attestation, byDigest, signImage, type SigningSecrets } from "./sign.js";

/** The run's side of signing: its secrets and the registry login cosign pushes with. */
export interface SigningRun {
  secrets: SigningSecrets;
  stamp: BuildStamp;
  runUrl: string;
  registryToken?: Secret;
}

/** Sign one published image and attach its attestations; nothing when pipeline.yaml has no signing section. */
export async function signPublished(ctx: StageContext, run: SigningRun, component: string, ref: string, reused: boolean, evidence?: PublishEvidence): Promise<void> {
  const config = ctx.config;
  if (!config.signing) return;
  const build: AttestedBuild = {
    pipeline: config.name,
    component,
    revision: run.stamp.revision,
    source: run.stamp.sourceUrl,
    runUrl: run.runUrl,
    started: run.stamp.created,
    baseImages: await baseImagesOf(ctx, component),
    tests: evidence?.tests ?? [],
    reused,
  };
  const attestations: Attestation[] = [
    ...(evidence?.sbom ? [{ kind: ATTESTATIONS.sbom, predicate: JSON.parse(evidence.sbom) as Record<string, unknown> }] : []),
    ...(evidence?.report
      ? [
          {
            kind: ATTESTATIONS.vulnerabilities,
            predicate: vulnPredicate({ report: evidence.report, scannedAt: evidence.scannedAt || new Date().toISOString(), db: "pkg:oci/trivy-db" }, TRIVY_IMAGE.split(":")[1]),
          },
        ]
      : []),
    ...(evidence ? [{ kind: ATTESTATIONS.testResult, predicate: testResultPredicate(build) }] : []),
    { kind: ATTESTATIONS.provenance, predicate: provenancePredicate(build) },
  ];
  const { address, username, plainHttp } = config.registry;
  const login = run.registryToken && username ? { host: registryHost(address), username, token: run.registryToken } : undefined;
  await signImage(config, { image: byDigest(ref), plainHttp: plainHttp ?? false }, attestations, run.secrets, login);
}
