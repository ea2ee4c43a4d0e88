/**
 * How a promotion lands in the GitOps repository: a self-contained Node ESM script (node:
 * built-ins and the git CLI only) that runs in a container with git and node
 * (node:22-bookworm), and the typed description of its inputs.
 *
 * The script clones the environment branch, writes the desired files, and makes ONE commit. It
 * pushes without force; when the branch moved meanwhile it fetches, replays its commit onto the
 * new tip (`git pull --rebase` semantics) and pushes again, with a jittered backoff. A commit
 * that is already there (same content) is not made twice. In pull-request mode the commit goes
 * to a promotion branch made from the environment branch's tip instead.
 *
 * The token (HTTPS remotes) reaches git only as `http.<origin>/.extraHeader` through the
 * GIT_CONFIG_COUNT/KEY/VALUE environment variables: not in the URL (git prints URLs in its
 * messages and stores them in .git/config), not in argv (visible in `ps`), not in any config
 * file, and not through a credential helper (git hands credentials it used to every configured
 * helper, and a `store` helper would write it to disk). git keeps sending that header to
 * wherever a redirect leads, so while a token is set redirects are refused (the error says to use
 * the final URL). Everything the script prints is passed through a redaction of the token and its
 * Basic form as a second line of defence.
 *
 * Run it as a file named *.mjs: `node /promote/push.mjs`. The last line of stdout is the result
 * as JSON (see ./push-result.ts); progress goes to stderr.
 */

/** Environment variables the push script reads (the token comes as a secret variable). */
export const PUSH_ENV = {
  /** Clone URL of the GitOps repository (no credentials in it). */
  remote: "GITOPS_REMOTE",
  /** The environment's branch: committed to directly, or the base of the pull request. */
  branch: "GITOPS_BRANCH",
  /** Pull-request mode: the promotion branch to push to, made from `branch`'s tip when absent. */
  headBranch: "GITOPS_HEAD_BRANCH",
  /** Folder holding the desired contents of the changed files, at their paths in the repository. */
  files: "GITOPS_FILES",
  /** JSON array of repository paths to delete. */
  delete: "GITOPS_DELETE",
  /** The whole commit message, trailers included (./message.ts). */
  message: "GITOPS_MESSAGE",
  /** Author (and committer) of the commit. */
  authorName: "GITOPS_AUTHOR_NAME",
  /** Author (and committer) e-mail of the commit. */
  authorEmail: "GITOPS_AUTHOR_EMAIL",
  /** Push attempts before giving up while the branch keeps moving (default 5). */
  maxAttempts: "GITOPS_MAX_ATTEMPTS",
  /** Least unit of the jittered backoff, in milliseconds (default 200; a slower push is the unit instead). */
  backoffMs: "GITOPS_BACKOFF_MS",
  /** User name sent with the token in HTTP Basic auth (default x-access-token; GitHub and Gitea ignore it for tokens). */
  tokenUser: "GITOPS_TOKEN_USER",
  /** Optional empty folder to clone into and keep (tests, debugging); by default a temp folder, removed. */
  workdir: "GITOPS_WORKDIR",
  /** Token for an http(s) remote; pass it as a secret variable, never as a plain one. */
  token: "GITOPS_TOKEN",
} as const;

/** Where the promotion's inputs are placed in the container by convention. */
export const PUSH_PATHS = {
  /** The script itself (must end in .mjs: it uses top-level await and imports). */
  script: "/promote/push.mjs",
  /** The folder of desired file contents (GITOPS_FILES). */
  files: "/promote/files",
} as const;

/** The inputs of one push, as the caller knows them. */
export interface PushInputs {
  /** Clone URL of the GitOps repository. */
  remote: string;
  /** The environment's branch. */
  branch: string;
  /** Pull-request mode: the promotion branch (promote/<environment>/<release short sha>). */
  headBranch?: string;
  /** Folder holding the desired contents of the changed files (a path in the container). */
  files: string;
  /** Repository paths to delete. */
  delete?: string[];
  /** The commit message with its trailers. */
  message: string;
  /** Commit author name. */
  authorName: string;
  /** Commit author e-mail. */
  authorEmail: string;
  /** Push attempts (default 5). */
  maxAttempts?: number;
  /** Backoff base in milliseconds (default 200). */
  backoffMs?: number;
  /** User name sent with the token (default x-access-token). */
  tokenUser?: string;
  /** Empty folder to clone into and keep (tests, debugging). */
  workdir?: string;
}

