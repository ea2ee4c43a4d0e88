/**
 * The ports of a run: everything a stage runner asks of the engine, our other modules, the
 * registry and the GitOps repository. run/dagger-ports.ts builds them from `dag` (the one place);
 * tests pass real implementations where this machine has them (the gates' logic, bare git
 * repositories) and fakes where it has none (a container build). `I` is an image, `D` a reports folder.
 */
import type { CheckOutcome } from "../report/outcome.js";
import type { ReleaseRecord } from "../release/record.js";

/** A component image the build stage produced: built here, or the published image of the same inputs. */
export interface StageImage<I> {
  image: I;
  /** Where the same inputs are already published (registry/name:in-<hash>@sha256:…); the build was skipped. */
  reused?: string;
}

/** One image's scan: the Trivy JSON report, the image's config digest that ties the report to it, and the CycloneDX SBOM. */
export interface Scan {
  report: string;
  imageId: string;
  /** "" when the scan left no report. */
  sbom: string;
  /** When the run had the report (ISO 8601). */
  scannedAt?: string;
}

/** What publish attests of one image: its scan (report, SBOM) and each check that ran against it in this run. */
export interface PublishEvidence {
  sbom: string;
  /** Trivy's JSON report ("" when the scan left none). */
  report: string;
  scannedAt: string;
  tests: { name: string; passed: boolean }[];
}

/** A GitOps write's outcome as a stage reports it. */
export interface Delivered {
  landed: boolean;
  /** One or more lines for the summary. */
  text: string;
  /** Why it did not land, in a few words (a gate by name, or the write's status). */
  refused?: string;
}

/** A deploy's or a verification's answer; a verification also says which schema the backend reported. */
export interface Operated extends Delivered {
  /** The live schema version a component's health endpoint reported (for a rollback's target search). */
  liveSchema?: string;
  /** The verification could not judge the release (bad input: config, a missing token): no automatic rollback follows. */
  unjudged?: boolean;
}

/** What the stages of `ci` need. */
export interface RunPorts<I, D> {
  /** Run one stage inside a progress span named by the plan's stage (the engine's TUI shows it). */
  span<T>(stage: string, fn: () => Promise<T>): Promise<T>;
  /** One check (lint, typecheck, unit) of one component; a failure is an outcome, never an exception. */
  check(component: string, step: string): Promise<CheckOutcome>;
  /** Every component's version in this commit. */
  versions(components: string[]): Promise<Record<string, string>>;
  /** The published image with the same build inputs, if the registry has one (read only). */
  findPublished(component: string): Promise<string | undefined>;
  /** The image of a published reference (reused: nothing is built). */
  pull(ref: string): I;
  /** Build one component's image; the outcome says whether it built. */
  build(component: string): Promise<{ image: I; outcome: CheckOutcome }>;
  /** E2E of exactly these images. */
  e2e(images: Record<string, I>, versions: Record<string, string>): Promise<{ outcomes: CheckOutcome[]; reports: D }>;
  /** The Aspire integration of exactly these images. */
  integration(images: Record<string, I>, versions: Record<string, string>): Promise<{ outcome: CheckOutcome; reports: D }>;
  /** Scan one image: its Trivy JSON report (vulnerabilities, secrets, misconfigurations) and its config digest. */
  scan(component: string, image: I): Promise<Scan>;
  /** Push one image tagged with the revision (reused ones are tagged in place), signed and attested when pipeline.yaml has signing; its reference with digest. */
  publish(component: string, image: StageImage<I>, evidence: PublishEvidence): Promise<string>;
  /** Record the release in the GitOps repository, once. */
  record(release: ReleaseRecord): Promise<Delivered>;
  /**
   * Promote a release to one environment through its gates: the one this run recorded (judged on
   * this run's scans), or, without one, the release the call names (read from the GitOps
   * repository); `rollback` goes back to the release the environment ran before.
   */
  promote(environment: string, release: ReleaseRecord | undefined, scans: Record<string, Scan>, rollback: boolean): Promise<Delivered>;
  /** Deploy what the GitOps repository says the (Compose) environment runs, over SSH, until every service is healthy. */
  deploy(environment: string): Promise<Operated>;
  /** Verify the environment runs what its state says: health endpoints report the versions (after Argo CD synced), then the smoke specs. */
  verify(environment: string): Promise<Operated>;
  /** After a failed verification: roll the environment back (automatic, recorded, holding automatic promotion) through the same gates. */
  recover(environment: string, why: string, liveSchema?: string): Promise<Delivered>;
  /** Write the release page of a tag on the host (GitHub or Gitea Releases). */
  releasePage(): Promise<Delivered>;
  /** Write the branch's preview environment with the published images. */
  preview(images: Record<string, string>): Promise<Delivered>;
}
