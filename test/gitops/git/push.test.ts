// The push script against real git and bare repositories: one commit per promotion, idempotent
// reruns, deletions, pull-request branches, and bad input that leaves the remote untouched.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PUSH_EXIT, pushEnvironment } from "../../../modules/gitops/src/git/push-script.js";
import { bareRemote, git, history, promotionEnv, runPush, tempDir, writeFiles } from "./git-fixture.js";

const SEED = { "envs/dev/kustomization.yaml": "images:\n  - name: backend\n    newTag: old\n", "envs/prod/kustomization.yaml": "images: []\n", "README.md": "gitops\n" };

/** Every ref of a repository with its commit, to show it did not change. */
const refs = (repo: string) => git(repo, "for-each-ref", "--format=%(refname) %(objectname)");

describe("push script: one commit per promotion", () => {
  it("the same promotion twice makes one commit; the second run reports already-there with the tip", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    const files = writeFiles(join(root, "files"), { "envs/dev/kustomization.yaml": "images:\n  - name: backend\n    newTag: new\n" });
    const env = promotionEnv(remote.url, files);

    const first = await runPush(env);
    assert.equal(first.code, PUSH_EXIT.ok, first.stderr);
    assert.equal(first.result.status, "pushed");
    const log = history(remote.path);
    assert.equal(log.length, 2);
    assert.deepEqual(first.result, { status: "pushed", commit: log[0]!.commit, attempts: 1, branch: "main" });
    assert.equal(git(remote.path, "show", "main:envs/dev/kustomization.yaml"), "images:\n  - name: backend\n    newTag: new");
    assert.equal(git(remote.path, "log", "-1", "--format=%an <%ae>", "main"), "promotion bot <bot@example.test>");
    assert.equal(git(remote.path, "log", "-1", "--format=%(trailers:key=Release,valueonly)", "main"), "a".repeat(40));

    const second = await runPush(env);
    assert.equal(second.code, PUSH_EXIT.ok, second.stderr);
    assert.deepEqual(second.result, { status: "already-there", commit: log[0]!.commit, branch: "main" });
    assert.equal(history(remote.path).length, 2);
  });

  it("writes new files in new folders and deletes listed files in the same commit", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    const files = writeFiles(join(root, "files"), { "envs/dev/flags/features.yaml": "checkout: true\n" });
    const run = await runPush(
      promotionEnv(
        remote.url,
        files,
        pushEnvironment({ remote: remote.url, branch: "main", files, message: "promote: flags", authorName: "bot", authorEmail: "bot@example.test", delete: ["README.md"] }),
      ),
    );
    assert.equal(run.result.status, "pushed", run.stderr);
    assert.equal(git(remote.path, "show", "main:envs/dev/flags/features.yaml"), "checkout: true");
    assert.equal(git(remote.path, "ls-tree", "-r", "--name-only", "main"), "envs/dev/flags/features.yaml\nenvs/dev/kustomization.yaml\nenvs/prod/kustomization.yaml");
    assert.equal(git(remote.path, "rev-list", "--count", "main"), "2");
  });

  it("writes a file the GitOps repository's .gitignore would skip (the promotion asked for it)", async () => {
    const root = tempDir();
    const remote = bareRemote(root, { ...SEED, ".gitignore": "*.env\n" });
    const files = writeFiles(join(root, "files"), { "envs/prod/app.env": "FEATURE=1\n" });
    const run = await runPush(promotionEnv(remote.url, files));
    assert.equal(run.result.status, "pushed", run.stderr);
    assert.equal(git(remote.path, "show", "main:envs/prod/app.env"), "FEATURE=1");
  });

  it("works with a plain path as the remote (a local clone, not shallow)", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    const files = writeFiles(join(root, "files"), { "envs/prod/kustomization.yaml": "images: [x]\n" });
    const run = await runPush(promotionEnv(remote.path, files));
    assert.equal(run.result.status, "pushed", run.stderr);
    assert.equal(history(remote.path).length, 2);
  });
});