/** The plain (non-secret) environment variables of a push; the token goes separately as GITOPS_TOKEN. */
export function pushEnvironment(inputs: PushInputs): Record<string, string> {
  const env: Record<string, string> = {
    [PUSH_ENV.remote]: inputs.remote,
    [PUSH_ENV.branch]: inputs.branch,
    [PUSH_ENV.files]: inputs.files,
    [PUSH_ENV.message]: inputs.message,
    [PUSH_ENV.authorName]: inputs.authorName,
    [PUSH_ENV.authorEmail]: inputs.authorEmail,
  };
  if (inputs.headBranch !== undefined) env[PUSH_ENV.headBranch] = inputs.headBranch;
  if (inputs.delete && inputs.delete.length > 0) env[PUSH_ENV.delete] = JSON.stringify(inputs.delete);
  if (inputs.maxAttempts !== undefined) env[PUSH_ENV.maxAttempts] = String(inputs.maxAttempts);
  if (inputs.backoffMs !== undefined) env[PUSH_ENV.backoffMs] = String(inputs.backoffMs);
  if (inputs.tokenUser !== undefined) env[PUSH_ENV.tokenUser] = inputs.tokenUser;
  if (inputs.workdir !== undefined) env[PUSH_ENV.workdir] = inputs.workdir;
  return env;
}

/** Exit codes of the push script. */
export const PUSH_EXIT = {
  /** Pushed, or already there. */
  ok: 0,
  /** git failed (unreachable remote, authentication, the branch kept moving on every attempt). */
  failed: 1,
  /** A bad input; nothing was pushed. */
  invalid: 2,
  /** The promotion's change conflicts with a commit that reached the branch first. */
  conflict: 3,
} as const;

/**
 * The push script. Written without template literals so that it can live in this constant;
 * String.raw keeps its backslashes as the script needs them.
 */
