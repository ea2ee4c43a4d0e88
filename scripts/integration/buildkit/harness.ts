/**
 * What the BuildKit integration tests (test/build/) and the build benchmark (scripts/bench/build.ts)
 * share: the environment scripts/integration/buildkit.sh sets up, running commands with a bound,
 * copying a component of the example, generating its Dockerfile, building it with BuildKit and
 * reading BuildKit's plain progress output.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const EXAMPLE = join(ROOT, "examples", "webshop");
export const PIPELINE_YAML = "examples/webshop/pipeline.yaml";
export const COMPONENTS = ["backend", "frontend"] as const;
export type Component = (typeof COMPONENTS)[number];

/** The services scripts/integration/buildkit.sh started, as it exports them (BUILDKIT_IT_*). */
export interface BuildkitEnv {
  /** Debian's docker client (/usr/bin/docker). */
  docker: string;
  /** host:port of the local registry (plain HTTP on 127.0.0.1). */
  registry: string;
  /** The npm proxy's URL as build containers (and the host) reach it, with a trailing slash. */
  npmRegistry: string;
  /** npm-proxy.sh and its state dir, to stop and start the proxy. */
  proxyCtl: string;
  proxyState: string;
  /** Docker's default bridge (where build containers run) and the host's address on it. */
  bridge: string;
  gateway: string;
  /** Comment on the firewall rules buildkit.sh added. */
  firewallTag: string;
  /** Stand-in base images under the mirror's names, in the local registry. */
  baseSlim: string;
  baseFull: string;
  /** Stand-in for postgres:15-bookworm (official entrypoint contract: POSTGRES_PASSWORD/USER/DB, PGDATA, initdb.d). */
  postgresImage: string;
  /** Stand-in for flyway/flyway:<pom version> (WORKDIR /flyway, ENTRYPOINT flyway, migrations in /flyway/sql). */
  flywayImage: string;
  /** A temp dir for this run, removed by buildkit.sh. */
  work: string;
}

/** Reads the environment buildkit.sh exports; throws saying how to get it when it is missing. */
export function buildkitEnv(): BuildkitEnv {
  const names = {
    docker: "BUILDKIT_IT_DOCKER",
    registry: "BUILDKIT_IT_REGISTRY",
    npmRegistry: "BUILDKIT_IT_NPM_REGISTRY",
    proxyCtl: "BUILDKIT_IT_NPM_PROXY_CTL",
    proxyState: "BUILDKIT_IT_NPM_PROXY_STATE",
    bridge: "BUILDKIT_IT_BRIDGE",
    gateway: "BUILDKIT_IT_GATEWAY",
    firewallTag: "BUILDKIT_IT_FIREWALL_TAG",
    baseSlim: "BUILDKIT_IT_BASE_SLIM",
    baseFull: "BUILDKIT_IT_BASE_FULL",
    postgresImage: "BUILDKIT_IT_POSTGRES_IMAGE",
    flywayImage: "BUILDKIT_IT_FLYWAY_IMAGE",
    work: "BUILDKIT_IT_WORK",
  } as const;
  const missing = Object.values(names).filter((n) => !process.env[n]);
  if (missing.length > 0)
    throw new Error(
      `${missing.join(", ")} not set: these need a Docker engine, a registry and an npm proxy; run them through ` +
        "`bash scripts/integration/buildkit.sh` (tests) or `npm run bench:build` (benchmark), which set them up",
    );
  const env = Object.fromEntries(Object.entries(names).map(([k, n]) => [k, process.env[n] as string])) as unknown as BuildkitEnv;
  return env;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came. */
  output: string;
  ms: number;
  timedOut: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Killed (the whole process group) after this long; default 10 minutes. */
  timeoutMs?: number;
}

