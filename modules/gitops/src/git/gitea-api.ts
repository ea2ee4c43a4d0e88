/**
 * One Gitea REST API call (/api/v1/repos/{owner}/{repo}/…) with fetch: token auth, a timeout,
 * expected statuses answered without an error, and errors that never hold the token. Shared by
 * the pull request and the release clients.
 */
import { maskCredentials } from "../vendor/credentials.js";
import { hostError, redactToken } from "./pull-requests.js";

/** Where and as whom to talk to Gitea. */
export interface GiteaOptions {
  /** The server's root URL, e.g. https://gitea.example or https://example.org/gitea (the API is under /api/v1). */
  url: string;
  /** Owner (user or organisation) of the repository. */
  owner: string;
  /** Repository name. */
  repo: string;
  /** Access token with repository write scope; sent only as the Authorization header. */
  token: string;
  /** fetch implementation (tests); default the global one. */
  fetch?: typeof fetch;
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
}

/** A call of the repository's API: the parsed JSON, or no data for an expected status (404 on a look-up, 409 on create). */
export type GiteaCall = <T>(what: string, method: string, path: string, body?: unknown, expected?: number[]) => Promise<{ status: number; data?: T }>;

/** The repository's API caller. A FormData body is sent as multipart (uploads); any other body as JSON. */
export function giteaApi(options: GiteaOptions): GiteaCall {
  const { owner, repo, token } = options;
  const doFetch = options.fetch ?? fetch;
  const api = `${options.url.replace(/\/+$/, "")}/api/v1/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  return async function call<T>(what: string, method: string, path: string, body?: unknown, expected: number[] = []): Promise<{ status: number; data?: T }> {
    const form = body instanceof FormData;
    let res: Response;
    try {
      res = await doFetch(`${api}${path}`, {
        method,
        headers: { Authorization: `token ${token}`, Accept: "application/json", ...(body && !form ? { "Content-Type": "application/json" } : {}) },
        body: form ? body : body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw hostError("Gitea", `${what} in ${owner}/${repo}`, undefined, (e as Error).message, token);
    }
    // Redacted and masked before any part of it is cut out for a message: a cut token would not match.
    const text = await res.text();
    if (expected.includes(res.status)) return { status: res.status };
    const said = maskCredentials(redactToken(text, token));
    if (!res.ok) {
      let detail = said.slice(0, 300);
      try {
        detail = (JSON.parse(said) as { message?: string }).message ?? detail;
      } catch {}
      throw hostError("Gitea", `${what} in ${owner}/${repo} (${method} ${path})`, res.status, detail, token);
    }
    if (text === "") return { status: res.status };
    try {
      return { status: res.status, data: JSON.parse(text) as T };
    } catch {
      throw hostError("Gitea", `${what} in ${owner}/${repo}`, res.status, `answer is not JSON: ${said.slice(0, 100)}`, token);
    }
  };
}
