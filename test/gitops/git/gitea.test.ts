// The Gitea pull request client (fetch on /api/v1) against a recording local server that answers
// with Gitea's shapes: which requests it makes, with what body and auth, and what it reports.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { giteaPullRequests } from "../../../modules/gitops/src/git/gitea.js";
import { openOrFindPullRequest, type PromotionPullRequest } from "../../../modules/gitops/src/git/pull-requests.js";
import { apiServer, capturingConsole, type Answer, type Recorded } from "./api-server.js";
import { fakeGitea, OWNER, REPO, type GiteaFakePull, type GiteaFakeReview } from "./gitea-fake.js";

const TOKEN = "gitea-canary-6b1f0c2d9e8a7f6e5d4c3b2a";
const HEAD = "promote/prod/0123456789ab";
const SHA = "d".repeat(40);
const REQUEST: PromotionPullRequest = { head: HEAD, base: "main", title: "promote 0123456789ab to prod: backend 1.2.0", body: "Moves prod to release 0123…", approvals: 1 };
const open = (extra: Partial<GiteaFakePull> = {}): GiteaFakePull => ({ number: 4, head: HEAD, base: "main", headSha: SHA, state: "open", merged: false, ...extra });

/** Run one openOrFind against a fake Gitea; the token must appear in no output and no error. */
async function run(route: (r: Recorded) => Answer, request = REQUEST) {
  const server = await apiServer(route);
  try {
    const host = giteaPullRequests({ url: `${server.url}/`, owner: OWNER, repo: REPO, token: TOKEN });
    const out = await capturingConsole(() => openOrFindPullRequest(host, request));
    assert.equal(out.printed, "", "the client prints nothing");
    assert.ok(!out.error?.message.includes(TOKEN), "the token is not in the error");
    for (const r of server.requests) assert.equal(r.headers.authorization, `token ${TOKEN}`, `${r.method} ${r.url} carries Gitea's token header`);
    return { ...out, requests: server.requests.map((r) => `${r.method} ${r.url}`), recorded: server.requests };
  } finally {
    await server.close();
  }
}

const API = `/api/v1/repos/${OWNER}/${REPO}`;
const FIND = `GET ${API}/pulls/main/${HEAD}`;

describe("Gitea pull requests", () => {
  it("opens the pull request when none exists: look up by base and head (404), then POST /pulls with head, base, title, body", async () => {
    const pulls: GiteaFakePull[] = [];
    const r = await run(fakeGitea(pulls));
    assert.deepEqual(r.requests, [FIND, `POST ${API}/pulls`]);
    assert.deepEqual(r.recorded[1]!.body, { head: HEAD, base: "main", title: REQUEST.title, body: REQUEST.body });
    assert.equal(r.recorded[1]!.headers["content-type"], "application/json");
    assert.deepEqual(r.result, {
      status: "opened",
      state: "open",
      number: 1,
      url: `https://gitea.example.test/${OWNER}/${REPO}/pulls/1`,
      head: HEAD,
      base: "main",
      approvals: 0,
      required: 1,
      approvedBy: [],
      changesRequestedBy: [],
    });
  });

  it("finds the existing one (already there) and reads its reviews", async () => {
    const r = await run(fakeGitea([open()], { 4: [{ login: "reviewer", state: "APPROVED", commit: SHA }] }));
    assert.deepEqual(r.requests, [FIND, `GET ${API}/pulls/4/reviews?page=1&limit=50`]);
    assert.equal(r.result?.status, "already-there");
    assert.equal(r.result?.state, "approved");
    assert.deepEqual(r.result?.approvedBy, ["reviewer"]);
  });

  const states: [string, GiteaFakeReview[], number, string][] = [
    ["an approval on another commit (stale) does not count", [{ login: "r", state: "APPROVED", commit: "0".repeat(40), stale: true }], 1, "open"],
    ["a dismissed approval does not count", [{ login: "r", state: "APPROVED", commit: SHA, dismissed: true }], 1, "open"],
    [
      "REQUEST_CHANGES blocks",
      [
        { login: "a", state: "APPROVED", commit: SHA },
        { login: "r", state: "REQUEST_CHANGES", commit: SHA },
      ],
      1,
      "changes-requested",
    ],
    [
      "a requested review and a comment do not approve",
      [
        { login: "r", state: "REQUEST_REVIEW", commit: SHA },
        { login: "c", state: "COMMENT", commit: SHA },
      ],
      1,
      "open",
    ],
    [
      "two approvals for two",
      [
        { login: "a", state: "APPROVED", commit: SHA },
        { login: "b", state: "APPROVED", commit: SHA },
      ],
      2,
      "approved",
    ],
  ];
  for (const [what, reviews, approvals, state] of states) {
    it(`${what}: ${state}`, async () => {
      const r = await run(fakeGitea([open()], { 4: reviews }), { ...REQUEST, approvals });
      assert.equal(r.error, undefined);
      assert.equal(r.result?.state, state);
    });
  }

  it("reads every page of reviews (limit 50)", async () => {
    const many: GiteaFakeReview[] = Array.from({ length: 60 }, (_, i) => ({ login: `c${i}`, state: "COMMENT", commit: SHA }));
    many.push({ login: "last", state: "APPROVED", commit: SHA });
    const r = await run(fakeGitea([open()], { 4: many }));
    assert.deepEqual(r.requests.slice(1), [`GET ${API}/pulls/4/reviews?page=1&limit=50`, `GET ${API}/pulls/4/reviews?page=2&limit=50`]);
    assert.deepEqual(r.result?.approvedBy, ["last"]);
  });

  it("merged and closed ones are reported as such, without asking for reviews or opening another", async () => {
    const merged = await run(fakeGitea([open({ state: "closed", merged: true })]));
    assert.equal(merged.result?.state, "merged");
    assert.deepEqual(merged.requests, [FIND]);
    const closed = await run(fakeGitea([open({ state: "closed" })]));
    assert.equal(closed.result?.state, "closed");
    assert.deepEqual(closed.requests, [FIND]);
  });

  it("another run opened it first (409): found again, not opened twice", async () => {
    const pulls = [open()];
    const route = fakeGitea(pulls);
    let finds = 0;
    const racing = (q: Recorded): Answer => (q.method === "GET" && !q.path.endsWith("/reviews") && finds++ === 0 ? { status: 404, body: { message: "not found" } } : route(q));
    const r = await run(racing);
    assert.deepEqual(r.requests, [FIND, `POST ${API}/pulls`, FIND, `GET ${API}/pulls/4/reviews?page=1&limit=50`]);
    assert.equal(r.result?.status, "already-there");
    assert.equal(pulls.length, 1);
  });

  it("an API error names the call, the status and Gitea's message, without the token", async () => {
    const r = await run(() => ({ status: 403, body: { message: `token ${TOKEN} does not have at least one of required scope(s): [write:repository]`, url: "" } }));
    assert.match(
      r.error?.message ?? "",
      new RegExp(`^Gitea: looking up the pull request from ${HEAD} in ${OWNER}/${REPO} \\(GET /pulls/main/${HEAD}\\) failed \\(HTTP 403\\): token \\*\\*\\* does not have`),
    );
  });

  it("an unreachable server: the error names the call", async () => {
    const host = giteaPullRequests({ url: "http://127.0.0.1:9", owner: OWNER, repo: REPO, token: TOKEN });
    await assert.rejects(openOrFindPullRequest(host, REQUEST), /^Error: Gitea: looking up the pull request from promote\/prod\/0123456789ab in acme\/gitops failed: fetch failed/);
  });
});
