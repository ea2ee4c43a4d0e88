/**
 * What the deploy script (deploy/compose-ssh.ts) printed, read back: its JSON-line events become
 * one outcome (every service's state, the failed step, the failing services' last log lines),
 * which the deploy stage turns into its summary or its error.
 */

/** One service as the script judged it. */
export interface ServiceState {
  service: string;
  /** ok (healthy, running without a health check, or a job done), pending, failed. */
  verdict: "ok" | "pending" | "failed";
  /** Docker's state: running, exited, created, restarting, missing… */
  state: string;
  exitCode: number;
  /** healthy, unhealthy, starting, or none (no health check). */
  health: string;
}

/** The outcome of one run of the script. */
export interface DeployOutcome {
  ok: boolean;
  /** The step the result names (inputs, connect, copy, context, pull, services, up, wait), or "exit" when the script printed no result. */
  step: string;
  message: string;
  project?: string;
  failed: string[];
  services: ServiceState[];
  /** Each failed service's last log lines. */
  logs: Record<string, string[]>;
  /** The failed step's last output lines (ssh's, docker's). */
  output: string[];
  /** Lines that were not events (a crash of the script itself). */
  other: string[];
  /** The script's exit code, when the caller appended it as an exit event. */
  exitCode?: number;
}

type Event = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === "string" ? v : "");

/** Parse the script's stdout (stderr may be interleaved: non-event lines are kept apart). */
export function parseDeployOutput(stdout: string): DeployOutcome {
  const outcome: DeployOutcome = { ok: false, step: "exit", message: "", failed: [], services: [], logs: {}, output: [], other: [] };
  let result: Event | undefined;
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    const event = asEvent(line);
    if (!event) {
      outcome.other.push(line);
      continue;
    }
    switch (event.event) {
      case "service":
        outcome.services.push({
          service: text(event.service),
          verdict: event.verdict === "ok" || event.verdict === "failed" ? event.verdict : "pending",
          state: text(event.state),
          exitCode: typeof event.exitCode === "number" ? event.exitCode : 0,
          health: text(event.health),
        });
        break;
      case "log":
        (outcome.logs[text(event.service)] ??= []).push(text(event.line));
        break;
      case "output":
        outcome.output.push(text(event.line));
        break;
      case "result":
        result = event;
        break;
      case "exit":
        if (typeof event.code === "number") outcome.exitCode = event.code;
        break;
    }
  }
  if (!result) {
    outcome.message = `the deploy script ended without a result${outcome.exitCode === undefined ? "" : ` (exit ${outcome.exitCode})`}`;
    return outcome;
  }
  outcome.ok = result.ok === true && (outcome.exitCode === undefined || outcome.exitCode === 0);
  outcome.step = text(result.step);
  outcome.message = text(result.message);
  outcome.project = text(result.project) || undefined;
  outcome.failed = Array.isArray(result.failed) ? result.failed.map(text).filter((s) => s !== "") : [];
  return outcome;
}

function asEvent(line: string): Event | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as Event).event === "string" ? (value as Event) : undefined;
  } catch {
    return undefined;
  }
}

/** A service's state in words: "healthy", "running", "done (exit 0)", "unhealthy", "exited 1"… */
function describeService(s: ServiceState): string {
  if (s.state === "running") return s.health === "none" ? "running" : s.health;
  if (s.state === "exited") return s.exitCode === 0 ? "done (exit 0)" : `exited ${s.exitCode}`;
  return s.state;
}

/** Every service's state on one line: "db healthy, db-migrate done (exit 0), backend unhealthy". */
export const serviceLine = (outcome: DeployOutcome): string => outcome.services.map((s) => `${s.service} ${describeService(s)}`).join(", ");

/** The failure as an error message: the step's message, each service's state, the failed step's output and the failing services' last log lines. */
export function failureMessage(outcome: DeployOutcome, what: string): string {
  const parts = [`${what}: failed at ${outcome.step}: ${outcome.message}`];
  if (outcome.services.length > 0) parts.push(`services: ${serviceLine(outcome)}`);
  if (outcome.output.length > 0) parts.push(`output of ${outcome.step}:\n${indent(outcome.output)}`);
  for (const [service, lines] of Object.entries(outcome.logs)) parts.push(`last log lines of ${service}:\n${indent(lines)}`);
  if (outcome.other.length > 0) parts.push(`other output:\n${indent(outcome.other.slice(-20))}`);
  return parts.join("\n");
}

const indent = (lines: string[]) => lines.map((l) => `  ${l}`).join("\n");
