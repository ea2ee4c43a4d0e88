/**
 * A fake GitHub REST API for pull requests, answering with GitHub's shapes: the response headers
 * and user/repository objects as in the recorded octokit-fixtures exchanges
 * (/work/shared/corpora/octokit), and the pull request and review objects as GitHub's REST
 * reference documents them (pulls: list, create, get; reviews: list), which the fixtures do not record.
 */
import type { Answer, Recorded } from "./api-server.js";

export const OWNER = "octokit-fixture-org";
export const REPO = "gitops";

/** Headers every recorded api.github.com answer carries (a subset). */
const HEADERS = { "x-github-media-type": "github.v3; format=json", "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999", "x-github-request-id": "0000:00000:0000000:0000000:00000000" };

const user = (login: string, id: number) => ({
  login,
  id,
  node_id: "MDQ6VXNlcjE=",
  avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
  url: `https://api.github.com/users/${login}`,
  html_url: `https://github.com/${login}`,
  type: "User",
  site_admin: false,
});

/** A pull request in the fake's store. */
export interface FakePull {
  number: number;
  head: string;
  base: string;
  headSha: string;
  state: "open" | "closed";
  merged: boolean;
  title: string;
  body: string;
}

/** A review in the fake's store. */
export interface FakeReview {
  login: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  commit: string;
}

const repoObject = () => ({
  id: 1000,
  node_id: "MDEwOlJlcG9zaXRvcnkx",
  name: REPO,
  full_name: `${OWNER}/${REPO}`,
  private: true,
  owner: user(OWNER, 1),
  html_url: `https://github.com/${OWNER}/${REPO}`,
});

/** The pull-request object (the list gives the "simple" form; get adds merged and counters). */
export function pullObject(p: FakePull, full: boolean) {
  const api = `https://api.github.com/repos/${OWNER}/${REPO}`;
  const simple = {
    url: `${api}/pulls/${p.number}`,
    id: 100000 + p.number,
    node_id: "MDExOlB1bGxSZXF1ZXN0MQ==",
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${p.number}`,
    diff_url: `https://github.com/${OWNER}/${REPO}/pull/${p.number}.diff`,
    patch_url: `https://github.com/${OWNER}/${REPO}/pull/${p.number}.patch`,
    issue_url: `${api}/issues/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: user("octokit-fixture-user-a", 31898046),
    body: p.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: "2026-11-22T08:00:00Z",
    updated_at: "2026-11-22T08:00:00Z",
    closed_at: p.state === "closed" ? "2026-11-22T09:00:00Z" : null,
    merged_at: p.merged ? "2026-11-22T09:00:00Z" : null,
    merge_commit_sha: p.merged ? "e".repeat(40) : null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: { label: `${OWNER}:${p.head}`, ref: p.head, sha: p.headSha, user: user(OWNER, 1), repo: repoObject() },
    base: { label: `${OWNER}:${p.base}`, ref: p.base, sha: "b".repeat(40), user: user(OWNER, 1), repo: repoObject() },
    author_association: "MEMBER",
    auto_merge: null,
    draft: false,
  };
  if (!full) return simple;
  return {
    ...simple,
    merged: p.merged,
    mergeable: p.state === "open" ? true : null,
    rebaseable: true,
    mergeable_state: "clean",
    merged_by: p.merged ? user("octokit-fixture-user-b", 31898047) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 1,
    changed_files: 1,
  };
}

const reviewObject = (r: FakeReview, i: number, pull: number) => ({
  id: 80 + i,
  node_id: "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=",
  user: user(r.login, 2000 + i),
  body: "",
  state: r.state,
  html_url: `https://github.com/${OWNER}/${REPO}/pull/${pull}#pullrequestreview-${80 + i}`,
  pull_request_url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${pull}`,
  author_association: "MEMBER",
  _links: { html: { href: "" }, pull_request: { href: "" } },
  submitted_at: "2026-11-22T08:30:00Z",
  commit_id: r.commit,
});

/** A route function over an in-memory store of pull requests and reviews. */
export function fakeGitHub(pulls: FakePull[], reviews: Record<number, FakeReview[]> = {}) {
  const prefix = `/repos/${OWNER}/${REPO}/pulls`;
  return (r: Recorded): Answer => {
    if (r.method === "GET" && r.path === prefix) {
      const head = r.query.get("head");
      const base = r.query.get("base");
      const state = r.query.get("state") ?? "open";
      const found = pulls.filter((p) => (!head || `${OWNER}:${p.head}` === head) && (!base || p.base === base) && (state === "all" || p.state === state));
      return { status: 200, body: found.map((p) => pullObject(p, false)), headers: HEADERS };
    }
    if (r.method === "POST" && r.path === prefix) {
      const b = r.body as { head: string; base: string; title: string; body: string };
      if (pulls.some((p) => p.head === b.head && p.base === b.base && p.state === "open"))
        return {
          status: 422,
          body: {
            message: "Validation Failed",
            errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${OWNER}:${b.head}.` }],
            documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
            status: "422",
          },
          headers: HEADERS,
        };
      const p: FakePull = { number: Math.max(0, ...pulls.map((x) => x.number)) + 1, head: b.head, base: b.base, headSha: "c".repeat(40), state: "open", merged: false, title: b.title, body: b.body };
      pulls.push(p);
      return { status: 201, body: pullObject(p, true), headers: { ...HEADERS, location: `https://api.github.com${prefix}/${p.number}` } };
    }
    const one = new RegExp(`^${prefix}/(\\d+)(/reviews)?$`).exec(r.path);
    const p = one && pulls.find((x) => x.number === Number(one[1]));
    if (r.method === "GET" && one && p) {
      if (one[2]) return { status: 200, body: (reviews[p.number] ?? []).map((x, i) => reviewObject(x, i, p.number)), headers: HEADERS };
      return { status: 200, body: pullObject(p, true), headers: HEADERS };
    }
    return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" } };
  };
}