describe("push script: pull-request mode", () => {
  const HEAD = "promote/prod/aaaaaaaaaaaa";

  it("pushes a new promotion branch from the environment branch's tip and leaves the environment branch alone", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    const tip = history(remote.path)[0]!.commit;
    const files = writeFiles(join(root, "files"), { "envs/prod/kustomization.yaml": "images: [backend]\n" });
    const env = promotionEnv(remote.url, files, { GITOPS_HEAD_BRANCH: HEAD });

    const run = await runPush(env);
    assert.equal(run.result.status, "pushed", run.stderr);
    assert.equal(run.result.status === "pushed" && run.result.branch, HEAD);
    assert.equal(history(remote.path)[0]!.commit, tip, "main did not move");
    const branch = history(remote.path, HEAD);
    assert.equal(branch.length, 2);
    assert.deepEqual(branch[0]!.parents, [tip]);

    const again = await runPush(env);
    assert.deepEqual(again.result, { status: "already-there", commit: branch[0]!.commit, branch: HEAD });
    assert.equal(history(remote.path, HEAD).length, 2);
  });

  it("adds one commit on top of an existing promotion branch whose content differs (never rewrites it)", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    const first = await runPush(promotionEnv(remote.url, writeFiles(join(root, "a"), { "envs/prod/kustomization.yaml": "images: [one]\n" }), { GITOPS_HEAD_BRANCH: HEAD }));
    assert.equal(first.result.status, "pushed", first.stderr);
    const second = await runPush(promotionEnv(remote.url, writeFiles(join(root, "b"), { "envs/prod/kustomization.yaml": "images: [two]\n" }), { GITOPS_HEAD_BRANCH: HEAD }));
    assert.equal(second.result.status, "pushed", second.stderr);
    const branch = history(remote.path, HEAD);
    assert.equal(branch.length, 3);
    assert.equal(first.result.status === "pushed" && branch[1]!.commit, first.result.commit);
    assert.equal(git(remote.path, "show", `${HEAD}:envs/prod/kustomization.yaml`), "images: [two]");
  });

  it("reports already-there on the environment branch when it already holds the content (nothing to propose)", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    const files = writeFiles(join(root, "files"), { "envs/prod/kustomization.yaml": SEED["envs/prod/kustomization.yaml"] });
    const run = await runPush(promotionEnv(remote.url, files, { GITOPS_HEAD_BRANCH: HEAD }));
    assert.deepEqual(run.result, { status: "already-there", commit: history(remote.path)[0]!.commit, branch: "main" });
    assert.equal(git(remote.path, "branch", "--list", "promote/*"), "");
  });
});

