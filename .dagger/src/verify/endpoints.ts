/**
 * The first half of verification (issue 17, item 2): every component's health endpoint answers
 * 200 with JSON whose `version` is the release's, polled until a deadline. The backend's
 * `database.schemaVersion` is kept as the live schema, which a rollback needs to pick a release
 * the database still satisfies. A verification never throws for what the network or a server
 * does: that is a failed verification with a line that says why. Only bad input is refused.
 */
import { InputError, quoted } from "../errors.js";
import { maskCredentials } from "../vendor/credentials.js";
import { excerpt, formatSeconds, liveDeps, networkError, requestBudget, type VerifyDeps } from "./poll.js";

/** What to verify: each component's endpoint and the version it must report. */
export interface VerifyTarget {
  /** The environment's name, for messages and the input paths of refusals. */
  environment: string;
  /** Component → its health endpoint (environments.<name>.verify.endpoints). */
  endpoints: Record<string, string>;
  /** Component → the release's version of it; every component with an endpoint needs one. */
  expected: Record<string, string>;
  timeoutSeconds: number;
  intervalSeconds: number;
}

/** The last answer of one component's endpoint. */
export interface EndpointAnswer {
  /** The endpoint, credentials masked. */
  url: string;
  /** The HTTP status; absent when no answer came. */
  status?: number;
  /** The version the endpoint reported, when its JSON had one. */
  version?: string;
  /** `database.schemaVersion` of the answer, when it had one. */
  schemaVersion?: string;
  /** Why this answer does not verify the release; absent when it does. */
  error?: string;
  /** Whether the endpoint reported the release. */
  ok: boolean;
}

/** The verdict of verifyEndpoints. */
export interface VerifyResult {
  passed: boolean;
  /** One line: the environment, the verdict, how long it took and, on failure, why. */
  summary: string;
  /** One line per component: url, status, version seen against expected, error. */
  details: string[];
  /** The schema version the database reports through a component (the backend), when one did. */
  liveSchema?: string;
  /** Component → its last answer. */
  answers: Record<string, EndpointAnswer>;
}

/**
 * Poll every endpoint until each has answered 200 with the expected version, or the deadline
 * passes. An endpoint that answered right is not asked again: it served the release. Each
 * request has its own time limit (poll.ts), so a hanging endpoint cannot hold past the deadline.
 */
export async function verifyEndpoints(target: VerifyTarget, deps: VerifyDeps = liveDeps): Promise<VerifyResult> {
  const components = checkTarget(target);
  const intervalMs = target.intervalSeconds * 1000;
  const started = deps.now();
  const deadline = started + target.timeoutSeconds * 1000;
  const answers: Record<string, EndpointAnswer> = {};
  let pending = components;
  let polls = 0;
  for (;;) {
    polls++;
    const budget = requestBudget(deadline, deps.now());
    const round = await Promise.all(pending.map((c) => ask(target.endpoints[c], target.expected[c], budget, deps)));
    pending.forEach((c, i) => {
      answers[c] = round[i];
    });
    pending = pending.filter((c) => !answers[c].ok);
    // Another poll only when one fits before the deadline: the last one gets a whole interval.
    if (pending.length === 0 || deps.now() + intervalMs >= deadline) break;
    await deps.sleep(intervalMs);
  }
  return verdict(target, components, answers, polls, deps.now() - started);
}

/** The components to verify, in a stable order; bad input is refused naming its path. */
function checkTarget(target: VerifyTarget): string[] {
  if (typeof target.environment !== "string" || target.environment === "") throw new InputError(`verify: environment ${quoted(String(target.environment))} must be an environment's name`);
  const at = `environments.${target.environment}.verify`;
  const components = Object.keys(target.endpoints ?? {}).sort();
  if (components.length === 0) throw new InputError(`${at}.endpoints: names no endpoint; give each component's health endpoint, e.g. backend: https://shop.example.com/api/health`);
  for (const c of components) {
    const url = target.endpoints[c];
    if (!isHttpUrl(url)) throw new InputError(`${at}.endpoints.${c}: ${quoted(maskCredentials(String(url)))} is not an http:// or https:// URL`);
    const version = target.expected?.[c];
    if (typeof version !== "string" || version.trim() === "")
      throw new InputError(
        `${at}.endpoints.${c}: the release has no version of component "${c}" to expect (it has ${Object.keys(target.expected ?? {}).join(", ") || "none"}); verify the release that names it`,
      );
  }
  for (const [field, value, max] of [
    ["timeout", target.timeoutSeconds, 86_400],
    ["interval", target.intervalSeconds, 86_400],
  ] as const)
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max)
      throw new InputError(`${at}.${field}: ${quoted(String(value))} must be a number of seconds from 1 to ${max}`);
  return components;
}

