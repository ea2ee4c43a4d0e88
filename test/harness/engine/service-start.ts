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
import { stageChain } from "./dockerfile-stages.js";

/** The image config's HEALTHCHECK (times in ms, 0 = unset), as Docker stores it. */
export interface Healthcheck {
  test: string[];
  intervalMs?: number;
  startIntervalMs?: number;
  startPeriodMs?: number;
  retries?: number;
  /** Kept in the config; core/healthcheck.go runs the probe without it. */
  timeoutMs?: number;
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

/**
 * A Go duration as Docker and the engine parse it (time.ParseDuration: "10s", "1m30s", "500ms"), in
 * ms; undefined when it is not one.
 */
export function goDurationMs(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (text === "0") return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]], 0);
}

/** The arguments of `Container.withDockerHealthcheck` (the SDK's names). */
export interface WithDockerHealthcheckArgs {
  args: string[];
  shell?: boolean;
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  startInterval?: string;
  retries?: number;
}

/**
 * The HEALTHCHECK `Container.withDockerHealthcheck` puts in the image config, read in
 * core/schema/container.go `(*containerSchema).withHealthcheck`: Test is ["CMD-SHELL", arg] with
 * shell (exactly one argument), else ["CMD", ...args]; each duration is time.ParseDuration'd; the
 * whole config is replaced (`cfg.Healthcheck = &healthcheck`), nothing is kept from an earlier one.
 */
export function withDockerHealthcheck(a: WithDockerHealthcheckArgs): Healthcheck {
  if (a.shell && a.args.length !== 1) throw new Error("WithHealthcheck args must be a single element when shell mode is set");
  if (!a.shell && a.args.length === 0) throw new Error("WithHealthcheck args is missing");
  const ms = (v: string | undefined) => {
    if (v === undefined) return undefined;
    const d = goDurationMs(v);
    if (d === undefined) throw new Error(`time: invalid duration "${v}"`);
    return d;
  };
  const hc: Healthcheck = { test: a.shell ? ["CMD-SHELL", ...a.args] : ["CMD", ...a.args] };
  const [intervalMs, startIntervalMs, startPeriodMs, timeoutMs] = [ms(a.interval), ms(a.startInterval), ms(a.startPeriod), ms(a.timeout)];
  return {
    ...hc,
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(startIntervalMs !== undefined ? { startIntervalMs } : {}),
    ...(startPeriodMs !== undefined ? { startPeriodMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(a.retries !== undefined ? { retries: a.retries } : {}),
  };
}

/** The image config a Dockerfile's target stage ends with, as far as service start needs it. */
export interface DockerfileConfig {
  /** The HEALTHCHECK; `undefined` for none; `{ inherited }` when it comes from a base image the Dockerfile names (not known here). */
  healthcheck: Healthcheck | undefined | { inherited: string };
  /** EXPOSEd ports (numeric ones; a port from an ARG is left out). */
  ports: number[];
}

/**
 * The HEALTHCHECK and EXPOSE of the stage dockerBuild returns (the target, else the last stage),
 * read in internal/buildkit/frontend/dockerfile/instructions/parse.go `parseHealthcheck` (NONE →
 * Test ["NONE"]; `CMD [json]` → ["CMD", …]; `CMD text` → ["CMD-SHELL", text]; --interval,
 * --timeout, --start-period, --start-interval, --retries) and dockerfile2llb/convert.go
 * `dispatchHealthcheck` (it sets the stage's image config; a stage FROM another stage starts with
 * that stage's config). util/llbtodagger/metadata.go carries the config's healthcheck and exposed
 * ports (as withExposedPort) into the container dockerBuild returns.
 */
export function dockerfileConfig(dockerfile: string, target?: string): DockerfileConfig {
  interface Stage {
    name?: string;
    from: string;
    healthcheck?: Healthcheck;
    ports: number[];
  }
  const stages: Stage[] = [];
  for (const raw of dockerfile.replace(/\\\r?\n/g, " ").split(/\r?\n/)) {
    const line = raw.trim();
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      stages.push({ from: from[1], ...(from[2] ? { name: from[2].toLowerCase() } : {}), ports: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    const expose = /^EXPOSE\s+(.+)$/i.exec(line);
    if (expose) for (const p of expose[1].split(/\s+/)) if (/^\d+(\/tcp)?$/i.test(p)) stage.ports.push(Number.parseInt(p, 10));
    const hc = /^HEALTHCHECK\s+(.*)$/i.exec(line);
    if (!hc) continue;
    let rest = hc[1].trim();
    if (/^NONE$/i.test(rest)) {
      stage.healthcheck = { test: ["NONE"] };
      continue;
    }
    const flags: Record<string, string> = {};
    for (let m = /^--([a-z-]+)=(\S*)\s*/.exec(rest); m; m = /^--([a-z-]+)=(\S*)\s*/.exec(rest)) {
      flags[m[1]] = m[2];
      rest = rest.slice(m[0].length);
    }
    const cmd = /^CMD\s+(.*)$/i.exec(rest);
    if (!cmd) continue;
    let test: string[];
    try {
      const json = JSON.parse(cmd[1]) as unknown;
      test = Array.isArray(json) && json.every((x) => typeof x === "string") ? ["CMD", ...json] : ["CMD-SHELL", cmd[1]];
    } catch {
      test = ["CMD-SHELL", cmd[1]];
    }
    const ms = (k: string) => (flags[k] !== undefined ? goDurationMs(flags[k]) : undefined);
    const [intervalMs, timeoutMs, startPeriodMs, startIntervalMs] = [ms("interval"), ms("timeout"), ms("start-period"), ms("start-interval")];
    stage.healthcheck = {
      test,
      ...(intervalMs !== undefined ? { intervalMs } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(startPeriodMs !== undefined ? { startPeriodMs } : {}),
      ...(startIntervalMs !== undefined ? { startIntervalMs } : {}),
      ...(flags.retries !== undefined ? { retries: Number.parseInt(flags.retries, 10) } : {}),
    };
  }
  const chain = stageChain(stages, target);
  const withHealthcheck = [...chain].reverse().find((s) => s.healthcheck);
  const ports = [...new Set(chain.flatMap((s) => s.ports))].sort((a, b) => a - b);
  if (withHealthcheck) return { healthcheck: withHealthcheck.healthcheck, ports };
  return { healthcheck: chain.length > 0 ? { inherited: chain[0].from } : undefined, ports };
}
