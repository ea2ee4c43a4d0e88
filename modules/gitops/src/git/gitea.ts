/**
 * Promotion pull requests on Gitea through its REST API (/api/v1) with fetch: the pull request
 * by base and head, create one, list its reviews. Token auth: `Authorization: token <token>`.
 */
import { hostError, type HostPullRequest, type HostReview, type PullRequestHost, redactToken } from "./pull-requests.js";

/** Where and as whom to talk to Gitea. */
export interface GiteaOptions {
  /** The server's root URL, e.g. https://gitea.example or https://example.org/gitea (the API is under /api/v1). */
  url: string;
  /** Owner (user or organisation) of the GitOps repository. */
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

interface GiteaPull {
  number: number;
  html_url: string;
  state: string;
  merged: boolean;
  head: { ref: string; sha: string };
  base: { ref: string };
}

interface GiteaReview {
  user: { login: string } | null;
  state: string;
  commit_id: string;
  stale: boolean;
  dismissed: boolean;
}

const toPull = (p: GiteaPull): HostPullRequest => ({
  number: p.number,
  url: p.html_url,
  state: p.state === "open" ? "open" : "closed",
  merged: p.merged,
  head: p.head.ref,
  base: p.base.ref,
  headSha: p.head.sha,
});

// Gitea marks a review "dismissed" in a flag rather than in its state.
const toReview = (r: GiteaReview): HostReview => ({
  user: r.user!.login,
  state: r.dismissed
    ? "dismissed"
    : r.state === "APPROVED"
      ? "approved"
      : r.state === "REQUEST_CHANGES"
        ? "changes-requested"
        : r.state === "COMMENT"
          ? "commented"
          : "pending",
  commit: r.commit_id,
});

/** Path segments escaped one by one: Gitea's `/pulls/{base}/*` route takes the head's slashes literally. */
const segments = (name: string) => name.split("/").map(encodeURIComponent).join("/");

/** Reviews per page; Gitea's default maximum page size is 50. */
const PAGE = 50;

/** Gitea as a pull request host for promotions. */
export function giteaPullRequests(options: GiteaOptions): PullRequestHost {
  const { owner, repo, token } = options;
  const doFetch = options.fetch ?? fetch;
  const api = `${options.url.replace(/\/+$/, "")}/api/v1/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;

  /** One API call: the parsed JSON, or undefined for an expected status (404 on a look-up, 409 on create). */
  async function call<T>(what: string, method: string, path: string, body?: unknown, expected: number[] = []): Promise<{ status: number; data?: T }> {
    let res: Response;
    try {
      res = await doFetch(`${api}${path}`, {
        method,
        headers: { Authorization: `token ${token}`, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw hostError("Gitea", `${what} in ${owner}/${repo}`, undefined, (e as Error).message, token);
    }
    // Redacted before any part of it is cut out for a message: a cut token would not match.
    const text = await res.text();
    if (expected.includes(res.status)) return { status: res.status };
    const said = redactToken(text, token);
    if (!res.ok) {
      let detail = said.slice(0, 300);
      try {
        detail = (JSON.parse(said) as { message?: string }).message ?? detail;
      } catch {}
      throw hostError("Gitea", `${what} in ${owner}/${repo} (${method} ${path})`, res.status, detail, token);
    }
    try {
      return { status: res.status, data: JSON.parse(text) as T };
    } catch {
      throw hostError("Gitea", `${what} in ${owner}/${repo}`, res.status, `answer is not JSON: ${said.slice(0, 100)}`, token);
    }
  }

  return {
    name: "Gitea",

    async find(head, base) {
      // GET /pulls/{base}/{head} finds it in any state; its {base} is one path segment.
      if (base.includes("/")) throw new Error(`Gitea: cannot look up pull requests into a base branch with '/' in its name (${base})`);
      const r = await call<GiteaPull>(`looking up the pull request from ${head}`, "GET", `/pulls/${segments(base)}/${segments(head)}`, undefined, [404]);
      return r.data ? toPull(r.data) : undefined;
    },

    async create({ head, base, title, body }) {
      // 409 "pull request already exists for these targets" when another run was first.
      const r = await call<GiteaPull>(`opening a pull request from ${head} into ${base}`, "POST", "/pulls", { head, base, title, body }, [409]);
      return r.data ? toPull(r.data) : "exists";
    },

    async reviews(pr) {
      const all: GiteaReview[] = [];
      for (let page = 1; ; page++) {
        const r = await call<GiteaReview[]>(`listing reviews of pull request #${pr.number}`, "GET", `/pulls/${pr.number}/reviews?page=${page}&limit=${PAGE}`);
        all.push(...(r.data ?? []));
        if ((r.data ?? []).length < PAGE) break;
      }
      return all.filter((r) => r.user).map(toReview);
    },
  };
}
