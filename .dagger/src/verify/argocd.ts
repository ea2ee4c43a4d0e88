/**
 * Waiting on an Argo CD application (issue 17, item 2): after the GitOps write, Argo CD must have
 * synced the application to our commit and found it healthy before the version endpoints mean
 * anything. Read through Argo CD's REST API, GET /api/v1/applications/{name} (ApplicationService
 * Get in argoproj/argo-cd assets/swagger.json), with an API token as a bearer token.
 *
 * The fields read are those of v1alpha1.ApplicationStatus (argoproj/argo-cd
 * pkg/apis/application/v1alpha1/types.go): status.sync.status ("Synced", "OutOfSync", "Unknown"),
 * status.sync.revision (the commit compared; status.sync.revisions for a multi-source
 * application), status.health.status ("Healthy", "Progressing", "Degraded", "Suspended",
 * "Missing", "Unknown", gitops-engine pkg/health/health.go) and status.health.message.
 * Argo CD answers 403 "permission denied" both for an application the token may not read and
 * for one that does not exist, so as not to reveal which (server/application/application.go).
 */
import { InputError, quoted } from "../errors.js";
import { maskCredentials } from "../vendor/credentials.js";
import { excerpt, formatSeconds, liveDeps, networkError, requestBudget, type VerifyDeps } from "./poll.js";

/** Which application to wait on, and for what. */
export interface ArgoCdWait {
  /** Argo CD's API server (environments.<name>.verify.argocd.server), e.g. https://argocd.example.com. */
  server: string;
  /** The application's name (environments.<name>.verify.argocd.application). */
  application: string;
  /** An Argo CD API token allowed to get the application (the --argocd-token secret's plaintext). */
  token: string;
  /** The GitOps commit the application must be synced to; absent: any revision, as long as it is Synced. */
  revision?: string;
  timeoutSeconds: number;
  intervalSeconds: number;
}

/** What Argo CD said last, and whether that is the release deployed. */
export interface ArgoCdResult {
  passed: boolean;
  /** One line: the application, the verdict, how long it took and, on failure, why. */
  summary: string;
  /** One line per poll that changed what Argo CD reported, oldest first. */
  details: string[];
  /** status.sync.status of the last answer. */
  sync?: string;
  /** status.sync.revision of the last answer. */
  revision?: string;
  /** status.health.status of the last answer. */
  health?: string;
}

/** The parts of an Application the wait reads (v1alpha1.Application, JSON as the API serves it). */
interface ApplicationJson {
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string; message?: string };
    operationState?: { phase?: string; message?: string };
  };
}

/** One poll's reading: done (passed or failed for good), or keep waiting; line says what Argo CD reported. */
interface Reading {
  line: string;
  final?: "passed" | "failed";
  sync?: string;
  revision?: string;
  health?: string;
}

/**
 * Poll the application until it is Synced to the revision and Healthy, or the deadline passes.
 * 401, 403 and 404 fail at once (waiting does not fix a token); other failures are retried. The
 * first request asks Argo CD to refresh (`?refresh=normal`), so it compares with Git now rather
 * than at its next poll of the repository.
 */
export async function waitForArgoCd(opts: ArgoCdWait, deps: VerifyDeps = liveDeps): Promise<ArgoCdResult> {
  const base = checkWait(opts);
  const url = `${base}/api/v1/applications/${encodeURIComponent(opts.application)}`;
  const started = deps.now();
  const deadline = started + opts.timeoutSeconds * 1000;
  const details: string[] = [];
  let last: Reading | undefined;
  let polls = 0;
  for (;;) {
    const budget = requestBudget(deadline, deps.now());
    const reading = await read(polls === 0 ? `${url}?refresh=normal` : url, opts, budget, deps);
    polls++;
    if (reading.line !== last?.line) details.push(`${formatSeconds(deps.now() - started)}: ${reading.line}`);
    last = reading;
    if (reading.final || deps.now() + opts.intervalSeconds * 1000 >= deadline) break;
    await deps.sleep(opts.intervalSeconds * 1000);
  }
  const took = `after ${formatSeconds(deps.now() - started)} (${polls} ${polls === 1 ? "poll" : "polls"})`;
  const passed = last.final === "passed";
  const why = last.final === "failed" ? "" : ` at the deadline of ${opts.timeoutSeconds} s`;
  return {
    passed,
    summary: `Argo CD application ${opts.application}: ${passed ? "synced and healthy" : `not synced and healthy${why}`} ${took}: ${last.line}`,
    details,
    ...(last.sync !== undefined ? { sync: last.sync } : {}),
    ...(last.revision !== undefined ? { revision: last.revision } : {}),
    ...(last.health !== undefined ? { health: last.health } : {}),
  };
}

