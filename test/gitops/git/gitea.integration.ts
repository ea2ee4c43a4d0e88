// A promotion against a real Gitea: the push script over smart HTTP with a token, concurrent
// pushes, a promotion branch, and the Gitea client opening, finding and reporting the pull
// request through approval, a new commit, a change request and the merge.
// Run: GITEA_BIN=<gitea binary> GITEA_STATIC_ROOT=<its source tree> node --import tsx --test test/gitops/git/gitea.integration.ts
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { giteaPullRequests } from "../../../modules/gitops/src/git/gitea.js";
import { openOrFindPullRequest } from "../../../modules/gitops/src/git/pull-requests.js";
import { PUSH_EXIT } from "../../../modules/gitops/src/git/push-script.js";
import { git, promotionEnv, runPush, tempDir, writeFiles } from "./git-fixture.js";
import { giteaApi, startGitea, type Gitea } from "./gitea-server.js";

const RELEASE = "0123456789abcdef0123456789abcdef01234567";

describe("promotion against a real Gitea", () => {
  let gitea: Gitea;
  let root: string;
  let clone: string;

  before(async () => {
    root = tempDir("gitops-gitea");
    const work = join(root, "gitea");
    mkdirSync(work);
    gitea = await startGitea(work);
    await giteaApi(gitea, gitea.promoterToken, "POST", "/user/repos", { name: "gitops", auto_init: true, default_branch: "main", private: true });
    await giteaApi(gitea, gitea.promoterToken, "PUT", "/repos/promoter/gitops/collaborators/reviewer", { permission: "write" });
    clone = `${gitea.url}/promoter/gitops.git`;
  });
  after(() => gitea?.stop());

  const mirror = () => {
    const dir = join(tempDir("gitops-gitea-check"), "m");
    git(root, "-c", `http.extraHeader=Authorization: token ${gitea.promoterToken}`, "clone", "--quiet", "--mirror", clone, dir);
    return dir;
  };

  it("pushes a promotion over HTTP with the token; the token is in neither the output nor the clone's config", async () => {
    const workdir = join(root, "work");
    mkdirSync(workdir);
    const files = writeFiles(join(root, "f1"), { "envs/dev/kustomization.yaml": "images:\n  - name: backend\n    newTag: 1.2.0\n" });
    const run = await runPush(promotionEnv(clone, files, { GITOPS_TOKEN: gitea.promoterToken, GITOPS_WORKDIR: workdir }));
    assert.equal(run.code, PUSH_EXIT.ok, run.stderr);
    assert.equal(run.result.status, "pushed");
    assert.ok(!(run.stdout + run.stderr).includes(gitea.promoterToken));
    assert.ok(!readFileSync(join(workdir, "repo/.git/config"), "utf8").includes(gitea.promoterToken));
    const again = await runPush(promotionEnv(clone, files, { GITOPS_TOKEN: gitea.promoterToken }));
    assert.equal(again.result.status, "already-there");
  });

  it("three promotions at once through Gitea's hooks: three commits, linear", async () => {
    const runs = await Promise.all(
      ["qa", "staging", "prod"].map((e) =>
        runPush(promotionEnv(clone, writeFiles(join(root, `c-${e}`), { [`envs/${e}/kustomization.yaml`]: `env: ${e}\n` }), { GITOPS_TOKEN: gitea.promoterToken, GITOPS_MAX_ATTEMPTS: "10" })),
      ),
    );
    for (const r of runs) assert.equal(r.result.status, "pushed", r.stderr);
    const m = mirror();
    const log = git(m, "log", "--format=%h %p %s", "main");
    assert.equal(log.split("\n").length, 5, `initial commit, the first promotion, three more:\n${log}`);
    assert.equal(git(m, "rev-list", "--merges", "main"), "", "no merge commits");
    for (const r of runs) assert.ok(r.result.status === "pushed" && git(m, "merge-base", "--is-ancestor", r.result.commit, "main") === "", "every pushed commit is on main");
  });

  it("a pull-request promotion: branch pushed, pull request opened once, then approved, outdated by a new commit, changes requested, merged", async () => {
    const head = `promote/prod/${RELEASE.slice(0, 12)}`;
    const host = giteaPullRequests({ url: gitea.url, owner: "promoter", repo: "gitops", token: gitea.promoterToken });
    const request = { head, base: "main", title: "promote 0123456789ab to prod: backend 1.2.0", body: "Moves prod.", approvals: 1 };
    const push = (content: string, dir: string) =>
      runPush(promotionEnv(clone, writeFiles(join(root, dir), { "envs/prod/kustomization.yaml": content }), { GITOPS_TOKEN: gitea.promoterToken, GITOPS_HEAD_BRANCH: head }));

    const pushed = await push("images:\n  - name: backend\n    newTag: 1.2.0\n", "pr1");
    assert.equal(pushed.result.status, "pushed", pushed.stderr);

    const opened = await openOrFindPullRequest(host, request);
    assert.equal(opened.status, "opened");
    assert.equal(opened.state, "open");
    const found = await openOrFindPullRequest(host, request);
    assert.deepEqual({ status: found.status, number: found.number, state: found.state }, { status: "already-there", number: opened.number, state: "open" });

    await giteaApi(gitea, gitea.reviewerToken, "POST", `/repos/promoter/gitops/pulls/${opened.number}/reviews`, { event: "APPROVED", body: "ok for prod" });
    const approved = await openOrFindPullRequest(host, request);
    assert.equal(approved.state, "approved");
    assert.deepEqual(approved.approvedBy, ["reviewer"]);

    const second = await push("images:\n  - name: backend\n    newTag: 1.2.1\n", "pr2");
    assert.equal(second.result.status, "pushed", second.stderr);
    const outdated = await openOrFindPullRequest(host, request);
    assert.equal(outdated.state, "open", "the approval was for the previous commit");
    assert.equal(outdated.approvals, 0);

    await giteaApi(gitea, gitea.reviewerToken, "POST", `/repos/promoter/gitops/pulls/${opened.number}/reviews`, { event: "REQUEST_CHANGES", body: "not tonight" });
    assert.equal((await openOrFindPullRequest(host, request)).state, "changes-requested");

    await giteaApi(gitea, gitea.reviewerToken, "POST", `/repos/promoter/gitops/pulls/${opened.number}/reviews`, { event: "APPROVED", body: "ok now" });
    assert.equal((await openOrFindPullRequest(host, request)).state, "approved");

    // Gitea checks mergeability in the background after a push; until then merge answers 405 "Please try again later".
    for (let i = 0; ; i++) {
      try {
        await giteaApi(gitea, gitea.promoterToken, "POST", `/repos/promoter/gitops/pulls/${opened.number}/merge`, { Do: "merge" });
        break;
      } catch (e) {
        if (i >= 50 || !/HTTP 405: .*try again later/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const merged = await openOrFindPullRequest(host, request);
    assert.equal(merged.state, "merged");
    assert.equal(merged.number, opened.number, "no second pull request");
  });
});
