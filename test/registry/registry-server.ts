/**
 * A real distribution v2 registry (Debian's `docker-registry serve`) on a free 127.0.0.1 port
 * with its storage in a temp dir (test helper). Without auth, with htpasswd Basic auth, or with
 * token auth (a Bearer realm and the certificate that signs its tokens).
 * When REGISTRY_IT_TMP is set (scripts/integration/registry.sh), temp dirs go there and each
 * registry's pid is written to $REGISTRY_IT_TMP/pids/ so the script's trap can end it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How the registry authenticates. */
export type RegistryAuth = { kind: "none" } | { kind: "htpasswd"; username: string; password: string } | { kind: "token"; realm: string; service: string; issuer: string; certificatePem: string };

/** A running registry. */
export interface RegistryServer {
  /** `127.0.0.1:<port>`. */
  registry: string;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** The registry's log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** A temp dir under REGISTRY_IT_TMP (or the OS temp dir). */
export function tempDir(prefix: string): string {
  const parent = process.env.REGISTRY_IT_TMP ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${prefix}-`));
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; callers retry if it is taken meanwhile). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A bcrypt htpasswd line made by Apache's `htpasswd -B` (password on stdin, never on the command line). */
export function htpasswdLine(username: string, password: string): string {
  const r = spawnSync("htpasswd", ["-n", "-i", "-B", username], { input: password, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`htpasswd -niB failed (${r.error?.message ?? r.stderr}); install apache2-utils`);
  return r.stdout.trim();
}

/** Start a registry and wait until GET /v2/ answers (200, or 401 when it has auth). */
export async function startRegistry(auth: RegistryAuth = { kind: "none" }): Promise<RegistryServer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startRegistryOnPort(auth, await freePort());
    } catch (error) {
      lastError = error as Error;
      if (!/address already in use|another registry answers/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError;
}

/** Start a registry on the given port; refuses (never returns another process's registry) if the port is taken. */
export async function startRegistryOnPort(auth: RegistryAuth, port: number): Promise<RegistryServer> {
  const dir = tempDir("registry");
  // Tests run in parallel processes that each pick "free" ports; between the pick and the bind,
  // another process's registry may take the port, and then it (not ours) answers /v2/. Every
  // registry answers with its own instance header, so readiness only counts our own.
  const instance = randomUUID();
  writeFileSync(join(dir, "config.yml"), config(dir, port, auth, instance));
  const child = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString("utf8");
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", (error) => {
    log += `spawn failed: ${error.message}\n`;
  });
  if (child.pid !== undefined && process.env.REGISTRY_IT_TMP) {
    mkdirSync(join(process.env.REGISTRY_IT_TMP, "pids"), { recursive: true });
    writeFileSync(join(process.env.REGISTRY_IT_TMP, "pids", String(child.pid)), "docker-registry\n");
  }
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child, exited);
    rmSync(dir, { recursive: true, force: true });
    if (child.pid !== undefined && process.env.REGISTRY_IT_TMP) rmSync(join(process.env.REGISTRY_IT_TMP, "pids", String(child.pid)), { force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || log.includes("spawn failed")) {
      await stop();
      throw new Error(`docker-registry exited before it answered: ${log.trim()}`);
    }
    const answer = await fetch(`${base}/v2/`).then(
      (r) => ({ status: r.status, instance: r.headers.get(INSTANCE_HEADER) }),
      () => undefined,
    );
    if (answer && answer.instance === instance && (answer.status === 200 || answer.status === 401)) break;
    if (answer && answer.instance !== instance) {
      await stop();
      throw new Error(`another registry answers on ${base} (instance ${answer.instance ?? "none"}, ours ${instance}): the port was taken after it was picked`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry on ${base} did not answer within 15 s: ${log.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { registry: `127.0.0.1:${port}`, base, log: () => log, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 5_000).unref());
  if ((await Promise.race([exited, timeout])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}

/** The response header that names which registry process answered. */
const INSTANCE_HEADER = "x-registry-test-instance";

function config(dir: string, port: number, auth: RegistryAuth, instance: string): string {
  const lines = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${join(dir, "data")}`,
    "http:",
    `  addr: 127.0.0.1:${port}`,
    // A fixed secret silences the "no HTTP secret" warning; it signs upload state only.
    "  secret: registry-integration-test",
    "  headers:",
    `    ${INSTANCE_HEADER}: [${instance}]`,
  ];
  if (auth.kind === "htpasswd") {
    writeFileSync(join(dir, "htpasswd"), `${htpasswdLine(auth.username, auth.password)}\n`);
    lines.push("auth:", "  htpasswd:", "    realm: registry-integration-test", `    path: ${join(dir, "htpasswd")}`);
  } else if (auth.kind === "token") {
    writeFileSync(join(dir, "token-cert.pem"), auth.certificatePem);
    lines.push("auth:", "  token:", `    realm: ${auth.realm}`, `    service: ${auth.service}`, `    issuer: ${auth.issuer}`, `    rootcertbundle: ${join(dir, "token-cert.pem")}`);
  }
  return `${lines.join("\n")}\n`;
}
