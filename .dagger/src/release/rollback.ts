/**
 * Where a rollback goes: back through the environment's history, never to a release it already
 * rolled back from (so a second rollback goes further back instead of toggling between the last
 * two), and only to a release whose `requires` the live database schema still satisfies
 * (migrations are forward-only: the schema stays where the newest release took it).
 */
import type { PipelineConfig } from "../config/schema.js";
import { InputError, quoted } from "../errors.js";
import type { ReleaseRecord } from "./record.js";
import type { EnvironmentState } from "./state.js";

/** The release the environment runs now: the newest promotion's. */
export const currentRelease = (state: EnvironmentState): string | undefined => state.history[0]?.release;

/** The releases a rollback may go back to, newest first: every release the environment ran, except the current one and any it was rolled back from. */
export function rollbackCandidates(state: EnvironmentState): string[] {
  const current = currentRelease(state);
  const left = new Set(state.history.filter((h) => h.rollback && h.from).map((h) => h.from as string));
  if (current) left.add(current);
  const seen = new Set<string>();
  const candidates: string[] = [];
  for (const h of state.history) {
    if (left.has(h.release) || seen.has(h.release)) continue;
    seen.add(h.release);
    candidates.push(h.release);
  }
  return candidates;
}

/** `rollback --to`: a full SHA or a unique prefix (7+ hex digits) of a release the environment ran, other than the current one. */
export function namedRollbackTarget(state: EnvironmentState, environment: string, to: string): string {
  if (!/^[0-9a-f]{7,40}$/.test(to)) throw new InputError(`to: ${quoted(to)} is not a release: give its git SHA (7 to 40 lowercase hex digits)`);
  const ran = [...new Set(state.history.map((h) => h.release))];
  const matches = ran.filter((r) => r.startsWith(to));
  const list = ran.map((r) => r.slice(0, 12)).join(", ") || "(none)";
  if (matches.length === 0) throw new InputError(`to: ${to} is not a release ${environment} ran (it ran ${list}); a release it never ran is promoted, not rolled back to`);
  if (matches.length > 1) throw new InputError(`to: ${to} names ${matches.length} releases ${environment} ran (${matches.map((r) => r.slice(0, 12)).join(", ")}); give more digits`);
  if (matches[0] === currentRelease(state)) throw new InputError(`to: ${environment} runs release ${matches[0].slice(0, 12)} already; nothing to roll back to`);
  return matches[0];
}

/** The components a rollback moves: every one of the release but the database (its schema stays where it is). */
export function rollbackComponents(config: PipelineConfig, release: ReleaseRecord): string[] {
  return Object.keys(release.components).filter((c) => config.components[c]?.kind !== "database");
}

/** A candidate the search passed over, and why. */
export interface SkippedRelease {
  release: string;
  why: string;
}

/** The answer of a rollback target search. */
export interface RollbackChoice {
  target?: ReleaseRecord;
  skipped: SkippedRelease[];
}

/**
 * The newest candidate that is recorded and compatible with the environment after the rollback
 * (the live schema included): `read` gives a release's record, `compatible` the compatibility
 * gate's verdict for moving its components. Candidates are tried one at a time, newest first.
 */
export async function chooseRollbackTarget(
  candidates: string[],
  read: (revision: string) => Promise<ReleaseRecord | undefined>,
  compatible: (release: ReleaseRecord) => Promise<{ passed: boolean; summary: string }>,
): Promise<RollbackChoice> {
  const skipped: SkippedRelease[] = [];
  for (const revision of candidates) {
    const record = await read(revision);
    if (!record) {
      skipped.push({ release: revision, why: "its release record is missing from the GitOps repository" });
      continue;
    }
    const verdict = await compatible(record);
    if (verdict.passed) return { target: record, skipped };
    skipped.push({ release: revision, why: verdict.summary });
  }
  return { skipped };
}

/** Why no rollback target was found, naming every release tried. */
export function noTargetMessage(environment: string, state: EnvironmentState, skipped: SkippedRelease[]): string {
  if (state.history.length === 0) return `rollback: ${environment} runs no release yet; there is nothing to roll back to`;
  if (skipped.length === 0)
    return `rollback: ${environment} has no earlier release to go back to (it ran ${[...new Set(state.history.map((h) => h.release.slice(0, 12)))].join(", ")}; releases it was rolled back from are not tried again)`;
  return `rollback: no earlier release of ${environment} suits it now; stopped, nothing was written:\n${skipped.map((s) => `  ${s.release.slice(0, 12)}: ${s.why}`).join("\n")}`;
}