describe("push script: bad input leaves the remote untouched", () => {
  const cases: [string, (url: string, files: string) => Record<string, string>, number, RegExp][] = [
    ["an unknown branch", (u, f) => promotionEnv(u, f, { GITOPS_BRANCH: "no-such-branch" }), PUSH_EXIT.invalid, /branch "no-such-branch" does not exist in file:\/\//],
    ["an empty message", (u, f) => promotionEnv(u, f, { GITOPS_MESSAGE: " \n\n" }), PUSH_EXIT.invalid, /GITOPS_MESSAGE: the commit message is empty/],
    [
      "a path that leaves the repository",
      (u, f) => promotionEnv(u, f, { GITOPS_DELETE: '["../outside"]' }),
      PUSH_EXIT.invalid,
      /GITOPS_DELETE: "\.\.\/outside" is not a relative path inside the repository/,
    ],
    ["a path into .git", (u, f) => promotionEnv(u, f, { GITOPS_DELETE: '["envs/.git/config"]' }), PUSH_EXIT.invalid, /is not a relative path inside the repository/],
    ["an invalid branch name", (u, f) => promotionEnv(u, f, { GITOPS_HEAD_BRANCH: "promote/prod..x" }), PUSH_EXIT.invalid, /GITOPS_HEAD_BRANCH: "promote\/prod\.\.x" is not a valid branch name/],
    ["a token for a non-http remote", (u, f) => promotionEnv(u, f, { GITOPS_TOKEN: "t0ken" }), PUSH_EXIT.invalid, /a token is only sent to http\(s\) remotes/],
    ["credentials in the remote URL", (_u, f) => promotionEnv("https://bot:secret@example.test/gitops.git", f), PUSH_EXIT.invalid, /GITOPS_REMOTE: must not carry credentials/],
    ["a zero attempt count", (u, f) => promotionEnv(u, f, { GITOPS_MAX_ATTEMPTS: "0" }), PUSH_EXIT.invalid, /GITOPS_MAX_ATTEMPTS: must be a whole number from 1 to 50 \(got "0"\)/],
    ["a files folder that does not exist", (u) => promotionEnv(u, "/nonexistent/files"), PUSH_EXIT.invalid, /GITOPS_FILES: \/nonexistent\/files is not a folder/],
  ];
  for (const [what, env, code, message] of cases) {
    it(`${what}: exit ${code}, the message says what is wrong, no ref changes`, async () => {
      const root = tempDir();
      const remote = bareRemote(root, SEED);
      const before = refs(remote.path);
      const files = writeFiles(join(root, "files"), { "envs/dev/kustomization.yaml": "changed\n" });
      const run = await runPush(env(remote.url, files));
      assert.equal(run.code, code, run.stderr);
      assert.equal(run.result.status, "invalid");
      assert.match(run.result.status === "invalid" ? run.result.message : "", message);
      assert.match(run.stderr, message, "the message is also in the log");
      assert.equal(refs(remote.path), before);
    });
  }

  it("an empty files folder and nothing to delete: refused, nothing to promote", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    mkdirSync(join(root, "files"));
    const run = await runPush(promotionEnv(remote.url, join(root, "files")));
    assert.equal(run.code, PUSH_EXIT.invalid);
    assert.match(run.stderr, /is empty and GITOPS_DELETE names nothing/);
  });

  it("an unreachable remote: exit 1 naming the remote, and git's reason", async () => {
    const root = tempDir();
    const files = writeFiles(join(root, "files"), { "a.yaml": "a\n" });
    const missing = await runPush(promotionEnv(`file://${root}/missing.git`, files));
    assert.equal(missing.code, PUSH_EXIT.failed);
    assert.match(missing.result.status === "failed" ? missing.result.message : "", new RegExp(`cannot clone file://${root}/missing\\.git: .*(does not appear to be a git repository|not found)`));
    const refused = await runPush(promotionEnv("http://127.0.0.1:9/gitops.git", files));
    assert.equal(refused.code, PUSH_EXIT.failed);
    assert.match(refused.result.status === "failed" ? refused.result.message : "", /cannot clone http:\/\/127\.0\.0\.1:9\/gitops\.git: .*(Failed to connect|Connection refused)/);
  });

  it("a push the remote refuses for another reason than a moved branch is not retried", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    writeFiles(remote.path, { "hooks/pre-receive": "#!/bin/sh\necho 'protected branch: promotions go through pull requests' >&2\nexit 1\n" });
    chmodSync(join(remote.path, "hooks/pre-receive"), 0o755);
    const before = refs(remote.path);
    const run = await runPush(promotionEnv(remote.url, writeFiles(join(root, "files"), { "a.yaml": "a\n" })));
    assert.equal(run.code, PUSH_EXIT.failed, run.stderr);
    assert.match(run.result.status === "failed" ? run.result.message : "", /push to main was refused: .*protected branch: promotions go through pull requests/);
    assert.doesNotMatch(run.stderr, /rebasing/);
    assert.equal(refs(remote.path), before);
    assert.equal(readFileSync(join(remote.path, "logs/refs/heads/main"), "utf8").trim().split("\n").length, 1);
  });
});
