/**
 * The stops in front of a promotion that are not about the release: a freeze (a window in
 * pipeline.yaml or a flag set by `freeze --env`) and the hold an automatic rollback leaves.
 * A freeze stops every promotion but a rollback (restoring service is never frozen); an emergency
 * passes it, recorded. A hold stops automatic promotion (push, tag) until a person promotes by hand.
 */
import type { Environment } from "../config/schema.js";
import type { GateVerdict } from "./gate.js";
import type { EnvironmentState } from "./state.js";

/** How the promotion was started. */
export interface PromotionStart {
  /** Started by a push or a tag (ci, release), not by a person. */
  automatic: boolean;
  rollback: boolean;
  emergency?: string;
  /** The moment judged (the call's clock). */
  now: Date;
}

/** The freeze in force at `now`, if any: a configured window or the environment's freeze flag. */
export function activeFreeze(env: Environment, state: EnvironmentState, now: Date): string | undefined {
  const window = env.freeze.find((w) => Date.parse(w.from) <= now.getTime() && now.getTime() < Date.parse(w.to));
  if (window) return `frozen until ${window.to}: ${window.reason}`;
  if (state.freeze) return `frozen since ${state.freeze.since} (freeze --env): ${state.freeze.reason}`;
  return undefined;
}

/** The freeze and hold verdicts of a promotion (both pass when nothing stops it). */
export function stopVerdicts(env: Environment, state: EnvironmentState, start: PromotionStart): GateVerdict[] {
  const verdict = (gate: GateVerdict["gate"], passed: boolean, summary: string, waivedByEmergency = false): GateVerdict => ({ gate, passed, waivedByEmergency, summary, details: [] });
  const frozen = activeFreeze(env, state, start.now);
  const freeze = !frozen
    ? verdict("freeze", true, "no freeze in force")
    : start.rollback
      ? verdict("freeze", true, `${frozen}; a rollback restores a release the environment ran, and passes`)
      : start.emergency
        ? verdict("freeze", true, `${frozen}; waived by emergency: ${start.emergency}`, true)
        : verdict("freeze", false, `${frozen}: no promotion until it ends (or is lifted with freeze --env … --lift); an emergency passes (--emergency --reason "…")`);
  const hold = !state.hold
    ? verdict("hold", true, "no hold")
    : start.automatic
      ? verdict("hold", false, `held since ${state.hold.since} (${state.hold.reason}): automatic promotion waits until someone promotes by hand (promote --env)`)
      : verdict("hold", true, start.rollback ? `held since ${state.hold.since}; the hold stays after this rollback` : `held since ${state.hold.since}; this promotion by hand releases the hold`);
  return [freeze, hold];
}
