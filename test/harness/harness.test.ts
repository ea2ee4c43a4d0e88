// The harness runs calls into our modules through their own code, under the engine's cache rules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mintId } from "../recorder/ids.js";
import { bareRemote, git, history, tempDir } from "../gitops/git/git-fixture.js";
import { ROOT } from "../tiers/modules.js";
import { Engine } from "./engine.js";
import { Harness, literalArgs } from "./harness.js";

const files = (f: Record<string, string>) => mintId([{ field: "directory", args: {} }, ...Object.entries(f).map(([path, contents]) => ({ field: "withNewFile", args: { contents, path } }))]);

describe("harness: our modules run their own code", () => {
  it("gitops push lands one real commit on a bare repository; reading two fields of its outcome pushes twice (cache: never)", async () => {
    const remote = bareRemote(tempDir(), { "envs/dev/kustomization.yaml": "images: []\n" });
    const h = new Harness({ root: ROOT });
    const push = { remote: remote.path, branch: "main", files: files({ "envs/dev/kustomization.yaml": "images:\n  - name: x\n" }), message: "promote x\n\nRelease: abc\n" };
    const status = await h.call("gitops", {}, "push", push, "status");
    assert.equal(status, "pushed");
    assert.equal(history(remote.path).length, 2);
    assert.equal(git(remote.path, "show", "main:envs/dev/kustomization.yaml"), "images:\n  - name: x");
    assert.equal(h.engine.count("gitops", "push"), 1);
    // A second query through the same never-cached call runs it again: the push script says already-there.
    const summary = await h.call("gitops", {}, "push", push, "summary");
    assert.match(String(summary), /^Already there/);
    assert.equal(h.engine.count("gitops", "push"), 2);
  });

  it("a function without cache is served from the cache by its arguments in a later session", async () => {
    const h = new Harness({ root: ROOT });
    const args = { environment: "dev", deployed: "{}", promoted: JSON.stringify({ backend: { version: "1.0.0", requires: {} } }) };
    assert.equal(await h.call("gates", {}, "compatibility", args, "passed"), true);
    assert.equal(await h.call("gates", {}, "compatibility", args, "passed"), true);
    assert.equal(h.engine.count("gates", "compatibility"), 1);
    assert.equal(h.engine.session, 2);
  });
});

describe("harness rules: mutants", () => {
  it("the mutant that caches never-functions is caught: the second read would not push again", async () => {
    const remote = bareRemote(tempDir(), { "a.txt": "1\n" });
    const h = new Harness({ root: ROOT, rules: { ...new Engine().rules, neverExecutesPerQuery: false } });
    const push = { remote: remote.path, branch: "main", files: files({ "a.txt": "2\n" }), message: "m\n" };
    // Two leaf reads in one session, as the SDK sends them: one query each.
    const q = (leaf: string) => `query { gitops { push${literalArgs(push)} { ${leaf} } } }`;
    await h.session(async (query) => {
      await query(q("status"));
      await query(q("summary"));
    });
    assert.equal(h.engine.count("gitops", "push"), 1, "with the rule off, the engine model executes once: the side-effect test would not see the second push");
    const real = new Harness({ root: ROOT });
    await real.session(async (query) => {
      await query(q("status"));
      await query(q("summary"));
    });
    assert.equal(real.engine.count("gitops", "push"), 2, "with the rule, each query runs the push again");
  });
});
