/**
 * A pull request as the CI hosts see it, in real git repositories, for the wrappers' shell to diff:
 * an origin (bare) whose main holds the application, a branch forked from it (the pull request's
 * head, also at refs/pull/7/head as GitHub and Gitea publish it), main moved on after the fork,
 * and GitHub's test merge of the two (refs/pull/7/merge). And the job's work tree as each host's
 * clone leaves it:
 * - GitHub: actions/checkout of the merge ref, with `fetch-depth: 0` (every branch and tag, then
 *   the merge) or its default depth 1 (the merge commit alone);
 * - Drone: drone-git's clone-pull-request script (fetch the target branch, check it out, fetch the
 *   pull request's ref, merge its head into it).
 * The commands are the ones those clients run (actions/checkout's git command manager, drone/drone-git
 * posix/clone-pull-request), over file:// so that --depth works as it does over the network.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { PipelineConfig } from "../../.dagger/src/config/schema.js";

/** The origin and its commits. */
export interface PullRequestRepo {
  /** The bare repository (file:// URL). */
  url: string;
  /** main's tip when the pull request event fired: the event's base sha (GitHub) / DRONE_COMMIT_BEFORE. */
  base: string;
  /** The pull request's head commit. */
  head: string;
  /** GitHub's merge of head into main (github.sha of a pull_request event). */
  merge: string;
  /** What the pull request changes, sorted: what a correct `base...merge` diff names, renames as both paths. */
  changed: string[];
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=ci", "-c", "user.email=ci@example.com", "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  })
    .toString()
    .trim();

/** The path of the config's component of this kind. */
function componentPath(config: PipelineConfig, kind: string): string {
  const found = Object.values(config.components).find((c) => c.kind === kind);
  if (!found) throw new Error(`the application has no ${kind} component`);
  return found.path.replace(/\/+$/, "");
}

/**
 * An origin holding `appFiles` on main, and a pull request that adds files with a space, a comma
 * and quotes in their names to the frontend, moves a backend file into the frontend (a rename:
 * both components are touched), and edits a Markdown file (ignored by the default config); main
 * meanwhile gets a new database migration, which is not the pull request's change. So a correct
 * diff names the frontend and the backend, never the database.
 */
export function pullRequestRepo(appFiles: string, config: PipelineConfig): PullRequestRepo {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "pull-request-")));
  const origin = join(dir, "origin.git");
  const work = join(dir, "author");
  mkdirSync(work);
  git(dir, "init", "-q", "--bare", origin);
  cpSync(appFiles, work, { recursive: true, filter: (src) => !/\/(node_modules|dist)(\/|$)/.test(src) });
  git(work, "init", "-q");
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "the application");
  git(work, "push", "-q", origin, "HEAD:refs/heads/main");

  const frontend = componentPath(config, "frontend");
  const backend = componentPath(config, "backend");
  const database = componentPath(config, "database");
  const moved = git(work, "ls-files", "--", `${backend}/src`).split("\n")[0];
  if (!moved) throw new Error(`no file under ${backend}/src to move`);
  const added = [`${frontend}/src/order form.ts`, `${frontend}/src/say "hi", world.ts`, "docs/release notes.md"];
  git(work, "checkout", "-q", "-b", "feature/login");
  for (const f of added) {
    mkdirSync(dirname(join(work, f)), { recursive: true });
    writeFileSync(join(work, f), `// ${f}\n`);
  }
  const movedTo = `${frontend}/src/moved from backend.ts`;
  renameSync(join(work, moved), join(work, movedTo));
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "login page");
  const head = git(work, "rev-parse", "HEAD");
  git(work, "push", "-q", origin, "HEAD:refs/pull/7/head");

  git(work, "checkout", "-q", "main");
  mkdirSync(join(work, database, "migrations"), { recursive: true });
  writeFileSync(join(work, database, "migrations", "V9_9_9__after_the_fork.sql"), "select 1;\n");
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "a migration on main after the fork");
  const base = git(work, "rev-parse", "HEAD");
  git(work, "push", "-q", origin, "HEAD:refs/heads/main");
  git(work, "merge", "-q", "--no-ff", "-m", `Merge ${head} into ${base}`, head);
  const merge = git(work, "rev-parse", "HEAD");
  git(work, "push", "-q", origin, `${merge}:refs/pull/7/merge`);

  return { url: `file://${origin}`, base, head, merge, changed: [...added, moved, movedTo].sort() };
}

/** A new, empty job folder (the host's workspace). */
const workspace = (prefix: string) => realpathSync(mkdtempSync(join(tmpdir(), prefix)));

/** actions/checkout of a pull_request event: the merge ref, detached; fetch-depth 0 first fetches every branch and tag with full history. */
export function githubCheckout(pr: PullRequestRepo, fetchDepth: number): string {
  const dir = workspace("github-pr-");
  git(dir, "init", "-q");
  git(dir, "remote", "add", "origin", pr.url);
  if (fetchDepth === 0) git(dir, "fetch", "-q", "--prune", "--no-recurse-submodules", "origin", "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*");
  git(dir, "fetch", "-q", "--no-tags", "--prune", "--no-recurse-submodules", ...(fetchDepth > 0 ? [`--depth=${fetchDepth}`] : []), "origin", `+${pr.merge}:refs/remotes/pull/7/merge`);
  git(dir, "checkout", "-q", "--force", "refs/remotes/pull/7/merge");
  return dir;
}

/** drone-git's clone-pull-request: the target branch (with the clone's depth, if any), then the pull request's head merged into it. */
export function droneClone(pr: PullRequestRepo, target = "main"): string {
  const dir = workspace("drone-pr-");
  git(dir, "init", "-q");
  git(dir, "remote", "add", "origin", pr.url);
  git(dir, "fetch", "-q", "origin", `+refs/heads/${target}:`);
  git(dir, "checkout", "-q", target);
  git(dir, "fetch", "-q", "origin", "refs/pull/7/head:");
  git(dir, "merge", "-q", "-m", `Merge ${pr.head}`, pr.head);
  return dir;
}