/** The server's base URL without a trailing slash; bad input is refused naming the field. */
function checkWait(opts: ArgoCdWait): string {
  const at = "verify.argocd";
  let server: URL | undefined;
  try {
    server = new URL(opts.server);
  } catch {
    server = undefined;
  }
  if (!server || (server.protocol !== "http:" && server.protocol !== "https:") || server.search !== "" || server.hash !== "")
    throw new InputError(`${at}.server: ${quoted(maskCredentials(String(opts.server)))} must be Argo CD's http:// or https:// URL without query, e.g. https://argocd.example.com`);
  if (server.username !== "" || server.password !== "") throw new InputError(`${at}.server: ${quoted(maskCredentials(opts.server))} carries credentials; give the API token as --argocd-token instead`);
  if (typeof opts.application !== "string" || !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(opts.application))
    throw new InputError(`${at}.application: ${quoted(String(opts.application))} must be an Argo CD application name (lowercase letters, digits, '-' and '.')`);
  if (typeof opts.token !== "string" || opts.token.trim() === "" || /[\r\n]/.test(opts.token))
    throw new InputError("argocd-token: must be an Argo CD API token (argocd account generate-token), one line, not empty");
  if (opts.revision !== undefined && !/^[0-9a-f]{7,64}$/i.test(opts.revision)) throw new InputError(`revision: ${quoted(opts.revision)} must be the GitOps commit's hash`);
  for (const [field, value] of [
    ["timeout", opts.timeoutSeconds],
    ["interval", opts.intervalSeconds],
  ] as const)
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 86_400)
      throw new InputError(`${at}: ${field} ${quoted(String(value))} must be a number of seconds from 1 to 86400`);
  return server.href.replace(/\/+$/, "");
}

/** One GET of the application, judged; never throws. */
async function read(url: string, opts: ArgoCdWait, budget: number, deps: VerifyDeps): Promise<Reading> {
  let status: number;
  let body: string;
  try {
    // No redirects: the bearer token goes to the configured server and nowhere else.
    const res = await deps.fetch(url, { headers: { accept: "application/json", authorization: `Bearer ${opts.token}` }, signal: AbortSignal.timeout(budget), redirect: "error" });
    status = res.status;
    body = await res.text();
  } catch (e) {
    if ((e as Error & { cause?: Error })?.cause?.message === "unexpected redirect")
      return {
        final: "failed",
        line: "Argo CD answered with a redirect, which is not followed (the token would go with it); set verify.argocd.server to the address the API answers on, e.g. https:// instead of http://",
      };
    return { line: hide(networkError(e, budget), opts.token) };
  }
  if (status === 401) return { final: "failed", line: `HTTP 401: Argo CD refused the token; give an API token of an account that may get applications (argocd account generate-token)` };
  if (status === 403)
    return {
      final: "failed",
      line: `HTTP 403 permission denied: the token's account may not get application ${opts.application}, or there is no such application (Argo CD does not say which); check verify.argocd.application and the account's RBAC`,
    };
  if (status === 404) return { final: "failed", line: `HTTP 404: Argo CD has no application ${opts.application}; check verify.argocd.application` };
  if (status !== 200) return { line: hide(`HTTP ${status}, not 200: ${excerpt(body)}`, opts.token) };
  let app: ApplicationJson;
  try {
    app = JSON.parse(body) as ApplicationJson;
  } catch {
    return { line: hide(`HTTP 200 but the body is not JSON: ${excerpt(body)}`, opts.token) };
  }
  return judge(app?.status, opts.revision);
}

/** Whether an application's status is the release deployed: Synced to the revision, and Healthy. */
function judge(status: ApplicationJson["status"], expected: string | undefined): Reading {
  const sync = status?.sync?.status;
  const revisions = [status?.sync?.revision, ...(status?.sync?.revisions ?? [])].filter((r): r is string => typeof r === "string" && r !== "");
  const revision = revisions[0];
  const health = status?.health?.status;
  const message = status?.health?.message ? ` (${status.health.message})` : "";
  const onRevision = expected === undefined || revisions.some((r) => sameCommit(r, expected));
  const operation =
    status?.operationState?.phase && status.operationState.phase !== "Succeeded"
      ? `, last sync ${status.operationState.phase}${status.operationState.message ? `: ${status.operationState.message}` : ""}`
      : "";
  const line = maskCredentials(
    `sync ${sync ?? "(none)"} to ${revision ?? "(no revision)"}${expected !== undefined && !onRevision ? ` (waiting for ${expected})` : ""}, health ${health ?? "(none)"}${health === "Healthy" ? "" : message}${operation}`,
  );
  const passed = sync === "Synced" && onRevision && health === "Healthy";
  return { line, ...(passed ? { final: "passed" as const } : {}), ...(sync ? { sync } : {}), ...(revision ? { revision } : {}), ...(health ? { health } : {}) };
}

/** A full hash and its abbreviation name the same commit. */
function sameCommit(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x.startsWith(y) || y.startsWith(x);
}

/** A line without the token (a server may echo the Authorization header) and without URL credentials. */
function hide(line: string, token: string): string {
  return maskCredentials(line.split(token).join("***"));
}
