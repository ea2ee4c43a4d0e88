/**
 * Trivy's severities and which of them block a promotion. A blocking list is read as a floor:
 * listing HIGH also blocks CRITICAL, because a list that let CRITICAL through while blocking
 * HIGH is never what anyone means. UNKNOWN (not rated) sits outside that order and blocks only
 * when listed: an unrated finding may be anything, so some teams want it to block, but listing it
 * must not make LOW block too.
 */
import { GateInputError } from "./errors.js";

/** Trivy's severities, least to most severe (UNKNOWN first, as Trivy orders them). */
export const SEVERITIES = ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;

/** One of Trivy's severities. */
export type Severity = (typeof SEVERITIES)[number];

/** How many findings a report holds at each severity. */
export type SeverityCounts = Record<Severity, number>;

/** What blocks when nothing is configured (R-GATE-3: nothing with critical vulnerabilities is deployed). */
export const DEFAULT_BLOCKING: readonly Severity[] = ["CRITICAL"];

const RATED: readonly Severity[] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

/** Validate a configured list of blocking severities (any case) and widen it to its floor and everything above. */
export function blockingSeverities(configured: readonly string[] = DEFAULT_BLOCKING): Severity[] {
  const unknown = configured.filter((s) => !(SEVERITIES as readonly string[]).includes(s.toUpperCase()));
  if (unknown.length > 0)
    throw new GateInputError(`blocking severities: ${unknown.map((s) => JSON.stringify(s)).join(", ")} ${unknown.length === 1 ? "is" : "are"} not Trivy severities; valid: ${SEVERITIES.join(", ")}`);
  // An empty list would turn the gate off; an emergency is the only way past it (R-GATE-3).
  if (configured.length === 0)
    throw new GateInputError(
      `blocking severities: the list is empty, which would let every finding through; give at least one of ${SEVERITIES.join(", ")} (default CRITICAL), or declare an emergency`,
    );
  const listed = new Set(configured.map((s) => s.toUpperCase() as Severity));
  const floor = RATED.findIndex((s) => listed.has(s));
  return SEVERITIES.filter((s) => (s === "UNKNOWN" ? listed.has(s) : floor >= 0 && RATED.indexOf(s) >= floor));
}

/** Zero findings at every severity. */
export const noFindings = (): SeverityCounts => ({ UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 });

/** Counts as text, most severe first, leaving out zeros: "2 CRITICAL, 4 MEDIUM" ("none" when empty). */
export function describeCounts(counts: SeverityCounts): string {
  const parts = [...SEVERITIES]
    .reverse()
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(", ") : "none";
}
