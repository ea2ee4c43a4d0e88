// Promotions that race for the same GitOps branch: real processes against one bare remote whose
// pre-receive hook holds every push until all have arrived, so all of them cloned the same tip.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PUSH_EXIT } from "../../../modules/gitops/src/git/push-script.js";
import { bareRemote, git, history, isAncestor, promotionEnv, pushBarrier, refUpdates, runPush, tempDir, writeFiles } from "./git-fixture.js";

const ENVIRONMENTS = ["dev", "staging", "prod", "qa", "perf", "demo", "eu", "us", "apac", "sandbox"];
const SEED = Object.fromEntries(ENVIRONMENTS.map((e) => [`envs/${e}/kustomization.yaml`, "images:\n  - name: backend\n    newTag: old\n"]));

/** The remote's branch moved only forward: every accepted update is a fast-forward of the one before. */
function assertNoForcePush(remote: string) {
  const updates = refUpdates(remote);
  for (const [from, to] of updates.slice(1)) assert.ok(isAncestor(remote, from, to), `update ${from} -> ${to} is not a fast-forward`);
  for (let i = 1; i < updates.length; i++) assert.equal(updates[i]![0], updates[i - 1]![1], "each update starts where the previous one ended");
  return updates;
}

describe("push script: concurrent promotions", () => {
  it("ten promotions started at once, each changing another environment: ten commits, nothing lost, linear, no force push", async (t) => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    pushBarrier(remote.path, ENVIRONMENTS.length);
    const seed = history(remote.path)[0]!.commit;

    const started = Date.now();
    const runs = await Promise.all(
      ENVIRONMENTS.map((e, i) =>
        runPush(
          promotionEnv(remote.url, writeFiles(join(root, `files-${e}`), { [`envs/${e}/kustomization.yaml`]: `images:\n  - name: backend\n    newTag: release-${i}\n` }), {
            GITOPS_MESSAGE: `promote ${String(i).repeat(12)} to ${e}: backend 1.${i}.0`,
            // All ten held until all arrived is the worst case: one winner per round could take
            // ten rounds, more than the default five attempts that sequential reality needs.
            GITOPS_MAX_ATTEMPTS: "10",
          }),
        ),
      ),
    );
    const wall = Date.now() - started;

    for (const r of runs) assert.equal(r.code, PUSH_EXIT.ok, r.stderr);
    const attempts = runs.map((r) => (r.result.status === "pushed" ? r.result.attempts : 0));
    assert.ok(
      attempts.every((a) => a >= 1),
      `every run pushed: ${runs.map((r) => r.result.status).join(", ")}`,
    );
    assert.ok(
      attempts.some((a) => a > 1),
      "the pushes really raced (some were rejected and rebased)",
    );

    const log = history(remote.path);
    assert.equal(log.length, 11, "the seed and ten promotion commits");
    for (let i = 0; i < log.length - 1; i++) assert.deepEqual(log[i]!.parents, [log[i + 1]!.commit], "linear: each commit's only parent is the one before");
    assert.equal(log[10]!.commit, seed);
    assert.deepEqual(new Set(log.slice(0, 10).map((c) => c.commit)), new Set(runs.map((r) => (r.result.status === "pushed" ? r.result.commit : ""))));
    ENVIRONMENTS.forEach((e, i) => assert.match(git(remote.path, "show", `main:envs/${e}/kustomization.yaml`), new RegExp(`newTag: release-${i}$`)));
    assert.equal(assertNoForcePush(remote.path).length, 11, "the remote accepted exactly 11 updates");

    t.diagnostic(`wall ${wall} ms; per run ${runs.map((r) => r.ms).join(", ")} ms; attempts ${attempts.join(", ")}`);
  });

  it("two conflicting promotions (same line, different values) at once: one wins, the other exits 3 naming the file and the winner", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    pushBarrier(remote.path, 2);
    const seed = history(remote.path)[0]!.commit;
    const file = "envs/prod/kustomization.yaml";
    const runs = await Promise.all(
      ["blue", "green"].map((v) => runPush(promotionEnv(remote.url, writeFiles(join(root, v), { [file]: `images:\n  - name: backend\n    newTag: ${v}\n` }), { GITOPS_MESSAGE: `promote ${v}` }))),
    );

    const winner = runs.find((r) => r.result.status === "pushed");
    const loser = runs.find((r) => r.result.status === "conflict");
    assert.ok(winner && loser, `one pushed, one conflicted: ${runs.map((r) => r.result.status).join(", ")}`);
    assert.equal(loser.code, PUSH_EXIT.conflict);
    assert.equal(winner.result.status === "pushed" && loser.result.status === "conflict", true);
    if (winner.result.status !== "pushed" || loser.result.status !== "conflict") return;
    assert.deepEqual(loser.result.files, [file]);
    assert.equal(loser.result.commit, winner.result.commit, "the other commit is the winner's");
    assert.match(loser.result.message, new RegExp(`^${file} on main changed since this promotion started, in ${winner.result.commit.slice(0, 12)} \\(promote (blue|green)\\)`));
    assert.match(loser.stderr, new RegExp(file.replace(/\//g, "\\/")));

    assert.deepEqual(
      history(remote.path).map((c) => c.commit),
      [winner.result.commit, seed],
      "the remote has exactly the winner's commit on the seed",
    );
    assertNoForcePush(remote.path);
  });

  it("the same promotion twice at once: one commit; the other finds its content there after rebasing", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    pushBarrier(remote.path, 2);
    const files = writeFiles(join(root, "files"), { "envs/dev/kustomization.yaml": "images:\n  - name: backend\n    newTag: same\n" });
    const runs = await Promise.all([runPush(promotionEnv(remote.url, files)), runPush(promotionEnv(remote.url, files))]);
    assert.deepEqual(runs.map((r) => r.result.status).sort(), ["already-there", "pushed"], runs.map((r) => r.stderr).join("\n"));
    const log = history(remote.path);
    assert.equal(log.length, 2);
    for (const r of runs) assert.equal(r.result.status !== "invalid" && r.result.status !== "failed" && r.result.commit, log[0]!.commit);
  });

  it("gives up after GITOPS_MAX_ATTEMPTS when the branch keeps moving, with exit 1 and nothing of its own pushed", async () => {
    const root = tempDir();
    const remote = bareRemote(root, SEED);
    pushBarrier(remote.path, 2);
    const runs = await Promise.all(["dev", "qa"].map((e) => runPush(promotionEnv(remote.url, writeFiles(join(root, e), { [`envs/${e}/kustomization.yaml`]: "x\n" }), { GITOPS_MAX_ATTEMPTS: "1" }))));
    const gaveUp = runs.find((r) => r.result.status === "failed");
    assert.ok(gaveUp, runs.map((r) => r.stdout).join("\n"));
    assert.equal(gaveUp.code, PUSH_EXIT.failed);
    assert.match(
      gaveUp.result.status === "failed" ? gaveUp.result.message : "",
      /main moved on every one of 1 push attempts; last: .*(fetch first|non-fast-forward|cannot lock ref|failed to update ref)/,
    );
    assert.equal(history(remote.path).length, 2);
  });
});
