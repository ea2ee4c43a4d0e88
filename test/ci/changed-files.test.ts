// ci/changed-files.sh, run by bash in real clones of a pull request (pull-request-repo.ts): the
// --changed arguments it prints for the wrappers, and every case where the changes are unknown
// (it prints nothing, so plan and ci count every component as affected).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { ROOT } from "../tiers/modules.js";
import { APP_REPO_FIXTURE } from "./app-repo.js";
import { droneClone, githubCheckout, pullRequestRepo } from "./pull-request-repo.js";
import { readListFlag } from "../../scripts/list-flag.js";

const SCRIPT = join(ROOT, "ci/changed-files.sh");
const pr = pullRequestRepo(APP_REPO_FIXTURE, parseConfig(readFileSync(join(APP_REPO_FIXTURE, "pipeline.yaml"), "utf8"), "pipeline.yaml"));

/** Run the script (or a variant of its text) in a checkout: its argument lines and what it said on stderr. */
function changedFlags(cwd: string, bases: string[], script = readFileSync(SCRIPT, "utf8")): { lines: string[]; stderr: string } {
  const r = spawnSync("bash", ["-c", script, "changed-files.sh", ...bases], { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, `exit 0 whatever the diff: ${r.stderr}`);
  return { lines: r.stdout === "" ? [] : r.stdout.replace(/\n$/, "").split("\n"), stderr: r.stderr };
}

/** The files the lines name, read as the Dagger CLI reads each --changed value. */
const filesOf = (lines: string[]) =>
  lines.flatMap((l) => {
    assert.match(l, /^--changed=/);
    return readListFlag(l.slice("--changed=".length));
  });

const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] }).toString();

describe("ci/changed-files.sh", () => {
  it("in GitHub's full clone of the merge: one --changed line per file, names with a space, a comma and quotes intact, a rename as both paths, main's own change left out", () => {
    const { lines, stderr } = changedFlags(githubCheckout(pr, 0), [pr.base]);
    assert.deepEqual(filesOf(lines), pr.changed);
    assert.ok(lines.includes('--changed="web/src/say ""hi"", world.ts"'), lines.join("\n"));
    assert.ok(pr.changed.includes("api/src/index.js") && pr.changed.includes("web/src/moved from backend.ts"), "the moved file's old and new paths");
    assert.ok(!pr.changed.some((f) => f.startsWith("db/")), "main's migration after the fork is not the pull request's");
    assert.match(stderr, /5 file\(s\) changed since [0-9a-f]{40}/);
  });

  it("in Drone's clone (the target branch with the pull request merged into it): the same files", () => {
    assert.deepEqual(filesOf(changedFlags(droneClone(pr), [pr.base, "origin/main"]).lines), pr.changed);
  });

  it("takes the first base the clone has: an unknown commit is skipped for origin/main", () => {
    assert.deepEqual(filesOf(changedFlags(droneClone(pr), ["f".repeat(40), "", "origin/main"]).lines), pr.changed);
  });

  it("mutant: with git's rename detection the moved file's old path (its backend) is lost, so --no-renames is what keeps it", () => {
    const mutant = readFileSync(SCRIPT, "utf8").replace("--name-only --no-renames -z", "--name-only -z");
    assert.notEqual(mutant, readFileSync(SCRIPT, "utf8"));
    const files = filesOf(changedFlags(githubCheckout(pr, 0), [pr.base], mutant).lines);
    assert.ok(!files.includes("api/src/index.js"), files.join(", "));
  });

  describe("unknown changes: nothing printed, the reason on stderr", () => {
    const unknown = (cwd: string, bases: string[], reason: RegExp) => {
      const { lines, stderr } = changedFlags(cwd, bases);
      assert.deepEqual(lines, []);
      assert.match(stderr, /the changed files are unknown \(/);
      assert.match(stderr, reason);
    };

    it("a shallow clone (actions/checkout's default depth): the base is not there", () => unknown(githubCheckout(pr, 1), [pr.base], /no base among \[[0-9a-f]{40}\]/));
    it("no base given, or only empty ones (Drone may leave DRONE_COMMIT_BEFORE empty)", () => {
      unknown(githubCheckout(pr, 0), [], /no base among \[\]/);
      unknown(githubCheckout(pr, 0), ["", ""], /no base among/);
    });
    it("a base with no history in common with HEAD", () => {
      const dir = githubCheckout(pr, 0);
      git(dir, "checkout", "-q", "--orphan", "other");
      git(dir, "commit", "-q", "--allow-empty", "-m", "unrelated");
      const unrelated = git(dir, "rev-parse", "HEAD").trim();
      git(dir, "checkout", "-q", "refs/remotes/pull/7/merge");
      unknown(dir, [unrelated], /no base among/);
    });
    it("no file differs (the base is HEAD)", () => unknown(githubCheckout(pr, 0), ["HEAD"], /no file differs/));
    it("a file name with a line break (one argument a line cannot carry it)", () => {
      const dir = githubCheckout(pr, 0);
      writeFileSync(join(dir, "web", "two\nlines.js"), "x\n");
      git(dir, "add", "-A");
      git(dir, "commit", "-q", "-m", "a name with a line break");
      unknown(dir, [pr.base], /a file name holds a line break/);
    });
    it("more files than the limit", () => {
      const script = readFileSync(SCRIPT, "utf8").replace("MAX_FILES=5000", "MAX_FILES=4");
      const { lines, stderr } = changedFlags(githubCheckout(pr, 0), [pr.base], script);
      assert.deepEqual(lines, []);
      assert.match(stderr, /5 files, more than the 4 passed as arguments/);
    });
  });
});
