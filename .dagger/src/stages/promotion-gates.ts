/**
 * A promotion's gates, evaluated against the target's real state: upstream (the environment it
 * follows ran it), compatibility (the gates module; nothing overrides it), vulnerabilities (the
 * gates module, on the reports chosen below) and, with signing, signatures (cosign's answers,
 * judged by the gates module). Which reports the vulnerability gate judges:
 * - given (ci's own scans of this run, or --scans);
 * - with signing, the report attested at publish for the very digest (signed, so it is the report
 *   that was judged when the release was made), unless --rescan;
 * - otherwise (or with --rescan) a Trivy scan of the published digests in this call, on today's databases.
 * A rollback goes back to digests the environment already ran: their scans were judged then.
 */
import { dag, type Directory } from "@dagger.io/dagger";
import type { PipelineConfig } from "../config/schema.js";
import { flywayModule } from "../mirror/flyway.js";
import { ATTESTATIONS, reportOfVulnPredicate } from "../release/attestations.js";
import type { GateVerdict } from "../release/gate.js";
import type { ReleaseRecord } from "../release/record.js";
import type { EnvironmentState } from "../release/state.js";
import { upstreamVerdict } from "../release/upstream.js";
import type { GitopsView, PromotionRequest } from "./promote.js";
import { attestedPredicates, type ImageVerification, REQUIRED_ATTESTATIONS } from "./sign.js";

/** A gate result as the gates module returns it (read through its fields). */
type GateResult = ReturnType<ReturnType<typeof dag.gates>["compatibility"]>;

/** Every gate's verdict, in order. */
export async function promotionGates(
  config: PipelineConfig,
  req: PromotionRequest,
  release: ReleaseRecord,
  components: string[],
  target: EnvironmentState,
  upstream: EnvironmentState | undefined,
  view: GitopsView,
): Promise<GateVerdict[]> {
  const up = upstreamVerdict(config, req.environment, release, components, upstream, { ...(req.emergency ? { emergency: req.emergency } : {}), ...(req.rollback ? { rollback: true } : {}) });
  const compatibility = compatibilityGate(config, req.environment, target, release, components, await liveSchemaVersion(config, req));
  // The gates are cached by their arguments, so reading four fields costs one execution; still read them side by side.
  const verdict = async (r: GateResult, gate: GateVerdict["gate"]): Promise<GateVerdict> => {
    const [passed, waivedByEmergency, summary, details] = await Promise.all([r.passed(), r.waivedByEmergency(), r.summary(), r.details()]);
    return { gate, passed, waivedByEmergency, summary, details };
  };
  const answers = await verifications(config, req, release, components);
  const vuln: GateVerdict = req.rollback
    ? { gate: "vulnerabilities", passed: true, waivedByEmergency: false, summary: "rollback to digests this environment already ran", details: [] }
    : await vulnerabilityVerdict(config, req, release, components, view, answers, verdict);
  const signed = answers ? await verdict(signatureGate(req, release, components, answers), "signatures") : undefined;
  return [up, await verdict(compatibility, "compatibility"), vuln, ...(signed ? [signed] : [])];
}

/** The compatibility gate (the gates module) for moving `components` of `release` into the environment as it is, the live schema counting when known. */
export function compatibilityGate(config: PipelineConfig, environment: string, target: EnvironmentState, release: ReleaseRecord, components: string[], live: string | undefined): GateResult {
  const deployed = Object.fromEntries(Object.entries(target.components).map(([n, c]) => [n, { version: c.version, requires: c.requires }]));
  const moving = Object.fromEntries(components.map((n) => [n, { version: release.components[n].version, requires: release.components[n].requires }]));
  const database = databaseComponent(config);
  return dag.gates().compatibility(environment, JSON.stringify(deployed), JSON.stringify(moving), live !== undefined && database ? { liveComponent: database, liveVersion: live } : {});
}

/** The live database's schema version: read with Flyway from --database-url, else what verification saw the backend report, else unknown. */
export async function liveSchemaVersion(config: PipelineConfig, req: Pick<PromotionRequest, "databaseUrl" | "liveSchema">): Promise<string | undefined> {
  const database = databaseComponent(config);
  if (!database) return undefined;
  if (req.databaseUrl) return flywayModule(config, config.components[database]).schemaVersion(req.databaseUrl);
  return req.liveSchema;
}

const databaseComponent = (config: PipelineConfig) => Object.keys(config.components).find((n) => config.components[n].kind === "database");

/** cosign's answers for each promoted digest (pipeline.yaml signing), or undefined without signing. */
async function verifications(config: PipelineConfig, req: PromotionRequest, release: ReleaseRecord, components: string[]): Promise<Record<string, ImageVerification> | undefined> {
  if (!config.signing) return undefined;
  if (!req.verify) throw new Error("promote: pipeline.yaml has signing, but this call cannot verify signatures");
  const verify = req.verify;
  return Object.fromEntries(await Promise.all(components.map(async (c) => [c, await verify(release.components[c].image)] as const)));
}