/** Runs a command to completion, capturing its output; never rejects. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let output = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      output += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      output += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, options.timeoutMs ?? 600_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      output += `\n${error.message}`;
      resolve({ code: null, stdout, stderr: stderr + error.message, output, ms: performance.now() - started, timedOut });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output, ms: performance.now() - started, timedOut });
    });
  });
}

/** Runs and throws (with the command's output) unless it exits 0. */
export async function must(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.timedOut ? "(timed out)" : r.code}:\n${r.output.slice(-4000)}`);
  return r;
}

/**
 * Copies a component of the example as a checkout has it: the files git tracks or would track
 * (so no node_modules, dist or build-test of a local build), from the working tree.
 */
export async function copyComponent(component: Component, dest: string): Promise<void> {
  const dir = `examples/webshop/${component}`;
  const listed = await must("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", dir]);
  const files = listed.stdout.split("\0").filter((f) => f !== "");
  if (files.length === 0) throw new Error(`git ls-files found no files under ${dir}`);
  for (const file of files) {
    const from = join(ROOT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    const to = join(dest, relative(dir, file));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
}

/** Writes the Dockerfile and .dockerignore the pipeline generates for a component into dir. */
export async function generateDockerfile(component: Component, dir: string): Promise<string> {
  await must("npm", ["run", "-s", "dockerfile", "--", "--config", PIPELINE_YAML, "--component", component, "--out", dir]);
  return readFileSync(join(dir, "Dockerfile"), "utf8");
}

/** The release values a pipeline passes as build arguments. */
export interface Release {
  revision: string;
  version: string;
  created: string;
  source: string;
}

export function componentVersion(component: Component): string {
  return (JSON.parse(readFileSync(join(EXAMPLE, component, "package.json"), "utf8")) as { version: string }).version;
}

export async function gitRevision(): Promise<string> {
  return (await must("git", ["rev-parse", "HEAD"])).stdout.trim();
}

/** Now, as RFC 3339 to the second (what a pipeline stamps into org.opencontainers.image.created). */
export function rfc3339Now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface BuildOptions {
  context: string;
  tags?: string[];
  buildArgs: Record<string, string>;
  /** File whose content is the BuildKit secret `npmrc`. */
  npmrc?: string;
  /** More BuildKit secrets, id → file (the mirror token and basic-auth value the .npmrc reads). */
  secrets?: Record<string, string>;
  noCache?: boolean;
  network?: "default" | "host" | "none";
  dockerfile?: string;
  target?: string;
  timeoutMs?: number;
}

export interface BuildResult extends RunResult {
  steps: Step[];
}

/** `docker build` with BuildKit and plain progress output. */
export async function build(env: BuildkitEnv, options: BuildOptions): Promise<BuildResult> {
  const args = ["build", "--progress=plain"];
  for (const [k, v] of Object.entries(options.buildArgs)) args.push("--build-arg", `${k}=${v}`);
  for (const t of options.tags ?? []) args.push("--tag", t);
  if (options.npmrc) args.push("--secret", `id=npmrc,src=${options.npmrc}`);
  for (const [id, src] of Object.entries(options.secrets ?? {})) args.push("--secret", `id=${id},src=${src}`);
  if (options.noCache) args.push("--no-cache");
  if (options.network) args.push(`--network=${options.network}`);
  if (options.dockerfile) args.push("--file", options.dockerfile);
  if (options.target) args.push("--target", options.target);
  args.push(options.context);
  const r = await run(env.docker, args, { env: { ...process.env, DOCKER_BUILDKIT: "1" }, timeoutMs: options.timeoutMs ?? 900_000 });
  return { ...r, steps: parseSteps(r.output) };
}

/** One vertex of a BuildKit build that is a Dockerfile instruction (not [internal], not exporting). */
export interface Step {
  id: number;
  /** e.g. "deps 3/3" (multi-stage) or "2/5" (single stage). */
  label: string;
  stage: string;
  instruction: string;
  /** FROM vertices report DONE even when nothing is pulled: counted apart. */
  isFrom: boolean;
  status: "cached" | "executed" | "error" | "unfinished";
  seconds?: number;
}

/** Reads the Dockerfile steps out of `docker build --progress=plain` output. */
export function parseSteps(plain: string): Step[] {
  const steps = new Map<number, Step>();
  const flags = new Map<number, { cached: boolean; done?: number; error: boolean }>();
  for (const line of plain.split("\n")) {
    const named = /^#(\d+) \[([^\]]+)\] (.*)$/.exec(line);
    if (named) {
      const id = Number(named[1]);
      const label = named[2] as string;
      if (label.startsWith("internal") || !/\d+\/\d+$/.test(label)) continue;
      if (!steps.has(id)) {
        const instruction = named[3] as string;
        const stage = label.includes(" ") ? label.slice(0, label.lastIndexOf(" ")) : "";
        steps.set(id, { id, label, stage, instruction, isFrom: /^FROM\b/.test(instruction), status: "unfinished" });
      }
      continue;
    }
    const state = /^#(\d+) (CACHED|DONE ([\d.]+)s|ERROR)/.exec(line);
    if (state) {
      const id = Number(state[1]);
      const f = flags.get(id) ?? { cached: false, error: false };
      if (state[2] === "CACHED") f.cached = true;
      else if (state[2] === "ERROR") f.error = true;
      else f.done = Number(state[3]);
      flags.set(id, f);
    }
  }
  for (const step of steps.values()) {
    const f = flags.get(step.id);
    if (!f) continue;
    step.status = f.error ? "error" : f.cached ? "cached" : f.done !== undefined ? "executed" : "unfinished";
    step.seconds = f.done;
  }
  return [...steps.values()].sort((a, b) => a.id - b.id);
}

/** Counts of a build's instruction steps (FROM apart). */
export function stepCounts(steps: Step[]): { executed: number; cached: number; error: number; total: number } {
  const own = steps.filter((s) => !s.isFrom);
  return {
    executed: own.filter((s) => s.status === "executed").length,
    cached: own.filter((s) => s.status === "cached").length,
    error: own.filter((s) => s.status === "error").length,
    total: own.length,
  };
}

/** The step running `npm ci`, if the build has one. */
export function npmCiStep(steps: Step[]): Step | undefined {
  return steps.find((s) => /\bnpm ci\b/.test(s.instruction));
}

/** GET a registry API path (plain HTTP on 127.0.0.1). */
export async function registryGet(env: BuildkitEnv, path: string, accept?: string): Promise<Response> {
  return fetch(`http://${env.registry}${path}`, { headers: accept ? { accept } : {}, signal: AbortSignal.timeout(15_000) });
}

/** Every repository of the registry with its tags. */
export async function registryTags(env: BuildkitEnv): Promise<Map<string, string[]>> {
  const catalog = (await (await registryGet(env, "/v2/_catalog?n=1000")).json()) as { repositories?: string[] };
  const result = new Map<string, string[]>();
  for (const repo of catalog.repositories ?? []) {
    const list = (await (await registryGet(env, `/v2/${repo}/tags/list`)).json()) as { tags?: string[] | null };
    result.set(repo, list.tags ?? []);
  }
  return result;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
