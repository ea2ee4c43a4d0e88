// The GitHub pull request client (@octokit/rest) against a recording local server that answers
// with GitHub's shapes: which requests it makes, with what body and auth, and what it reports.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { githubPullRequests } from "../../../modules/gitops/src/git/github.js";
import { openOrFindPullRequest, type PromotionPullRequest } from "../../../modules/gitops/src/git/pull-requests.js";
import { apiServer, capturingConsole, type Answer, type Recorded } from "./api-server.js";
import { fakeGitHub, OWNER, REPO, type FakePull, type FakeReview } from "./github-fake.js";

const TOKEN = "ghp_canary0123456789abcdefghijklmnopqrstu";
const HEAD = "promote/prod/0123456789ab";
const SHA = "d".repeat(40);
const REQUEST: PromotionPullRequest = { head: HEAD, base: "main", title: "promote 0123456789ab to prod: backend 1.2.0", body: "Moves prod to release 0123…", approvals: 1 };
const open = (extra: Partial<FakePull> = {}): FakePull => ({ number: 7, head: HEAD, base: "main", headSha: SHA, state: "open", merged: false, title: REQUEST.title, body: "", ...extra });

/** Run one openOrFind against a fake GitHub; the token must appear in no output and no error. */
async function run(route: (r: Recorded) => Answer, request = REQUEST) {
  const server = await apiServer(route);
  try {
    const host = githubPullRequests({ owner: OWNER, repo: REPO, token: TOKEN, baseUrl: server.url });
    const out = await capturingConsole(() => openOrFindPullRequest(host, request));
    assert.equal(out.printed, "", "the client prints nothing");
    assert.ok(!out.error?.message.includes(TOKEN) && !out.error?.stack?.includes(TOKEN), "the token is not in the error");
    for (const r of server.requests) assert.equal(r.headers.authorization, `token ${TOKEN}`, `${r.method} ${r.url} carries the token as recorded fixtures do`);
    return { ...out, requests: server.requests.map((r) => `${r.method} ${r.url}`), recorded: server.requests };
  } finally {
    await server.close();
  }
}

const LIST = `GET /repos/${OWNER}/${REPO}/pulls?head=${encodeURIComponent(`${OWNER}:${HEAD}`)}&base=main&state=all&per_page=100`;
const REVIEWS = `GET /repos/${OWNER}/${REPO}/pulls/7/reviews?per_page=100`;