export const PUSH_SCRIPT = String.raw`// GitOps push: one commit (or one promotion branch) per promotion; never a force push.
import { spawnSync } from "node:child_process";
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const E = process.env;
const EXIT = { ok: 0, failed: 1, invalid: 2, conflict: 3 };
const token = E.GITOPS_TOKEN || "";
const tokenUser = E.GITOPS_TOKEN_USER || "x-access-token";
const basic = token ? Buffer.from(tokenUser + ":" + token).toString("base64") : "";
// The token as git or a remote might echo it: raw, in its Basic form, JSON-escaped (a token with
// a line break, inside the JSON result line), URL-encoded, and each line of a multi-line one;
// longest first, so no form is left half-replaced by a shorter one.
const lines = token.includes("\n") ? token.split(/\r?\n/).filter((l) => l.length >= 8) : [];
const secrets = [...new Set([basic, token, JSON.stringify(token).slice(1, -1), encodeURIComponent(token), ...lines])].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);

// Everything printed goes through here: git should never echo the header, but a log is forever.
// A form cut short (git shortens a long remote message) still starts like the form: a run of 16
// or more characters matching the start of a long form goes too.
const redact = (text) => {
  let t = String(text);
  for (const s of secrets) {
    t = t.split(s).join("***");
    if (s.length < 24) continue;
    const head = s.slice(0, 16);
    for (let at = t.indexOf(head); at >= 0; at = t.indexOf(head, at + 3)) {
      let n = head.length;
      while (n < s.length && t[at + n] === s[n]) n++;
      t = t.slice(0, at) + "***" + t.slice(at + n);
    }
  }
  return t;
};
const log = (line) => process.stderr.write(redact("gitops-push: " + line) + "\n");

class Stop extends Error {
  constructor(code, result) {
    super(result.message || result.status);
    this.code = code;
    this.result = result;
  }
}
const invalid = (message) => new Stop(EXIT.invalid, { status: "invalid", message });
const failed = (message) => new Stop(EXIT.failed, { status: "failed", message });

// --- inputs -------------------------------------------------------------------------------
const SAFE_PATH = /^(?!\/)(?!.*\\)(?!.*\0)[^]+$/;
function checkPath(p, what) {
  const parts = p.split("/");
  if (!SAFE_PATH.test(p) || parts.some((s) => s === "" || s === "." || s === ".." || s.toLowerCase() === ".git"))
    throw invalid(what + ": " + JSON.stringify(p) + " is not a relative path inside the repository (no leading '/', no '.', '..' or .git segments)");
  return p;
}

function filesUnder(root) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const r = rel ? rel + "/" + e.name : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(checkPath(r, "GITOPS_FILES"));
      else throw invalid("GITOPS_FILES: " + r + " is not a regular file (symlinks and special files are refused)");
    }
  };
  walk("");
  return out.sort();
}

function checkBranch(name, what) {
  const r = spawnSync("git", ["check-ref-format", "--branch", name], { encoding: "utf8" });
  if (r.error) throw failed("git is not installed or not on PATH: " + r.error.message);
  if (r.status !== 0 || name.startsWith("-")) throw invalid(what + ": " + JSON.stringify(name) + " is not a valid branch name");
  return name;
}

function readInputs() {
  const need = (name, what) => {
    const v = (E[name] || "").trim();
    if (!v) throw invalid(name + ": " + what + " is missing");
    return v;
  };
  const remote = need("GITOPS_REMOTE", "the GitOps repository's clone URL");
  if (/^[a-z][a-z0-9+.-]*:\/\/[^\/]*@/i.test(remote)) throw invalid("GITOPS_REMOTE: must not carry credentials; pass the token as GITOPS_TOKEN");
  const http = /^https?:\/\//i.test(remote);
  if (token && !http) throw invalid("GITOPS_TOKEN: a token is only sent to http(s) remotes, and GITOPS_REMOTE is not one");
  const branch = checkBranch(need("GITOPS_BRANCH", "the environment's branch"), "GITOPS_BRANCH");
  const head = E.GITOPS_HEAD_BRANCH ? checkBranch(E.GITOPS_HEAD_BRANCH.trim(), "GITOPS_HEAD_BRANCH") : undefined;
  if (head === branch) throw invalid("GITOPS_HEAD_BRANCH: must differ from GITOPS_BRANCH (" + branch + ")");
  const filesDir = need("GITOPS_FILES", "the folder of desired file contents");
  let isDir = false;
  try { isDir = statSync(filesDir).isDirectory(); } catch {}
  if (!isDir) throw invalid("GITOPS_FILES: " + filesDir + " is not a folder");
  const files = filesUnder(filesDir);
  let deletes = [];
  if (E.GITOPS_DELETE) {
    try { deletes = JSON.parse(E.GITOPS_DELETE); } catch { throw invalid("GITOPS_DELETE: is not JSON; give a JSON array of paths"); }
    if (!Array.isArray(deletes) || deletes.some((d) => typeof d !== "string")) throw invalid("GITOPS_DELETE: must be a JSON array of paths");
    deletes.forEach((d) => checkPath(d, "GITOPS_DELETE"));
    const both = deletes.filter((d) => files.includes(d));
    if (both.length > 0) throw invalid("GITOPS_DELETE: " + both.join(", ") + " also in GITOPS_FILES; a file is either written or deleted");
  }
  if (files.length === 0 && deletes.length === 0) throw invalid("GITOPS_FILES: " + filesDir + " is empty and GITOPS_DELETE names nothing: there is nothing to promote");
  const message = E.GITOPS_MESSAGE || "";
  if (!message.trim()) throw invalid("GITOPS_MESSAGE: the commit message is empty");
  const authorName = need("GITOPS_AUTHOR_NAME", "the commit author's name");
  const authorEmail = need("GITOPS_AUTHOR_EMAIL", "the commit author's e-mail");
  if (/[<>\n]/.test(authorName + authorEmail)) throw invalid("GITOPS_AUTHOR_NAME/GITOPS_AUTHOR_EMAIL: must not contain '<', '>' or newlines");
  const int = (name, dflt, min, max) => {
    const v = E[name] === undefined || E[name] === "" ? dflt : Number(E[name]);
    if (!Number.isInteger(v) || v < min || v > max) throw invalid(name + ": must be a whole number from " + min + " to " + max + " (got " + JSON.stringify(E[name]) + ")");
    return v;
  };
  const maxAttempts = int("GITOPS_MAX_ATTEMPTS", 5, 1, 50);
  const backoffMs = int("GITOPS_BACKOFF_MS", 200, 0, 60000);
  return { remote, http, branch, head, filesDir, files, deletes, message, authorName, authorEmail, maxAttempts, backoffMs };
}

// --- git ----------------------------------------------------------------------------------
function gitEnvironment(input) {
  const config = [
    ["core.hooksPath", "/dev/null"],
    ["commit.gpgSign", "false"],
    ["core.autocrlf", "false"],
    ["advice.detachedHead", "false"],
    ["init.defaultBranch", "main"],
    // An empty helper value resets the list: no helper is asked for, or handed, credentials.
    ["credential.helper", ""],
  ];
  if (token && input.http) {
    // git picks http.<url>.* settings once, for the remote's URL, and keeps sending the header
    // to wherever a redirect leads (seen with git 2.39): with a token, redirects are refused.
    const origin = new URL(input.remote).origin + "/";
    config.push(["http." + origin + ".extraHeader", "Authorization: Basic " + basic]);
    config.push(["http.followRedirects", "false"]);
  }
  const env = { ...E };
  // Our own inputs (the token!) stay out of git's environment, and so does anything that would
  // point git at another repository or make it trace its HTTP traffic.
  const drop = /^(GITOPS_|GIT_TRACE|GIT_CURL_VERBOSE|GIT_CONFIG_(COUNT|KEY_|VALUE_|PARAMETERS)|GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|COMMON_DIR|NAMESPACE)$|GIT_(AUTHOR|COMMITTER)_)/;
  for (const k of Object.keys(env)) if (drop.test(k)) delete env[k];
  Object.assign(env, {
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: input.authorName,
    GIT_AUTHOR_EMAIL: input.authorEmail,
    GIT_COMMITTER_NAME: input.authorName,
    GIT_COMMITTER_EMAIL: input.authorEmail,
    GIT_CONFIG_COUNT: String(config.length),
  });
  config.forEach(([k, v], i) => {
    env["GIT_CONFIG_KEY_" + i] = k;
    env["GIT_CONFIG_VALUE_" + i] = v;
  });
  return env;
}

let gitEnv = {};
function git(args, options = {}) {
  const r = spawnSync("git", args, { cwd: options.cwd, env: gitEnv, encoding: "utf8", input: options.input, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw failed("git " + args[0] + ": " + r.error.message);
  return { status: r.status, stdout: r.stdout || "", stderr: r.stderr || "" };
}
// git's own words, minus hints and progress, on one line. Redacted before it is joined and cut:
// a token split over lines, or cut at the end, would no longer match.
const lastLines = (text) => redact(redact(text).split("\n").map((l) => l.trim()).filter((l) => l && !/^(hint|warning):|^Done$|^To /.test(l)).join(" / ").slice(0, 800));
function must(args, what, options) {
  const r = git(args, options);
  if (r.status !== 0) throw failed(what + ": " + lastLines(r.stderr + "\n" + r.stdout));
  return r.stdout.trim();
}

// --- the promotion ------------------------------------------------------------------------
const RETRYABLE = /\[rejected\]|fetch first|non-fast-forward|cannot lock ref|failed to update ref|incorrect old value|stale info/i;

function clone(input, dir) {
  const r = git(["clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags", "--branch", input.branch, "--", input.remote, dir]);
  if (r.status === 0) return;
  if (/Remote branch .* not found/i.test(r.stderr))
    throw invalid("GITOPS_BRANCH: branch " + JSON.stringify(input.branch) + " does not exist in " + redact(input.remote));
  const hint = token && /returned error: 30[1278]/.test(r.stderr) ? " (the remote redirects; with a token redirects are not followed, since the token would go along: use the URL it redirects to)" : "";
  throw failed("cannot clone " + redact(input.remote) + ": " + lastLines(r.stderr) + hint);
}

function remoteTip(dir, branch) {
  const ref = "refs/heads/" + branch;
  const out = must(["ls-remote", "origin", ref], "cannot read " + ref + " from the remote", { cwd: dir });
  const line = out.split("\n").find((l) => l.endsWith("\t" + ref));
  return line ? line.split("\t")[0] : undefined;
}

// A plain (not --depth) fetch into the shallow clone brings the commits from the new tip down to
// the ones it has, so the commits that moved the branch can be named in a conflict.
// The first fetch of an existing promotion branch needs no history (depth 1). "optional": a
// branch that does not exist (yet) gives undefined instead of an error.
function fetchTip(dir, branch, shallow = false, optional = false) {
  const ref = "refs/remotes/origin/" + branch;
  const depth = shallow ? ["--depth", "1"] : [];
  const r = git(["fetch", "--quiet", "--no-tags", ...depth, "origin", "+refs/heads/" + branch + ":" + ref], { cwd: dir });
  if (r.status !== 0) {
    if (optional && /couldn't find remote ref/i.test(r.stderr)) return undefined;
    throw failed("cannot fetch " + branch + ": " + lastLines(r.stderr));
  }
  return must(["rev-parse", ref], "rev-parse", { cwd: dir });
}

function apply(input, dir) {
  for (const f of input.files) {
    const to = join(dir, f);
    try {
      mkdirSync(join(to, ".."), { recursive: true });
      if (lstatSync(to, { throwIfNoEntry: false })?.isDirectory()) throw new Error("it is a folder in the repository");
      copyFileSync(join(input.filesDir, f), to);
    } catch (e) {
      throw invalid("GITOPS_FILES: cannot write " + f + ": " + e.message);
    }
  }
  for (let i = 0; i < input.files.length; i += 500) must(["add", "--force", "--", ...input.files.slice(i, i + 500)], "git add", { cwd: dir });
  for (const d of input.deletes) must(["rm", "--quiet", "--ignore-unmatch", "--", d], "cannot delete " + d, { cwd: dir });
  return git(["diff", "--cached", "--quiet"], { cwd: dir }).status !== 0;
}

function conflict(input, dir, base, tip, target) {
  const files = must(["diff", "--name-only", "--diff-filter=U"], "listing conflicts", { cwd: dir }).split("\n").filter(Boolean);
  git(["rebase", "--abort"], { cwd: dir });
  const others = must(["log", "--format=%H %s", base + ".." + tip, "--", ...files], "naming the other commits", { cwd: dir }).split("\n").filter(Boolean);
  const named = others.length > 0 ? others : [tip + " " + must(["log", "-1", "--format=%s", tip], "log", { cwd: dir })];
  const commits = named.map((l) => ({ commit: l.slice(0, 40), subject: l.slice(41) }));
  const message =
    files.join(", ") + " on " + target + " changed since this promotion started, in " +
    commits.map((c) => c.commit.slice(0, 12) + " (" + c.subject + ")").join(", ") +
    ", and this promotion's change to the same lines conflicts with it; nothing was pushed";
  return new Stop(EXIT.conflict, { status: "conflict", files, commit: commits[0].commit, commits, branch: target, message });
}

async function promote(input, dir) {
  clone(input, dir);
  const target = input.head || input.branch;
  let start = "refs/remotes/origin/" + input.branch;
  let targetExists = !input.head;
  if (input.head && remoteTip(dir, input.head)) {
    fetchTip(dir, input.head, true);
    start = "refs/remotes/origin/" + input.head;
    targetExists = true;
  }
  must(["checkout", "--quiet", "--detach", start], "checkout", { cwd: dir });
  let base = must(["rev-parse", "HEAD"], "rev-parse", { cwd: dir });
  log("cloned " + (targetExists ? target : input.branch) + " at " + base.slice(0, 12));
  if (!apply(input, dir)) return { status: "already-there", commit: base, branch: targetExists ? target : input.branch };
  must(["commit", "--quiet", "--no-verify", "--cleanup=whitespace", "--file=-"], "commit", { cwd: dir, input: input.message });

  for (let attempt = 1; ; attempt++) {
    const pushStarted = Date.now();
    const push = git(["push", "--porcelain", "--no-verify", "origin", "HEAD:refs/heads/" + target], { cwd: dir });
    const pushMs = Date.now() - pushStarted;
    const commit = must(["rev-parse", "HEAD"], "rev-parse", { cwd: dir });
    if (push.status === 0) {
      log("pushed " + commit.slice(0, 12) + " to " + target + " (attempt " + attempt + ")");
      return { status: "pushed", commit, attempts: attempt, branch: target };
    }
    const why = lastLines(push.stdout + "\n" + push.stderr);
    // Only a branch that moved, or a ref lock lost to a concurrent push, is worth another try;
    // anything else (authentication, a protected branch, a hook: "[remote rejected]") is final.
    if (!RETRYABLE.test(push.stdout + push.stderr)) throw failed("push to " + target + " was refused: " + why);
    if (attempt >= input.maxAttempts)
      throw failed(target + " moved on every one of " + input.maxAttempts + " push attempts; last: " + why + " (raise GITOPS_MAX_ATTEMPTS or try again)");
    // Full jitter over a window that doubles per attempt, in units of at least one push (a push
    // to a hosted forge takes far longer than to a local bare repository): racing promotions
    // spread out instead of colliding again.
    const wait = Math.round(Math.max(input.backoffMs, pushMs) * Math.min(2 ** attempt, 64) * Math.random());
    log("push of " + commit.slice(0, 12) + " to " + target + " rejected (" + why + "); rebasing after " + wait + " ms, attempt " + (attempt + 1) + " of " + input.maxAttempts);
    await sleep(wait);
    const newTip = fetchTip(dir, target, false, true);
    if (newTip === undefined || newTip === base) continue;
    const rebase = git(["rebase", "--quiet", "--no-autosquash", "--onto", newTip, base], { cwd: dir });
    if (rebase.status !== 0) {
      if (git(["diff", "--name-only", "--diff-filter=U"], { cwd: dir }).stdout.trim()) throw conflict(input, dir, base, newTip, target);
      git(["rebase", "--abort"], { cwd: dir });
      throw failed("rebase onto " + newTip.slice(0, 12) + " failed: " + lastLines(rebase.stderr + "\n" + rebase.stdout));
    }
    base = newTip;
    // The commit became empty: what it wanted is already on the branch.
    if (must(["rev-parse", "HEAD"], "rev-parse", { cwd: dir }) === newTip) {
      log(target + " already holds this promotion's content at " + newTip.slice(0, 12));
      return { status: "already-there", commit: newTip, branch: target };
    }
  }
}

async function main() {
  // GITOPS_WORKDIR keeps the clone for inspection (tests, debugging); by default it is thrown away.
  const keep = E.GITOPS_WORKDIR || "";
  const work = keep || mkdtempSync(join(tmpdir(), "gitops-push-"));
  try {
    if (keep && readdirSync(keep, { withFileTypes: true }).length > 0) throw invalid("GITOPS_WORKDIR: " + keep + " must be an empty folder");
    const input = readInputs();
    gitEnv = gitEnvironment(input);
    return { code: EXIT.ok, result: await promote(input, join(work, "repo")) };
  } catch (e) {
    if (e instanceof Stop) return e;
    return { code: EXIT.failed, result: { status: "failed", message: redact(e && e.stack ? e.stack : e) } };
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

const { code, result } = await main();
if (result.status === "invalid" || result.status === "failed" || result.status === "conflict") log(result.message);
process.stdout.write(redact(JSON.stringify(result)) + "\n");
process.exitCode = code;
`;