function isHttpUrl(url: unknown): url is string {
  if (typeof url !== "string") return false;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * The request for an endpoint: fetch refuses a URL with `user:password@`, so those travel as
 * basic authentication, the way curl and browsers send them.
 */
function requestOf(url: string): { href: string; headers: Record<string, string> } {
  const u = new URL(url);
  const headers: Record<string, string> = { accept: "application/json" };
  if (u.username === "" && u.password === "") return { href: u.href, headers };
  headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64")}`;
  u.username = "";
  u.password = "";
  return { href: u.href, headers };
}

/** One request to one endpoint; every outcome is an answer, never an exception. */
async function ask(url: string, expected: string, budget: number, deps: VerifyDeps): Promise<EndpointAnswer> {
  const shown = maskCredentials(url);
  const { href, headers } = requestOf(url);
  // One signal for the headers and the body: a server that sends headers and then stalls is cut off too.
  const signal = AbortSignal.timeout(budget);
  let status: number;
  let body: string;
  try {
    const res = await deps.fetch(href, { headers, signal, redirect: "follow" });
    status = res.status;
    body = await res.text();
  } catch (e) {
    return { url: shown, ok: false, error: maskCredentials(networkError(e, budget)) };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const fields = typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const version = typeof fields?.version === "string" && fields.version !== "" ? fields.version : undefined;
  const database = fields?.database as Record<string, unknown> | undefined;
  const schemaVersion = typeof database?.schemaVersion === "string" && database.schemaVersion !== "" ? database.schemaVersion : undefined;
  const answer: EndpointAnswer = { url: shown, status, ok: false, ...(version ? { version } : {}), ...(schemaVersion ? { schemaVersion } : {}) };
  const error =
    status !== 200
      ? `HTTP ${status}, not 200${serverSays(fields, body)}`
      : json === undefined
        ? `the body is not JSON: ${excerpt(body)}`
        : !fields
          ? `the JSON is not an object: ${excerpt(body)}`
          : !version
            ? `the JSON has no "version" (a non-empty string): ${excerpt(body)}`
            : version !== expected
              ? `reports version ${version}, not the release's ${expected}`
              : undefined;
  return error === undefined ? { ...answer, ok: true } : { ...answer, error: maskCredentials(error) };
}

/** What a failing server said: its JSON message or error, else the start of its body. */
function serverSays(fields: Record<string, unknown> | undefined, body: string): string {
  const said = [fields?.error, fields?.message].filter((v): v is string => typeof v === "string" && v !== "");
  if (said.length > 0) return `: ${excerpt(said.join(": "))}`;
  return body.trim() === "" ? "" : `: ${excerpt(body)}`;
}

/** The result: the summary, one line per component and the live schema. */
function verdict(target: VerifyTarget, components: string[], answers: Record<string, EndpointAnswer>, polls: number, elapsedMs: number): VerifyResult {
  const details = components.map((c) => detailLine(c, target.expected[c], answers[c]));
  const schemas = components.filter((c) => answers[c].schemaVersion !== undefined).map((c) => [c, answers[c].schemaVersion as string] as const);
  const liveSchema = schemas[0]?.[1];
  if (new Set(schemas.map(([, s]) => s)).size > 1)
    details.push(
      `the components report different schema versions (${schemas.map(([c, s]) => `${c} ${s}`).join(", ")}): do they use different databases? the live schema is taken from ${schemas[0][0]}`,
    );
  const failed = components.filter((c) => !answers[c].ok);
  const took = `after ${formatSeconds(elapsedMs)} (${polls} ${polls === 1 ? "poll" : "polls"})`;
  const summary =
    failed.length === 0
      ? `verify ${target.environment}: every component reports the release ${took}: ${components.map((c) => `${c} ${answers[c].version}${answers[c].schemaVersion ? ` (schema ${answers[c].schemaVersion})` : ""}`).join(", ")}`
      : `verify ${target.environment}: failed at the deadline of ${target.timeoutSeconds} s, ${took}: ${failed.map((c) => `${c} ${answers[c].error}`).join("; ")}`;
  return { passed: failed.length === 0, summary, details, ...(liveSchema !== undefined ? { liveSchema } : {}), answers };
}

function detailLine(component: string, expected: string, a: EndpointAnswer): string {
  if (a.status === undefined) return `${component} ${a.url}: ${a.error}; expected version ${expected}`;
  const schema = a.schemaVersion ? `, schema ${a.schemaVersion}` : "";
  return `${component} ${a.url}: HTTP ${a.status}, version ${a.version ?? "(none)"} (expected ${expected})${schema}: ${a.error ?? "ok"}`;
}
