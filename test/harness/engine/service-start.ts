/**
 * Engine rule (e): when a service counts as started, Dagger v0.21.9 (see source.ts for the commit).
 *
 * Read in dagger/dagger:
 * - core/service.go `(*Service).startContainer`: after the process starts, `if ctr.Config.Healthcheck
 *   != nil` it waits for `newDockerHealthcheck(...).Check`, else for `newPortHealth(..., ctr.Ports).Check`.
 * - core/healthcheck.go `newDockerHealthcheck`: a healthcheck whose Test is empty or `["NONE"]` is an
 *   error ("container does not have a healthcheck command"), so the service fails to start; Test[0]
 *   must be CMD or CMD-SHELL. `(*dockerHealthcheck).Check`: runs the probe at once, then every
 *   StartInterval (else Interval, else 5 s); failures count only after StartPeriod; it gives up after
 *   Retries failures (default 3) with the probe's error.
 * - core/healthcheck.go `(*portHealthChecker).Check`: dials each exposed port not marked
 *   ExperimentalSkipHealthcheck, with exponential backoff (100 ms initial, 10 s max interval); no
 *   ports means started at once.
 *
 * Behaviour: an image HEALTHCHECK (it comes with the image config, e.g. from a Dockerfile) replaces
 * the port check: the service is started when the healthcheck passes, and fails after its retries;
 * without one it is started when every checked exposed port accepts a connection.
 */

/** The image config's HEALTHCHECK (times in ms, 0 = unset), as Docker stores it. */
export interface Healthcheck {
  test: string[];
  intervalMs?: number;
  startIntervalMs?: number;
  startPeriodMs?: number;
  retries?: number;
}

/** A port the container exposes (withExposedPort). */
export interface ExposedPort {
  port: number;
  skipHealthcheck?: boolean;
}

/** What the engine waits for before the service counts as started. */
export type StartCondition =
  | { kind: "healthcheck"; probe: string[]; everyMs: number; retries: number; startPeriodMs: number }
  | { kind: "ports"; ports: number[] }
  | { kind: "immediately" }
  | { kind: "error"; message: string };

/** A wrong model for the mutant test: "services are always checked on their ports". */
export type ServiceStartMutant = "ports-only";

/** The start condition of a service from its container's healthcheck and exposed ports. */
export function startCondition(healthcheck: Healthcheck | undefined, ports: ExposedPort[], mutant?: ServiceStartMutant): StartCondition {
  if (healthcheck && mutant !== "ports-only") {
    const t = healthcheck.test;
    if (t.length === 0 || t[0] === "NONE") return { kind: "error", message: "failed to setup docker healthcheck: container does not have a healthcheck command" };
    let probe: string[];
    if (t[0] === "CMD" && t.length >= 2) probe = t.slice(1);
    else if (t[0] === "CMD-SHELL" && t.length === 2) probe = ["/bin/sh", "-c", t[1]];
    else return { kind: "error", message: `failed to setup docker healthcheck: malformed healthcheck command: ${JSON.stringify(t)}` };
    const everyMs = healthcheck.startIntervalMs || healthcheck.intervalMs || 5000;
    return { kind: "healthcheck", probe, everyMs, retries: healthcheck.retries || 3, startPeriodMs: healthcheck.startPeriodMs || 0 };
  }
  const checked = ports.filter((p) => !p.skipHealthcheck).map((p) => p.port);
  return checked.length === 0 ? { kind: "immediately" } : { kind: "ports", ports: checked };
}

/**
 * When a healthcheck-gated service starts: given whether each successive probe passes (a probe
 * takes no time here), the ms after process start at which it counts as started, or the failure.
 */
export function healthcheckOutcome(condition: Extract<StartCondition, { kind: "healthcheck" }>, probes: boolean[]): { startedAtMs: number } | { failedAtMs: number } {
  let t = 0;
  let failures = 0;
  for (const ok of probes) {
    if (ok) return { startedAtMs: t };
    if (t >= condition.startPeriodMs) failures++;
    if (failures === condition.retries) return { failedAtMs: t };
    t += condition.everyMs;
  }
  throw new Error("healthcheckOutcome: the probes ran out before the service started or failed");
}
