/**
 * A fake Gitea REST API (/api/v1) for pull requests, answering with Gitea's shapes as its API
 * structs define them (modules/structs/pull.go PullRequest and PRBranchInfo, pull_review.go
 * PullReview) and its routes (GET /pulls/{base}/{head}, POST /pulls with 409 when one is open,
 * GET /pulls/{index}/reviews with page/limit).
 */
import type { Answer, Recorded } from "./api-server.js";

export const OWNER = "acme";
export const REPO = "gitops";
const WEB = "https://gitea.example.test";

/** A pull request in the fake's store. */
export interface GiteaFakePull {
  number: number;
  head: string;
  base: string;
  headSha: string;
  state: "open" | "closed";
  merged: boolean;
  title?: string;
  body?: string;
}

/** A review in the fake's store. */
export interface GiteaFakeReview {
  login: string;
  state: "APPROVED" | "REQUEST_CHANGES" | "COMMENT" | "PENDING" | "REQUEST_REVIEW";
  commit: string;
  stale?: boolean;
  dismissed?: boolean;
}

const user = (login: string, id: number) => ({
  id,
  login,
  login_name: "",
  source_id: 0,
  full_name: "",
  email: `${login}@example.test`,
  avatar_url: `${WEB}/avatars/${id}`,
  html_url: `${WEB}/${login}`,
  language: "",
  is_admin: false,
});

const branch = (ref: string, sha: string) => ({ label: ref, ref, sha, repo_id: 1, repo: { id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, owner: user(OWNER, 1) } });

/** Gitea's PullRequest object. */
export function giteaPull(p: GiteaFakePull) {
  return {
    id: 500 + p.number,
    url: `${WEB}/${OWNER}/${REPO}/pulls/${p.number}`,
    number: p.number,
    user: user("promoter", 2),
    title: p.title ?? "",
    body: p.body ?? "",
    labels: [],
    milestone: null,
    assignee: null,
    assignees: null,
    requested_reviewers: null,
    requested_reviewers_teams: null,
    state: p.state,
    draft: false,
    is_locked: false,
    comments: 0,
    html_url: `${WEB}/${OWNER}/${REPO}/pulls/${p.number}`,
    diff_url: `${WEB}/${OWNER}/${REPO}/pulls/${p.number}.diff`,
    patch_url: `${WEB}/${OWNER}/${REPO}/pulls/${p.number}.patch`,
    mergeable: p.state === "open",
    merged: p.merged,
    merged_at: p.merged ? "2026-11-22T09:00:00Z" : null,
    merge_commit_sha: p.merged ? "e".repeat(40) : null,
    merged_by: p.merged ? user("reviewer", 3) : null,
    allow_maintainer_edit: false,
    base: branch(p.base, "b".repeat(40)),
    head: branch(p.head, p.headSha),
    merge_base: "b".repeat(40),
    due_date: null,
    created_at: "2026-11-22T08:00:00Z",
    updated_at: "2026-11-22T08:00:00Z",
    closed_at: p.state === "closed" ? "2026-11-22T09:00:00Z" : null,
    pin_order: 0,
  };
}

const giteaReview = (r: GiteaFakeReview, i: number, pull: number) => ({
  id: 10 + i,
  user: user(r.login, 100 + i),
  team: null,
  state: r.state,
  body: "",
  commit_id: r.commit,
  stale: r.stale ?? false,
  official: true,
  dismissed: r.dismissed ?? false,
  comments_count: 0,
  submitted_at: "2026-11-22T08:30:00Z",
  updated_at: "2026-11-22T08:30:00Z",
  html_url: `${WEB}/${OWNER}/${REPO}/pulls/${pull}#issuecomment-${10 + i}`,
  pull_request_url: `${WEB}/${OWNER}/${REPO}/pulls/${pull}`,
});

const notFound: Answer = { status: 404, body: { errors: null, message: "not found", url: `${WEB}/api/swagger` } };

/** A route function over an in-memory store. */
export function fakeGitea(pulls: GiteaFakePull[], reviews: Record<number, GiteaFakeReview[]> = {}) {
  const prefix = `/api/v1/repos/${OWNER}/${REPO}/pulls`;
  return (r: Recorded): Answer => {
    if (r.method === "POST" && r.path === prefix) {
      const b = r.body as { head: string; base: string; title: string; body: string };
      const open = pulls.find((p) => p.head === b.head && p.base === b.base && p.state === "open");
      if (open)
        return {
          status: 409,
          body: {
            message: `pull request already exists for these targets [id: ${500 + open.number}, issue_id: ${open.number}, head_repo_id: 1, base_repo_id: 1, head_branch: ${b.head}, base_branch: ${b.base}]`,
            url: `${WEB}/api/swagger`,
          },
        };
      const p: GiteaFakePull = {
        number: Math.max(0, ...pulls.map((x) => x.number)) + 1,
        head: b.head,
        base: b.base,
        headSha: "c".repeat(40),
        state: "open",
        merged: false,
        title: b.title,
        body: b.body,
      };
      pulls.push(p);
      return { status: 201, body: giteaPull(p) };
    }
    const rev = new RegExp(`^${prefix}/(\\d+)/reviews$`).exec(r.path);
    if (r.method === "GET" && rev) {
      const page = Number(r.query.get("page") ?? 1);
      const limit = Number(r.query.get("limit") ?? 30);
      const all = (reviews[Number(rev[1])] ?? []).map((x, i) => giteaReview(x, i, Number(rev[1])));
      return { status: 200, body: all.slice((page - 1) * limit, page * limit) };
    }
    if (r.method === "GET" && r.path.startsWith(`${prefix}/`)) {
      const [base, ...head] = r.path.slice(prefix.length + 1).split("/");
      const p = pulls.find((x) => x.base === base && x.head === head.join("/"));
      return p ? { status: 200, body: giteaPull(p) } : notFound;
    }
    return notFound;
  };
}
