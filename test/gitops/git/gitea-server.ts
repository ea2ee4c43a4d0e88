/**
 * A real Gitea for the integration test: the binary named by GITEA_BIN (built from the Go module
 * proxy, without bindata, so GITEA_STATIC_ROOT must point at a source tree holding options/),
 * SQLite, on a free 127.0.0.1 port, with an admin "promoter" and a "reviewer", each with a token.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** A running Gitea. */
export interface Gitea {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Token of the admin user "promoter" (all scopes). */
  promoterToken: string;
  /** Token of the user "reviewer" (all scopes). */
  reviewerToken: string;
  /** Its log so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Start Gitea in `work` (a fresh temp dir). */
export async function startGitea(work: string): Promise<Gitea> {
  const bin = process.env.GITEA_BIN;
  const staticRoot = process.env.GITEA_STATIC_ROOT;
  if (!bin || !staticRoot) throw new Error("set GITEA_BIN (the gitea binary) and GITEA_STATIC_ROOT (its source tree, for options/)");
  const port = await freePort();
  const config = join(work, "app.ini");
  mkdirSync(join(work, "data"), { recursive: true });
  writeFileSync(
    config,
    `; Loopback-only test instance, thrown away after the test.
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true
APP_NAME = gitops-test
RUN_MODE = prod
WORK_PATH = ${work}
[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = ${port}
ROOT_URL = http://127.0.0.1:${port}/
DISABLE_SSH = true
OFFLINE_MODE = true
LFS_START_SERVER = false
STATIC_ROOT_PATH = ${staticRoot}
[database]
DB_TYPE = sqlite3
PATH = ${work}/data/gitea.db
[security]
INSTALL_LOCK = true
SECRET_KEY = loopback-test-instance
[service]
DISABLE_REGISTRATION = true
[repository]
ROOT = ${work}/data/repos
DEFAULT_BRANCH = main
[log]
MODE = file
LEVEL = Warn
ROOT_PATH = ${work}/log
[indexer]
REPO_INDEXER_ENABLED = false
[cron]
ENABLED = false
[mailer]
ENABLED = false
[actions]
ENABLED = false
`,
  );
  const args = ["--config", config, "--work-path", work];
  const cli = (...more: string[]) => {
    const r = spawnSync(bin, [...args, ...more], { encoding: "utf8", cwd: work });
    if (r.status !== 0) throw new Error(`gitea ${more.slice(0, 3).join(" ")} failed: ${r.stderr}${r.stdout}`);
    return r.stdout.trim().split("\n").pop()!;
  };
  cli("migrate");
  for (const [name, admin] of [
    ["promoter", true],
    ["reviewer", false],
  ] as const)
    cli("admin", "user", "create", ...(admin ? ["--admin"] : []), "--username", name, "--password", `pw-${name}-12345678`, "--email", `${name}@example.test`, "--must-change-password=false");
  const token = (name: string) => cli("admin", "user", "generate-access-token", "--username", name, "--token-name", "test", "--scopes", "all", "--raw");
  const promoterToken = token("promoter");
  const reviewerToken = token("reviewer");

  let output = "";
  const child: ChildProcess = spawn(bin, [...args, "web"], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gitea web exited with ${child.exitCode}: ${output}`);
    const ok = await fetch(`${url}/api/v1/version`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`gitea did not answer on ${url} within 30 s: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    promoterToken,
    reviewerToken,
    log: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => {
          rmSync(work, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** Call Gitea's API as a user; throws with the status and body on failure. */
export async function giteaApi(gitea: Gitea, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${gitea.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `token ${token}`, "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}
