import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type GitRemoteMutant, GitRemoteReads } from "./git-remote-reads.js";

const URL = "https://git.example/acme/gitops";

/** A remote that a test can push to. */
function remote() {
  const refs: Record<string, string> = { "refs/heads/main": "c1", "refs/heads/dev": "d1" };
  return { refs, lsRemote: () => ({ ...refs }) };
}

const staleAfterPush = (mutant?: GitRemoteMutant) => {
  const r = remote();
  const reads = new GitRemoteReads(r.lsRemote, mutant);
  assert.equal(reads.read("s1", URL, "main"), "c1");
  r.refs["refs/heads/main"] = "c2"; // our own push, same session
  assert.equal(reads.read("s1", URL, "main"), "c1", "the same session still sees the commit from before the push");
};

describe("engine rule (f): git remote reads cached per session (core/git_remote.go Remote/remoteCacheKey)", () => {
  it("a read after a push in the same session returns the old commit", () => staleAfterPush());
  it("a new session lists the remote again", () => {
    const r = remote();
    const reads = new GitRemoteReads(r.lsRemote);
    reads.read("s1", URL, "main");
    r.refs["refs/heads/main"] = "c2";
    assert.equal(reads.read("s2", URL, "main"), "c2");
    assert.equal(reads.lists, 2);
  });
  it("the whole listing is cached: another ref of the same remote is stale too; other credentials list again", () => {
    const r = remote();
    const reads = new GitRemoteReads(r.lsRemote);
    reads.read("s1", URL, "main");
    r.refs["refs/heads/dev"] = "d2";
    assert.equal(reads.read("s1", URL, "dev"), "d1");
    assert.equal(reads.read("s1", URL, "dev", "token:other"), "d2");
  });

  describe("mutant is caught", () => {
    it("uncached fails the stale-read property", () => assert.throws(() => staleAfterPush("uncached"), assert.AssertionError));
  });
});