/** The signature gate over cosign's answers: signed by the pipeline, with every attestation, for exactly these digests. */
function signatureGate(req: PromotionRequest, release: ReleaseRecord, components: string[], answers: Record<string, ImageVerification>): GateResult {
  const files = Object.entries(answers).reduce((d, [c, a]) => d.withNewFile(`${c}.json`, JSON.stringify({ signature: a.signature, attestations: a.attestations })), dag.directory());
  return dag.gates().signatures(
    components.map((c) => `${c}=${release.components[c].image}`),
    files,
    { required: REQUIRED_ATTESTATIONS.map((k) => k.predicateType), emergencyReason: req.emergency ?? "" },
  );
}

/** The reports the vulnerability gate judges, with the images' config digests, and where they came from. */
interface Reports {
  folder: Directory;
  imageIds: Record<string, string>;
  from: string;
}

async function reportsFor(req: PromotionRequest, release: ReleaseRecord, components: string[], answers: Record<string, ImageVerification> | undefined): Promise<Reports> {
  if (req.scans) return { folder: req.scans, imageIds: req.imageIds ?? {}, from: "this run's scans, or the reports given with --scans" };
  if (answers && !req.rescan) {
    // Signed with the digest as its subject: the report's own ImageID is the image's, by the signature.
    const reports = Object.fromEntries(
      components.map((c) => [
        c,
        attestedPredicates(answers[c].attestations[ATTESTATIONS.vulnerabilities.predicateType], release.components[c].digest)
          .map(reportOfVulnPredicate)
          .find((r) => r !== undefined) ?? "",
      ]),
    );
    return {
      folder: Object.entries(reports)
        .filter(([, r]) => r !== "")
        .reduce((d, [c, r]) => d.withNewFile(`${c}.json`, r), dag.directory()),
      imageIds: Object.fromEntries(
        Object.entries(reports)
          .map(([c, r]) => [c, imageIdOf(r)])
          .filter(([, id]) => id !== ""),
      ),
      from: "the reports attested at publish for these digests (--rescan scans them again with today's databases)",
    };
  }
  if (req.scan) {
    const scan = req.scan;
    const results = await Promise.all(components.map(async (c) => [c, await scan(c, release.components[c].image)] as const));
    return {
      folder: results.reduce((d, [c, r]) => d.withNewFile(`${c}.json`, r.report), dag.directory()),
      imageIds: Object.fromEntries(results.map(([c, r]) => [c, r.imageId])),
      from: "a Trivy scan of the published digests in this call, on today's databases",
    };
  }
  return { folder: dag.directory(), imageIds: {}, from: "none" };
}

/**
 * The OpenVEX documents attached to each promoted digest as attestations signed like the images
 * (cosign verified the signature and the gate's caller the subject), as <component>/vex-<n>.json;
 * undefined when there are none. The gate decides which statements apply to which finding.
 */
function vexFolder(release: ReleaseRecord, components: string[], answers: Record<string, ImageVerification>): Directory | undefined {
  const files = components.flatMap((c) => attestedPredicates(answers[c].vex, release.components[c].digest).map((doc, i) => [`${c}/vex-${i + 1}.json`, JSON.stringify(doc)] as const));
  return files.length > 0 ? files.reduce((d, [path, text]) => d.withNewFile(path, text), dag.directory()) : undefined;
}

/** The image config digest a Trivy report names ("" when it names none). */
function imageIdOf(report: string): string {
  try {
    const id = (JSON.parse(report) as { Metadata?: { ImageID?: unknown } }).Metadata?.ImageID;
    return typeof id === "string" ? id : "";
  } catch {
    return "";
  }
}

async function vulnerabilityVerdict(
  config: PipelineConfig,
  req: PromotionRequest,
  release: ReleaseRecord,
  components: string[],
  view: GitopsView,
  answers: Record<string, ImageVerification> | undefined,
  verdict: (r: GateResult, gate: GateVerdict["gate"]) => Promise<GateVerdict>,
): Promise<GateVerdict> {
  const settings = config.gates.vulnerabilities;
  const reports = await reportsFor(req, release, components, answers);
  const vex = answers ? vexFolder(release, components, answers) : undefined;
  // Today is passed, never defaulted inside the gate: a verdict cached by its arguments must not outlive the day it was judged on.
  const result = dag.gates().vulnerabilities(
    components.map((c) => `${c}=${release.components[c].image}`),
    reports.folder,
    {
      waivers: (await view.read(settings.waivers)) ?? "",
      waiversFile: settings.waivers,
      severities: settings.severities,
      today: req.today ?? new Date().toISOString().slice(0, 10),
      emergencyReason: req.emergency ?? "",
      imageIds: Object.entries(reports.imageIds)
        .filter(([c, id]) => components.includes(c) && id)
        .map(([c, id]) => `${c}=${id}`),
      ...(vex ? { vex } : {}),
    },
  );
  const v = await verdict(result, "vulnerabilities");
  return { ...v, details: [`reports: ${reports.from}`, ...v.details] };
}
