/**
 * Gates: what decides whether a release may enter an environment. Compatibility (every
 * component's `requires` holds for the state after promotion; nothing overrides it) and
 * vulnerabilities (Trivy JSON reports per image, blocking severities, waivers with expiry, fail
 * closed; OpenVEX statements attached to an image's digest waive its vulnerabilities; a declared
 * emergency passes it and is recorded) and signatures (cosign's answers for each digest: signed by
 * the pipeline, with its attestations). Usable on its own:
 * `dagger -m modules/gates call vulnerabilities --images backend=reg/backend:sha@sha256:… --reports ./scans verify`.
 */
import { type Directory, func, object } from "@dagger.io/dagger";
import { compatibilityGate, type VersionedComponent } from "./compatibility.js";
import { utcDate } from "./dates.js";
import { GateInputError } from "./errors.js";
import { renderVulnerabilityVerdict } from "./markdown.js";
import { GateResult } from "./result.js";
import { type ImageVerification, signatureGate } from "./signatures.js";
import { vulnerabilityGate } from "./vulnerabilities.js";
import { checkVexLayout, parseVexFiles } from "./vex-files.js";
import { parseWaivers } from "./waivers.js";

/** The promotion gates. */
@object()
export class Gates {
  /**
   * The vulnerability gate over each image's Trivy JSON report. A missing, unreadable or foreign report blocks.
   * @param images The images judged, as component=registry/name:tag@sha256:digest.
   * @param reports A folder with one Trivy JSON report per component, named <component>.json.
   * @param waivers The waivers file's YAML (per CVE or misconfiguration ID and image digest, with reason, approver, expires at most a year after today; secrets are never waived); empty: none.
   * @param waiversFile Where the waivers came from, for messages.
   * @param severities Severities that block (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL).
   * @param today The date waivers are judged on (YYYY-MM-DD); default: today (UTC).
   * @param emergencyReason A declared emergency: the gate passes and records every finding it let through.
   * @param imageIds The images' config digests, as component=sha256:…: they tie a report without RepoDigests (a scan of the image's tarball) to the image.
   * @param vex Signature-verified OpenVEX v0.2.0 documents (attestation predicates), one per file as <component>/<name>.json; not_affected or fixed for the image's digest waives a vulnerability.
   */
  // Cached per session, not by arguments alone: without --today the verdict is judged on the day of the call.
  @func({ cache: "session" })
  async vulnerabilities(
    images: string[],
    reports: Directory,
    waivers = "",
    waiversFile = "waivers.yaml",
    severities: string[] = ["CRITICAL"],
    today = "",
    emergencyReason = "",
    imageIds: string[] = [],
    vex?: Directory,
  ): Promise<GateResult> {
    const configs = Object.fromEntries(imageIds.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
    const names = await reports.entries();
    const scanned = await Promise.all(
      parseImages(images).map(async ({ component, image }) => {
        const file = `${component}.json`;
        const report = names.includes(file) ? await reports.file(file).contents() : undefined;
        return { component, image, report, reportFile: file, ...(configs[component] ? { imageId: configs[component] } : {}) };
      }),
    );
    const day = today || utcDate(new Date());
    const documents = vex ? parseVexFiles(await readVexFolder(vex)) : [];
    const verdict = vulnerabilityGate({
      images: scanned,
      blocking: severities,
      waivers: parseWaivers(waivers === "" ? undefined : waivers, waiversFile, day),
      vex: documents,
      today: day,
      ...(emergencyReason.trim() ? { emergency: { reason: emergencyReason.trim() } } : {}),
    });
    return new GateResult("vulnerabilities", verdict.passed, verdict.waivedByEmergency, verdict.summary, verdict.details, renderVulnerabilityVerdict(verdict), JSON.stringify(verdict));
  }

  /**
   * The signature gate over what cosign answered for each image: a signature by the pipeline's key
   * or identity for exactly that digest, and each required attestation made for that digest (a
   * test result must be PASSED). A failed check, an unreadable answer or a missing attestation blocks.
   * @param images The images judged, as component=registry/name:tag@sha256:digest.
   * @param verifications A folder with one <component>.json per image: {"signature": {exitCode, stdout, stderr}, "attestations": {"<predicate type>": {exitCode, stdout, stderr}}}, the answers of cosign verify and cosign verify-attestation --type.
   * @param required Predicate types every image must carry.
   * @param emergencyReason A declared emergency: the gate passes and records what it let through.
   */
  @func()
  async signatures(images: string[], verifications: Directory, required: string[] = [], emergencyReason = ""): Promise<GateResult> {
    const names = await verifications.entries();
    const judged = await Promise.all(
      parseImages(images).map(async ({ component, image }) => {
        const file = `${component}.json`;
        const text = names.includes(file) ? await verifications.file(file).contents() : undefined;
        return { component, image, verification: parseVerification(text, file) };
      }),
    );
    const verdict = signatureGate({ images: judged, required, ...(emergencyReason.trim() ? { emergency: { reason: emergencyReason.trim() } } : {}) });
    const markdown = `### Signatures: ${verdict.waivedByEmergency ? "⚠️ waived (emergency)" : verdict.passed ? "✅ passed" : "❌ refused"}\n\n${verdict.summary}\n${verdict.details.map((d) => `\n- ${d}`).join("")}\n`;
    return new GateResult("signatures", verdict.passed, verdict.waivedByEmergency, verdict.summary, verdict.details, markdown, JSON.stringify(verdict));
  }

  /**
   * The compatibility gate: every `requires` must hold for the environment after the promotion,
   * untouched components included. No parameter overrides it.
   * @param environment The target environment, for messages.
   * @param deployed What the environment runs now, as JSON: {"db": {"version": "1.1.0", "requires": {}}, …}.
   * @param promoted The components promoted, as JSON in the same shape, with the release's versions and requires.
   * @param liveComponent The database component whose live schema version is given.
   * @param liveVersion The schema version the live database reports ("" with liveComponent: an empty schema).
   */
  @func()
  async compatibility(environment: string, deployed: string, promoted: string, liveComponent = "", liveVersion = ""): Promise<GateResult> {
    const verdict = compatibilityGate({
      environment,
      deployed: parseComponents(deployed, "deployed"),
      promoted: parseComponents(promoted, "promoted"),
      ...(liveComponent ? { liveDatabase: { component: liveComponent, version: liveVersion || null } } : {}),
    });
    const markdown = `### Compatibility: ${verdict.passed ? "✅ passed" : "❌ refused"}\n\n${verdict.summary}\n${verdict.details.map((d) => `\n- ${d}`).join("")}\n`;
    return new GateResult("compatibility", verdict.passed, false, verdict.summary, verdict.details, markdown, JSON.stringify(verdict));
  }
}

/** Every file of the vex folder with its text, after refusing a layout other than <component>/<name>.json. */
async function readVexFolder(dir: Directory): Promise<{ path: string; text: string }[]> {
  const top = await dir.entries();
  const paths = (await Promise.all(top.map(async (e) => (e.endsWith("/") ? (await dir.directory(e).entries()).map((n) => `${e}${n}`) : [e])))).flat();
  checkVexLayout(paths);
  const files = paths.filter((p) => !p.endsWith("/"));
  return Promise.all(files.map(async (path) => ({ path, text: await dir.file(path).contents() })));
}

/** component=image arguments; anything else is refused naming it. */
function parseImages(images: string[]): { component: string; image: string }[] {
  return images.map((arg) => {
    const m = /^([a-z][a-z0-9-]*)=(\S+)$/.exec(arg);
    if (!m) throw new GateInputError(`images: "${arg}" is not component=registry/name:tag@sha256:<digest>`);
    return { component: m[1], image: m[2] };
  });
}

/** A components JSON argument: an object of {version, requires?}. */
function parseComponents(json: string, argument: string): Record<string, VersionedComponent> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new GateInputError(`${argument}: is not JSON (${(e as Error).message}); expected {"backend": {"version": "1.2.0", "requires": {"db": ">=1.1.0"}}}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new GateInputError(`${argument}: must be a JSON object of components`);
  for (const [name, c] of Object.entries(value)) {
    if (typeof c !== "object" || c === null || typeof (c as { version?: unknown }).version !== "string")
      throw new GateInputError(`${argument}.${name}: must be {"version": "<semver>", "requires"?: {…}}`);
  }
  return value as Record<string, VersionedComponent>;
}

/** One image's cosign answers; a missing file is a verification that did not happen (the gate refuses it). */
function parseVerification(text: string | undefined, file: string): ImageVerification {
  const missing = { exitCode: -1, stdout: "", stderr: `${file}: missing from the verifications` };
  if (text === undefined) return { signature: missing, attestations: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GateInputError(`verifications/${file}: is not JSON (${(e as Error).message})`);
  }
  const v = value as Partial<ImageVerification> | null;
  if (typeof v !== "object" || v === null || typeof v.signature !== "object" || typeof v.attestations !== "object")
    throw new GateInputError(`verifications/${file}: must be {"signature": {exitCode, stdout, stderr}, "attestations": {"<predicate type>": {…}}}`);
  return v as ImageVerification;
}