describe("GitHub pull requests", () => {
  it("opens the pull request when none exists for the head branch: list by head, then create with title, head, base, body", async () => {
    const pulls: FakePull[] = [];
    const r = await run(fakeGitHub(pulls));
    assert.deepEqual(r.requests, [LIST, `POST /repos/${OWNER}/${REPO}/pulls`]);
    assert.deepEqual(r.recorded[1]!.body, { head: HEAD, base: "main", title: REQUEST.title, body: REQUEST.body });
    assert.equal(r.recorded[1]!.headers["content-type"], "application/json; charset=utf-8");
    assert.match(String(r.recorded[0]!.headers.accept), /application\/vnd\.github\.v3\+json/);
    assert.deepEqual(r.result, {
      status: "opened",
      state: "open",
      number: 1,
      url: `https://github.com/${OWNER}/${REPO}/pull/1`,
      head: HEAD,
      base: "main",
      approvals: 0,
      required: 1,
      approvedBy: [],
      changesRequestedBy: [],
    });
    assert.equal(pulls.length, 1);
  });

  it("finds an open one instead of opening another (already there) and counts approvals on its head commit", async () => {
    const reviews: FakeReview[] = [{ login: "octokit-fixture-user-b", state: "APPROVED", commit: SHA }];
    const r = await run(fakeGitHub([open()], { 7: reviews }));
    assert.deepEqual(r.requests, [LIST, REVIEWS]);
    assert.equal(r.result?.status, "already-there");
    assert.equal(r.result?.state, "approved");
    assert.deepEqual(r.result?.approvedBy, ["octokit-fixture-user-b"]);
  });

  const states: [string, FakeReview[], number, string, number][] = [
    ["an approval on an older commit does not count", [{ login: "b", state: "APPROVED", commit: "0".repeat(40) }], 1, "open", 0],
    ["one approval is not enough for two", [{ login: "b", state: "APPROVED", commit: SHA }], 2, "open", 1],
    [
      "two approvals are enough for two",
      [
        { login: "b", state: "APPROVED", commit: SHA },
        { login: "c", state: "APPROVED", commit: SHA },
      ],
      2,
      "approved",
      2,
    ],
    [
      "the same reviewer approving twice counts once",
      [
        { login: "b", state: "APPROVED", commit: SHA },
        { login: "b", state: "APPROVED", commit: SHA },
      ],
      2,
      "open",
      1,
    ],
    [
      "a change request blocks despite an approval",
      [
        { login: "b", state: "APPROVED", commit: SHA },
        { login: "c", state: "CHANGES_REQUESTED", commit: SHA },
      ],
      1,
      "changes-requested",
      1,
    ],
    [
      "a reviewer who approves after requesting changes unblocks",
      [
        { login: "c", state: "CHANGES_REQUESTED", commit: SHA },
        { login: "c", state: "APPROVED", commit: SHA },
      ],
      1,
      "approved",
      1,
    ],
    [
      "a comment after an approval keeps the approval",
      [
        { login: "b", state: "APPROVED", commit: SHA },
        { login: "b", state: "COMMENTED", commit: SHA },
      ],
      1,
      "approved",
      1,
    ],
    [
      "a dismissed approval does not count",
      [
        { login: "b", state: "APPROVED", commit: SHA },
        { login: "b", state: "DISMISSED", commit: SHA },
      ],
      1,
      "open",
      0,
    ],
    ["no approvals needed: approved when nobody objects", [], 0, "approved", 0],
  ];
  for (const [what, reviews, approvals, state, count] of states) {
    it(`${what}: ${state}`, async () => {
      const r = await run(fakeGitHub([open()], { 7: reviews }), { ...REQUEST, approvals });
      assert.equal(r.error, undefined);
      assert.equal(r.result?.state, state);
      assert.equal(r.result?.approvals, count);
    });
  }

  it("a merged pull request: read with get (merged: true), no reviews asked", async () => {
    const r = await run(fakeGitHub([open({ state: "closed", merged: true })]));
    assert.deepEqual(r.requests, [LIST, `GET /repos/${OWNER}/${REPO}/pulls/7`]);
    assert.equal(r.result?.state, "merged");
    assert.equal(r.result?.status, "already-there");
  });

  it("a closed, unmerged pull request is reported closed, and no new one is opened around it", async () => {
    const r = await run(fakeGitHub([open({ state: "closed" })]));
    assert.equal(r.result?.state, "closed");
    assert.ok(!r.requests.some((q) => q.startsWith("POST")));
  });

  it("prefers the open pull request when a closed one exists for the same head", async () => {
    const r = await run(fakeGitHub([open({ number: 3, state: "closed" }), open({ number: 7 })], { 7: [] }));
    assert.equal(r.result?.number, 7);
    assert.equal(r.result?.state, "open");
  });

  it("another run opened it between our look-up and our create (422 already exists): found, not opened twice", async () => {
    const pulls = [open()];
    const route = fakeGitHub(pulls);
    let lists = 0;
    const racing = (q: Recorded): Answer => (q.method === "GET" && q.path.endsWith("/pulls") && lists++ === 0 ? { status: 200, body: [] } : route(q));
    const r = await run(racing);
    assert.deepEqual(r.requests, [LIST, `POST /repos/${OWNER}/${REPO}/pulls`, LIST, REVIEWS]);
    assert.equal(r.result?.status, "already-there");
    assert.equal(pulls.length, 1);
  });

  it("an API error names the call and GitHub's message, without the token", async () => {
    const r = await run(() => ({ status: 401, body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" } }));
    assert.match(r.error?.message ?? "", new RegExp(`^GitHub: listing pull requests from ${HEAD} in ${OWNER}/${REPO} failed \\(HTTP 401\\): Bad credentials`));
  });

  it("a token GitHub echoes back in an error message is redacted", async () => {
    const r = await run(() => ({ status: 403, body: { message: `token ${TOKEN} lacks pull_requests:write` } }));
    assert.match(r.error?.message ?? "", /\(HTTP 403\): token \*\*\* lacks pull_requests:write/);
  });
});
