/**
 * Promotion pull requests on GitHub (and GitHub Enterprise) through @octokit/rest: list pull
 * requests by head, create one, list its reviews, and get one to learn whether it was merged.
 */
import { Octokit } from "../vendor/octokit-rest.js";
import { hostError, type HostPullRequest, type HostReview, type PullRequestHost } from "./pull-requests.js";

/** Where and as whom to talk to GitHub. */
export interface GitHubOptions {
  /** Owner (user or organisation) of the GitOps repository. */
  owner: string;
  /** Repository name. */
  repo: string;
  /** Token with pull request write access; sent only as the Authorization header. */
  token: string;
  /** API root: https://api.github.com (default) or https://<host>/api/v3 for GitHub Enterprise. */
  baseUrl?: string;
  /** fetch implementation (tests); default the global one. */
  fetch?: typeof fetch;
}

// Octokit reports failed requests through its logger; our errors say it once, without noise.
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface GitHubPull {
  number: number;
  html_url: string;
  state: string;
  merged_at?: string | null;
  merged?: boolean;
  head: { ref: string; sha: string };
  base: { ref: string };
}

const toPull = (p: GitHubPull): HostPullRequest => ({
  number: p.number,
  url: p.html_url,
  state: p.state === "open" ? "open" : "closed",
  merged: p.merged ?? Boolean(p.merged_at),
  head: p.head.ref,
  base: p.base.ref,
  headSha: p.head.sha,
});

const REVIEW_STATES: Record<string, HostReview["state"]> = {
  APPROVED: "approved",
  CHANGES_REQUESTED: "changes-requested",
  COMMENTED: "commented",
  DISMISSED: "dismissed",
  PENDING: "pending",
};

/** The client for a repository: token auth, quiet logging, and errors that never hold the token. */
export function githubClient(options: GitHubOptions): { octokit: Octokit; fail: (what: string, e: unknown) => Error } {
  const { owner, repo, token } = options;
  const octokit = new Octokit({
    auth: token,
    baseUrl: options.baseUrl ?? "https://api.github.com",
    userAgent: "pipeline-as-code-gitops",
    log: quiet,
    request: options.fetch ? { fetch: options.fetch } : {},
  });
  const fail = (what: string, e: unknown) => {
    const err = e as { status?: number; message?: string };
    return hostError("GitHub", `${what} in ${owner}/${repo}`, err.status, err.message ?? String(e), token);
  };
  return { octokit, fail };
}

/** GitHub as a pull request host for promotions. */
export function githubPullRequests(options: GitHubOptions): PullRequestHost {
  const { owner, repo } = options;
  const { octokit, fail } = githubClient(options);

  return {
    name: "GitHub",

    async find(head, base) {
      let pulls: GitHubPull[];
      try {
        // `head` filters by "owner:branch"; state all, so a closed or merged one is found too.
        pulls = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, head: `${owner}:${head}`, base, state: "all", per_page: 100 });
      } catch (e) {
        throw fail(`listing pull requests from ${head}`, e);
      }
      const matching = pulls.filter((p) => p.head.ref === head && p.base.ref === base).sort((a, b) => b.number - a.number);
      const pick = matching.find((p) => p.state === "open") ?? matching[0];
      if (!pick) return undefined;
      if (pick.state === "open") return toPull(pick);
      try {
        // The list's merged_at is enough in practice; the pull request itself says `merged` outright.
        const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: pick.number });
        return toPull(data);
      } catch (e) {
        throw fail(`reading pull request #${pick.number}`, e);
      }
    },

    async create({ head, base, title, body }) {
      try {
        const { data } = await octokit.rest.pulls.create({ owner, repo, head, base, title, body });
        return toPull(data);
      } catch (e) {
        const err = e as { status?: number; response?: { data?: { errors?: { message?: string }[] } } };
        // 422 "A pull request already exists for owner:branch." when another run was first.
        if (err.status === 422 && err.response?.data?.errors?.some((x) => /already exists/i.test(x.message ?? ""))) return "exists";
        throw fail(`opening a pull request from ${head} into ${base}`, e);
      }
    },

    async reviews(pr) {
      try {
        const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: pr.number, per_page: 100 });
        return reviews.filter((r) => r.user).map((r) => ({ user: r.user!.login, state: REVIEW_STATES[r.state] ?? "commented", commit: r.commit_id ?? "" }));
      } catch (e) {
        throw fail(`listing reviews of pull request #${pr.number}`, e);
      }
    },
  };
}
