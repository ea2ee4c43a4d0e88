/**
 * Promotion pull requests on Gitea through its REST API (/api/v1) with fetch: the pull request
 * by base and head, create one, list its reviews. Token auth: `Authorization: token <token>`.
 */
import { type GiteaOptions, giteaApi } from "./gitea-api.js";
import type { HostPullRequest, HostReview, PullRequestHost } from "./pull-requests.js";

export type { GiteaOptions } from "./gitea-api.js";

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
  state: r.dismissed ? "dismissed" : r.state === "APPROVED" ? "approved" : r.state === "REQUEST_CHANGES" ? "changes-requested" : r.state === "COMMENT" ? "commented" : "pending",
  commit: r.commit_id,
});

/** Path segments escaped one by one: Gitea's `/pulls/{base}/*` route takes the head's slashes literally. */
const segments = (name: string) => name.split("/").map(encodeURIComponent).join("/");

/** Reviews per page; Gitea's default maximum page size is 50. */
const PAGE = 50;

/** Gitea as a pull request host for promotions. */
export function giteaPullRequests(options: GiteaOptions): PullRequestHost {
  const call = giteaApi(options);

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
