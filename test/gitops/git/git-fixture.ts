/**
 * Real git for the push script's tests: bare repositories in temp dirs as remotes, folders of
 * desired files, and PUSH_SCRIPT run with this machine's node as its own process.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { PUSH_SCRIPT } from "../../../modules/gitops/src/git/push-script.js";
import { parsePushResult, type PushResult } from "../../../modules/gitops/src/git/push-result.js";

/** A temp dir removed when the process exits (and by the caller's after() hook). */
export function tempDir(prefix = "gitops-git"): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Tests must not see the developer's git configuration, nor the trace settings of a shell.
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };

/** Run git; throw with its stderr when it fails. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} (in ${cwd}) failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Write files (path → content) under a folder. */
export function writeFiles(root: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** A bare repository whose `branch` holds `files` in one commit; reflogs on, so every ref update is recorded. */
export function bareRemote(root: string, files: Record<string, string>, branch = "main"): { path: string; url: string } {
  const path = join(root, "remote.git");
  git(root, "init", "--quiet", "--bare", "--initial-branch", branch, path);
  git(path, "config", "core.logAllRefUpdates", "always");
  const seed = join(root, "seed");
  git(root, "init", "--quiet", "--initial-branch", branch, seed);
  writeFiles(seed, files);
  git(seed, "add", "-A");
  git(seed, "-c", "user.name=seed", "-c", "user.email=seed@example.test", "commit", "--quiet", "-m", "seed");
  git(seed, "push", "--quiet", path, `${branch}:refs/heads/${branch}`);
  rmSync(seed, { recursive: true, force: true });
  return { path, url: pathToFileURL(path).href };
}

/**
 * A pre-receive hook that holds every push until `count` pushes have arrived (at most 10 s), so
 * that concurrent promotions really race: all of them cloned the same tip before any landed.
 */
export function pushBarrier(remote: string, count: number): void {
  const dir = join(remote, "barrier");
  mkdirSync(dir, { recursive: true });
  const hook = join(remote, "hooks", "pre-receive");
  writeFileSync(
    hook,
    `#!/bin/sh
cat > /dev/null
: > "${dir}/$$"
i=0
while [ "$(ls "${dir}" | wc -l)" -lt ${count} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
exit 0
`,
  );
  chmodSync(hook, 0o755);
}

/** One commit of a branch's history, newest first. */
export interface LoggedCommit {
  commit: string;
  parents: string[];
  subject: string;
}

/** The branch's history in a repository (bare or not). */
export function history(repo: string, branch = "main"): LoggedCommit[] {
  return git(repo, "log", "--format=%H %P%x09%s", `refs/heads/${branch}`)
    .split("\n")
    .map((l) => {
      const [ids, subject] = l.split("\t");
      const [commit, ...parents] = ids!.split(" ");
      return { commit: commit!, parents, subject: subject! };
    });
}

/** The remote's reflog of a branch as [old, new] pairs, oldest first: every update it accepted. */
export function refUpdates(remote: string, branch = "main"): [string, string][] {
  return readFileSync(join(remote, "logs", "refs", "heads", branch), "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(" ").slice(0, 2) as [string, string]);
}

/** Whether `a` is an ancestor of (or equal to) `b`. */
export function isAncestor(repo: string, a: string, b: string): boolean {
  return spawnSync("git", ["merge-base", "--is-ancestor", a, b], { cwd: repo, env: GIT_ENV }).status === 0;
}

let scriptFile: string | undefined;
/** PUSH_SCRIPT written once per test process as push.mjs. */
export function pushScriptFile(): string {
  if (!scriptFile) {
    scriptFile = join(tempDir("gitops-push-script"), "push.mjs");
    writeFileSync(scriptFile, PUSH_SCRIPT);
  }
  return scriptFile;
}

/** What one run of the script did. */
export interface PushRun {
  code: number | null;
  stdout: string;
  stderr: string;
  result: PushResult;
  ms: number;
}

/** Run the push script with exactly these variables (plus PATH and HOME), as its own process. */
export function runPush(env: Record<string, string>): Promise<PushRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [pushScriptFile()], { env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        resolve({ code, stdout, stderr, result: parsePushResult(stdout), ms: Date.now() - started });
      } catch (e) {
        reject(new Error(`${(e as Error).message}\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}

/** The variables of a commit-mode promotion, overridable per test. */
export function promotionEnv(remoteUrl: string, files: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    GITOPS_REMOTE: remoteUrl,
    GITOPS_BRANCH: "main",
    GITOPS_FILES: files,
    GITOPS_MESSAGE: `promote aaaaaaaaaaaa to dev: backend 1.2.0\n\nRelease: ${"a".repeat(40)}\n`,
    GITOPS_AUTHOR_NAME: "promotion bot",
    GITOPS_AUTHOR_EMAIL: "bot@example.test",
    ...overrides,
  };
}
