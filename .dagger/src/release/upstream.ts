/**
 * The upstream rule: a release reaches an environment only after the one it follows
 * (`after:` in pipeline.yaml) ran it, or runs its very images: a commit that changed no component
 * (docs only) is a new release of the same digests, and those digests have been through it.
 * An emergency waives the rule and says so; a rollback goes back to a release the environment
 * already ran, so the rule does not apply to it.
 */
import type { PipelineConfig } from "../config/schema.js";
import type { GateVerdict } from "./gate.js";
import type { ReleaseRecord } from "./record.js";
import { alreadyDeployed, type EnvironmentState, reached } from "./state.js";

/** The upstream gate's verdict for promoting `components` of `release` to `environment`. */
export function upstreamVerdict(
  config: PipelineConfig,
  environment: string,
  release: ReleaseRecord,
  components: string[],
  upstream: EnvironmentState | undefined,
  options: { emergency?: string; rollback?: boolean },
): GateVerdict {
  const after = config.environments[environment]?.after;
  const revision = release.revision;
  const short = revision.slice(0, 12);
  if (options.rollback) return { gate: "upstream", passed: true, waivedByEmergency: false, summary: "rollback to a release this environment already ran", details: [] };
  if (!after) return { gate: "upstream", passed: true, waivedByEmergency: false, summary: `${environment} follows no other environment`, details: [] };
  if (upstream && reached(upstream, revision)) return { gate: "upstream", passed: true, waivedByEmergency: false, summary: `release ${short} reached ${after} first`, details: [] };
  if (upstream && components.length > 0 && alreadyDeployed(upstream, release, components)) {
    const as = [...new Set(components.map((c) => upstream.components[c].release.slice(0, 12)))].join(", ");
    return { gate: "upstream", passed: true, waivedByEmergency: false, summary: `${after} runs release ${short}'s digests (${components.join(", ")}, as release ${as})`, details: [] };
  }
  const why = `release ${short} has not been through ${after}, which ${environment} follows`;
  if (options.emergency) return { gate: "upstream", passed: true, waivedByEmergency: true, summary: `${why}; waived by emergency: ${options.emergency}`, details: [] };
  return { gate: "upstream", passed: false, waivedByEmergency: false, summary: `${why}: promote it to ${after} first, or declare an emergency (--emergency --reason "…")`, details: [] };
}
