/**
 * The canary as the GitOps credential through the push script against a real Gitea: a Gitea user
 * whose password is the 4 KB canary (on one line: Gitea takes a password, not a multi-line
 * value), sent by the script as HTTP Basic (GITOPS_TOKEN_USER + GITOPS_TOKEN). The push lands;
 * the script's output, the clone it keeps, and the repository Gitea stores (every object, ref,
 * reflog, config and file) hold no form of the canary. A wrong password fails without showing it.
 * Run: bash scripts/integration/secrets.sh gitea (GITEA_BIN and GITEA_STATIC_ROOT from gitea.sh).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PUSH_EXIT } from "../../modules/gitops/src/git/push-script.js";
import { promotionEnv, runPush, tempDir, writeFiles } from "../gitops/git/git-fixture.js";
import { giteaApi, startGitea, type Gitea } from "../gitops/git/gitea-server.js";
import { canary, leaksIn } from "./canary.js";
import { everyFile, everyObject } from "./git-evidence.js";

const SECRET = canary();
const LINE = SECRET.replace(/\n/g, "");
const USER = "canary-promoter";

/** Fails naming `where` when `text` holds a form of the canary (also inside user:password). */
function clean(text: string, where: string): void {
  const found = [...leaksIn(text, SECRET, USER), ...leaksIn(text, LINE, USER)];
  assert.deepEqual(found, [], `${where} holds the canary`);
}

describe("the GitOps credential as a canary against a real Gitea", () => {
  let gitea: Gitea;
  let root: string;
  let work: string;
  let clone: string;

  before(async () => {
    root = tempDir("secrets-gitea");
    work = join(root, "gitea");
    mkdirSync(work);
    gitea = await startGitea(work);
    // Gitea's API caps a password at 255 characters; its admin CLI (same config, same database) does not.
    const bin = process.env.GITEA_BIN as string;
    const created = spawnSync(
      bin,
      ["--config", join(work, "app.ini"), "--work-path", work, "admin", "user", "create", "--username", USER, "--password", LINE, "--email", `${USER}@example.test`, "--must-change-password=false"],
      { cwd: work, encoding: "utf8" },
    );
    assert.equal(created.status, 0, `gitea admin user create: ${created.stderr}${created.stdout}`.replace(LINE, "<canary>"));
    await giteaApi(gitea, gitea.promoterToken, "POST", "/user/repos", { name: "gitops", auto_init: true, default_branch: "main", private: true });
    await giteaApi(gitea, gitea.promoterToken, "PUT", `/repos/promoter/gitops/collaborators/${USER}`, { permission: "write" });
    clone = `${gitea.url}/promoter/gitops.git`;
  });
  after(() => gitea?.stop());

  test("a push with the canary as the password lands; output, clone, Gitea's repository and log hold no form of it", async () => {
    const workdir = join(root, "work");
    mkdirSync(workdir);
    const files = writeFiles(join(root, "files"), { "envs/prod/kustomization.yaml": "images:\n  - name: backend\n    newTag: 1.2.0\n" });
    const run = await runPush(promotionEnv(clone, files, { GITOPS_TOKEN: LINE, GITOPS_TOKEN_USER: USER, GITOPS_WORKDIR: workdir }));
    assert.equal(run.code, PUSH_EXIT.ok, run.stderr);
    assert.equal(run.result.status, "pushed");
    clean(`${run.stdout}\n${run.stderr}`, "the script's output");
    for (const [path, text] of everyFile(workdir)) clean(text, path);
    clean(everyObject(join(workdir, "repo")), "the clone's objects, refs, reflog and config");
    // What Gitea stored: the bare repository on its disk, read by git and byte by byte.
    const stored = join(work, "data", "repos", "promoter", "gitops.git");
    assert.ok(existsSync(stored), `Gitea's repository at ${stored}`);
    assert.match(execFileSync("git", ["-C", stored, "log", "-1", "--format=%s", "main"], { encoding: "utf8" }), /promote/, "the promotion is on main in Gitea");
    clean(everyObject(stored), "Gitea's repository (objects, refs, reflog, config)");
    for (const [path, text] of everyFile(stored)) clean(text, path);
    clean(gitea.log(), "Gitea's own output");
    if (existsSync(join(work, "log"))) for (const [path, text] of everyFile(join(work, "log"))) clean(text, path);
  });

  test("a wrong password: refused by Gitea, and the failure does not show the one sent", async () => {
    const files = writeFiles(join(root, "files-wrong"), { "envs/prod/kustomization.yaml": "images: []\n" });
    // The canary's last character is random base64url: replace it with one it cannot be, or a
    // canary ending in "x" (1 in 64) would make the "wrong" password the right one.
    const wrong = `${LINE.slice(0, -1)}${LINE.endsWith("x") ? "y" : "x"}`;
    assert.notEqual(wrong, LINE);
    const run = await runPush(promotionEnv(clone, files, { GITOPS_TOKEN: wrong, GITOPS_TOKEN_USER: USER }));
    assert.equal(run.code, PUSH_EXIT.failed, run.stderr);
    assert.match("message" in run.result ? run.result.message : "", /cannot clone/);
    for (const secret of [wrong, SECRET]) assert.deepEqual([...leaksIn(`${run.stdout}\n${run.stderr}`, secret, USER), ...leaksIn(`${run.stdout}\n${run.stderr}`, secret.replace(/\n/g, ""), USER)], []);
  });
});
