// Which forge repository a GitOps clone URL names, and the push script's inputs and result.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePushResult } from "../../../modules/gitops/src/git/push-result.js";
import { PUSH_ENV, pushEnvironment } from "../../../modules/gitops/src/git/push-script.js";
import { forgeRepository, githubApiUrl } from "../../../modules/gitops/src/git/repository.js";

describe("forge repository from a clone URL", () => {
  it("reads owner and repository, with or without .git, and a server under a sub-path", () => {
    assert.deepEqual(forgeRepository("https://github.com/acme/gitops.git"), { server: "https://github.com", owner: "acme", repo: "gitops" });
    assert.deepEqual(forgeRepository("https://example.org/gitea/acme/gitops/"), { server: "https://example.org/gitea", owner: "acme", repo: "gitops" });
  });
  it("GitHub's API root: api.github.com, or /api/v3 on an Enterprise server", () => {
    assert.equal(githubApiUrl(forgeRepository("https://github.com/acme/gitops.git")), "https://api.github.com");
    assert.equal(githubApiUrl(forgeRepository("https://ghe.example.com/acme/gitops.git")), "https://ghe.example.com/api/v3");
  });
  it("refuses SSH URLs, credentials and URLs without owner and repository", () => {
    assert.throws(() => forgeRepository("git@github.com:acme/gitops.git"), /is not an http\(s\) clone URL/);
    assert.throws(() => forgeRepository("ssh://git@github.com/acme/gitops.git"), /ssh: URLs cannot be used for pull requests/);
    assert.throws(() => forgeRepository("https://bot:t0ken@github.com/acme/gitops.git"), /must not carry credentials/);
    assert.throws(() => forgeRepository("https://github.com/gitops"), /does not name an owner and a repository/);
  });
});

describe("push script inputs and result", () => {
  it("pushEnvironment sets only the given inputs and never a token variable", () => {
    const env = pushEnvironment({ remote: "https://x/y.git", branch: "main", files: "/promote/files", message: "m", authorName: "a", authorEmail: "a@x", delete: ["old.yaml"], maxAttempts: 7 });
    assert.deepEqual(env, {
      GITOPS_REMOTE: "https://x/y.git",
      GITOPS_BRANCH: "main",
      GITOPS_FILES: "/promote/files",
      GITOPS_MESSAGE: "m",
      GITOPS_AUTHOR_NAME: "a",
      GITOPS_AUTHOR_EMAIL: "a@x",
      GITOPS_DELETE: '["old.yaml"]',
      GITOPS_MAX_ATTEMPTS: "7",
    });
    assert.ok(!(PUSH_ENV.token in env));
  });
  it("parsePushResult reads the last line and refuses anything else", () => {
    assert.deepEqual(parsePushResult('noise\n{"status":"already-there","commit":"abc","branch":"main"}\n'), { status: "already-there", commit: "abc", branch: "main" });
    assert.throws(() => parsePushResult("fatal: oops\n"), /printed no result/);
    assert.throws(() => parsePushResult('{"status":"maybe"}'), /unknown result/);
  });
});
