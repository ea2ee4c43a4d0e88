/**
 * What an environment runs, as the GitOps repository records it next to the environment's
 * files (<environment path>/.pipeline/state.json): per component the release, version, image and
 * requirements, and the promotions so far, newest first (what rollback goes back to).
 */
import { SHA256_DIGEST_PATTERN } from "../vendor/image-reference.js";
import { z } from "../vendor/zod.js";
import { InputError } from "../errors.js";
import type { ReleaseRecord } from "./record.js";

/** One component as deployed. */
const DeployedComponent = z.strictObject({
  release: z.string().regex(/^[0-9a-f]{40}$/),
  version: z.string(),
  image: z.string(),
  digest: z.string().regex(SHA256_DIGEST_PATTERN),
  requires: z.record(z.string(), z.string()).default({}),
});

/** One promotion into the environment. */
const PromotionEntry = z.strictObject({
  release: z.string().regex(/^[0-9a-f]{40}$/),
  components: z.array(z.string()).min(1),
  at: z.string(),
  emergency: z.string().optional(),
  rollback: z.boolean().optional(),
  /** For a rollback: the release it went away from (a later rollback never goes back to it). */
  from: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  /** For a rollback: started by a failed verification, not by a person. */
  automatic: z.boolean().optional(),
  /** Why: the failed verification's summary, or the hold a manual promotion released. */
  reason: z.string().optional(),
});

/** A stop on automatic promotion: set by an automatic rollback or by `freeze --env`, lifted by a manual promotion or `freeze --lift`. */
const Stop = z.strictObject({
  since: z.string(),
  reason: z.string().min(1),
});

/** The state file of one environment. */
export const EnvironmentState = z.strictObject({
  kind: z.literal("pipeline-as-code/environment/v1"),
  environment: z.string(),
  components: z.record(z.string(), DeployedComponent).default({}),
  history: z.array(PromotionEntry).default([]),
  /** Set by an automatic rollback: automatic promotion waits until someone promotes by hand (as Kargo does). */
  hold: Stop.optional(),
  /** Set by `freeze --env`: automatic promotion stops until `freeze --env … --lift`. */
  freeze: Stop.optional(),
});

/** A validated environment state. */
export type EnvironmentState = z.output<typeof EnvironmentState>;
/** One component as an environment runs it. */
export type DeployedComponent = z.output<typeof DeployedComponent>;

/** Where an environment's state lives in the GitOps repository. */
export const statePath = (environmentPath: string) => `${environmentPath.replace(/\/+$/, "")}/.pipeline/state.json`;

/** An environment nothing was promoted to yet. */
export const emptyState = (environment: string): EnvironmentState => ({ kind: "pipeline-as-code/environment/v1", environment, components: {}, history: [] });

/** Parse an environment's state file; a missing file is an empty environment, a malformed one an error naming it. */
export function parseEnvironmentState(text: string | undefined, file: string, environment: string): EnvironmentState {
  if (text === undefined) return emptyState(environment);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: is not JSON (${(e as Error).message})`);
  }
  const parsed = EnvironmentState.safeParse(json);
  if (!parsed.success) throw new InputError(`${file}: not an environment state:\n${parsed.error.issues.map((i) => `  ${i.path.join(".") || "(document)"}: ${i.message}`).join("\n")}`);
  if (parsed.data.environment !== environment) throw new InputError(`${file}: records environment ${parsed.data.environment}, expected ${environment}`);
  return parsed.data;
}

/** The state after promoting `components` of a release (all of them by default). */
export function promoted(
  state: EnvironmentState,
  release: ReleaseRecord,
  components: string[],
  at: string,
  extra: { emergency?: string; rollback?: boolean; from?: string; automatic?: boolean; reason?: string } = {},
): EnvironmentState {
  const next = { ...state.components };
  for (const name of components) {
    const c = release.components[name];
    next[name] = { release: release.revision, version: c.version, image: c.image, digest: c.digest, requires: c.requires };
  }
  const { hold, ...rest } = state;
  // An automatic rollback holds automatic promotion; a rollback keeps the hold; a forward promotion
  // (which, while held, only a person can start) releases it.
  const after = extra.automatic ? { hold: { since: at, reason: extra.reason ?? "automatic rollback" } } : extra.rollback && hold ? { hold } : {};
  return { ...rest, ...after, components: next, history: [{ release: release.revision, components, at, ...extra }, ...state.history] };
}

/** Whether the environment already runs exactly these components of the release (same digests). */
export function alreadyDeployed(state: EnvironmentState, release: ReleaseRecord, components: string[]): boolean {
  return components.every((name) => state.components[name]?.digest === release.components[name].digest);
}

/** Whether a release ever reached the environment (the upstream rule reads this). */
export const reached = (state: EnvironmentState, revision: string): boolean =>
  state.history.some((h) => h.release === revision && !h.rollback) || Object.values(state.components).some((c) => c.release === revision);

/** The rendered state file. */
export const renderEnvironmentState = (state: EnvironmentState): string => `${JSON.stringify(EnvironmentState.parse(state), null, 2)}\n`;
