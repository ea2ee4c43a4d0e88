/**
 * The E2E topology run for real: the example's images built from the Dockerfiles the pipeline
 * generates, pushed to the local registry, started by docker-compose from the Compose file the
 * pipeline writes, and tested by the example's Playwright specs in Debian's Chromium, with the
 * same command line and report settings as the Dagger E2E stage. Shared by
 * test/e2e/compose.integration.ts and the E2E benchmark (scripts/bench/e2e.ts); needs the services
 * of scripts/integration/buildkit.sh (run through scripts/integration/compose.sh).
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative } from "node:path";
import { parseConfig } from "../../../.dagger/src/config/load.js";
import type { PipelineConfig } from "../../../.dagger/src/config/schema.js";
import { browserCheckScript } from "../../../.dagger/src/e2e/playwright.js";
import { e2eShell, PLAYWRIGHT_REPORT_ENV, readinessScript } from "../../../.dagger/src/e2e/scripts.js";
import { composeFile, type ComposeRelease, hostPortVariable, passwordVariable } from "../../../.dagger/src/topology/compose.js";
import { parseTemplate } from "../../../.dagger/src/topology/template.js";
import { topologyOf } from "../../../.dagger/src/topology/topology.js";
import { resolveValue } from "../../../.dagger/src/topology/values.js";
import { toolchainOf } from "../../../.dagger/src/toolchains/index.js";
import { lintMigrations } from "../../../modules/flyway/src/migrations.js";
import { type BuildkitEnv, build, must, ROOT, run, type RunResult } from "../buildkit/harness.js";

/** docker-compose v1 from Debian (docker-compose 1.29), which reads the generated file. */
export const COMPOSE = "/usr/bin/docker-compose";
const EXAMPLE_DIR = "examples/webshop";
const E2E_DIR = join(ROOT, EXAMPLE_DIR, "e2e");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** A copy of the example as a checkout has it (git-tracked files only), to build or to break on purpose. */
export async function copyExample(dest: string): Promise<string> {
  const listed = await must("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", EXAMPLE_DIR], { cwd: ROOT });
  for (const file of listed.stdout.split("\0").filter((f) => f !== "")) {
    const from = join(ROOT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue;
    const to = join(dest, relative(EXAMPLE_DIR, file));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  return dest;
}

/** The example's components as built here. */
export const COMPONENTS = ["db", "backend", "frontend"] as const;

/** A release built from an application folder: images by digest and versions, as the Compose export takes them. */
export async function buildRelease(env: BuildkitEnv, appDir: string, name: string, revision: string): Promise<ComposeRelease & { seconds: number }> {
  const started = Date.now();
  const config = parseConfig(readFileSync(join(appDir, "pipeline.yaml"), "utf8"));
  const versions: Record<string, string> = {};
  const images: Record<string, string> = {};
  // One at a time: two cores, and BuildKit parallelises inside each build.
  for (const component of COMPONENTS) {
    const c = config.components[component];
    const dir = join(appDir, c.path);
    await must("npx", ["tsx", join(ROOT, "scripts/dockerfile.ts"), "--config", join(appDir, "pipeline.yaml"), "--component", component, "--out", dir], { cwd: ROOT });
    versions[component] =
      c.toolchain === "flyway"
        ? (lintMigrations(readdirSync(join(dir, c.migrations ?? "migrations"))).version ?? "")
        : (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
    const repository = `${env.registry}/${name}/${component}`;
    const result = await build(env, {
      context: dir,
      tags: [`${repository}:${revision}`],
      buildArgs: {
        BASE_IMAGE: c.toolchain === "flyway" ? env.flywayImage : env.baseSlim,
        NPM_REGISTRY: env.npmRegistry,
        REVISION: revision,
        VERSION: versions[component],
        CREATED: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        SOURCE: "https://github.com/acme/webshop",
      },
    });
    if (result.code !== 0) throw new Error(`building ${component} failed:\n${result.output.slice(-4000)}`);
    const pushed = await must(env.docker, ["push", `${repository}:${revision}`]);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.output)?.[1];
    if (!digest) throw new Error(`no digest in the output of docker push ${repository}:${revision}:\n${pushed.output}`);
    images[component] = `${repository}:${revision}@${digest}`;
  }
  return { revision, images, versions, databaseImages: { db: env.postgresImage }, seconds: (Date.now() - started) / 1000 };
}

/** The example's config as the integration tests use it: the stand-in images' registry is the image mirror. */
export function exampleConfig(appDir: string, env: BuildkitEnv): PipelineConfig {
  const config = parseConfig(readFileSync(join(appDir, "pipeline.yaml"), "utf8"));
  return { ...config, mirror: { ...(config.mirror ?? { npmScopes: {} }), images: `${env.registry}/docker-group` } };
}

/** The Compose file the pipeline writes for a release. */
export function composeFor(config: PipelineConfig, release: ComposeRelease): string {
  const topology = topologyOf(config, (n) => toolchainOf(n, config.components[n]).healthProbe(config.components[n]));
  return composeFile(config, topology, release);
}

/** A free TCP port on 127.0.0.1 (for the published frontend). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** One Compose project on the local engine: its folder (compose.yaml and .env), its name and its host port. */
export interface ComposeProject {
  name: string;
  dir: string;
  port: number;
}

/** A project folder with the Compose file and an .env holding the database password (never in the Compose file). */
export async function composeProject(work: string, name: string, compose: string): Promise<ComposeProject> {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "compose.yaml"), compose);
  const port = await freePort();
  writeFileSync(join(dir, ".env"), `${passwordVariable("db")}=${randomBytes(18).toString("hex")}\n${hostPortVariable("frontend")}=${port}\n`, { mode: 0o600 });
  return { name, dir, port };
}

/** docker-compose in the project's folder (so it reads its .env). */
export function compose(project: ComposeProject, args: string[], timeoutMs = 300_000): Promise<RunResult> {
  return run(COMPOSE, ["--no-ansi", "-p", project.name, "-f", "compose.yaml", ...args], { cwd: project.dir, timeoutMs });
}

/** Replace the Compose file of a project (a promotion to a new release), keeping its .env and volumes. */
export function updateCompose(project: ComposeProject, composeText: string): void {
  writeFileSync(join(project.dir, "compose.yaml"), composeText);
}

/** What bringing a release up found: which step failed, on which service, and the logs that name the cause. */
export interface UpResult {
  ok: boolean;
  /** "up" (a service did not start or a job failed) or "health" (the frontend never became healthy). */
  failedStep?: "up" | "health";
  output: string;
  /** Every service's log, for the failure message. */
  logs: string;
  seconds: number;
}

/**
 * `docker-compose up -d`, which waits for each depends_on condition (database healthy, migration
 * job completed) in order, then polls the frontend's health check until it is healthy.
 */
export async function composeUp(project: ComposeProject, healthTimeoutMs = 120_000): Promise<UpResult> {
  const started = Date.now();
  const up = await compose(project, ["up", "-d", "--remove-orphans"]);
  const seconds = () => (Date.now() - started) / 1000;
  if (up.code !== 0) return { ok: false, failedStep: "up", output: up.output, logs: (await compose(project, ["logs", "--no-color"])).output, seconds: seconds() };
  if (await waitHealthy(project, "frontend", healthTimeoutMs)) return { ok: true, output: up.output, logs: "", seconds: seconds() };
  return { ok: false, failedStep: "health", output: "frontend never became healthy", logs: (await compose(project, ["logs", "--no-color"])).output, seconds: seconds() };
}

/** Poll a service's container health until it is healthy (true) or the deadline passes (false). */
export async function waitHealthy(project: ComposeProject, service: string, timeoutMs = 120_000): Promise<boolean> {
  const id = (await compose(project, ["ps", "-q", service])).stdout.trim();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await run("/usr/bin/docker", ["inspect", "-f", "{{.State.Health.Status}}", id])).stdout.trim() === "healthy") return true;
    await new Promise((done) => setTimeout(done, 250));
  }
  return false;
}

/** `docker-compose down -v`: containers, network and the database volume go. */
export async function composeDown(project: ComposeProject): Promise<void> {
  await compose(project, ["down", "-v", "--remove-orphans"]);
}

/** The E2E project's dependencies, installed once with npm ci (Playwright from its lockfile). */
export async function installE2eDependencies(): Promise<void> {
  const installed = join(E2E_DIR, "node_modules/@playwright/test/package.json");
  const locked = (JSON.parse(readFileSync(join(E2E_DIR, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> }).packages["node_modules/@playwright/test"]?.version;
  if (existsSync(installed) && (JSON.parse(readFileSync(installed, "utf8")) as { version: string }).version === locked) return;
  await must("npm", ["ci", "--no-audit", "--no-fund"], { cwd: E2E_DIR, timeoutMs: 600_000 });
}

/** What a Playwright run left: exit code, output and its JUnit report. */
export interface PlaywrightRun extends RunResult {
  junit?: string;
  reportDir: string;
}

/**
 * The test container's steps (e2eShell: readiness poll, browser check, Playwright with the
 * stage's command line and reports, copying traces and service logs) run by sh on this host
 * against a running release, with the e2e env of pipeline.yaml resolved for its versions.
 * Playwright launches Debian's Chromium (CHROMIUM_PATH); for the browser check, that Chromium is
 * also linked under the revision name the installed playwright-core expects, as an image holds it.
 */
export async function runPlaywright(config: PipelineConfig, release: ComposeRelease, baseUrl: string, reportDir: string, serviceLogs: Record<string, string> = {}): Promise<PlaywrightRun> {
  const spell = { password: () => "", version: (c: string) => release.versions[c] ?? "", text: (t: string) => t };
  const e2eEnv = Object.fromEntries(Object.entries(config.e2e?.env ?? {}).map(([k, v]) => [k, resolveValue(config, parseTemplate(v), spell)]));
  const reports = Object.fromEntries(Object.entries(PLAYWRIGHT_REPORT_ENV).map(([k, v]) => [k, v.replace(/^\/reports/, reportDir)]));
  const browsers = join(reportDir, "..", "ms-playwright");
  mkdirSync(browsers, { recursive: true });
  const wanted = (JSON.parse(readFileSync(join(E2E_DIR, "node_modules/playwright-core/browsers.json"), "utf8")) as { browsers: { name: string; revision: string }[] }).browsers;
  const shell = wanted.find((b) => b.name === "chromium-headless-shell");
  if (shell && !existsSync(join(browsers, `chromium_headless_shell-${shell.revision}`))) symlinkSync(dirname(CHROMIUM), join(browsers, `chromium_headless_shell-${shell.revision}`));
  const logs = join(reportDir, "..", "service-logs");
  // As the E2E stage lays them out: a stable volume per service, this run's log in a subdirectory.
  const runId = `harness-${process.pid}`;
  for (const [service, text] of Object.entries(serviceLogs)) {
    mkdirSync(join(logs, service, runId), { recursive: true });
    writeFileSync(join(logs, service, runId, `${service}.log`), text);
  }
  const target = config.components.frontend;
  const env = {
    ...process.env,
    ...e2eEnv,
    ...reports,
    BASE_URL: baseUrl,
    CHROMIUM_PATH: CHROMIUM,
    CI: "true",
    PIPELINE_READY_URL: `${baseUrl}${target.image.health}`,
    PIPELINE_READY_SCRIPT: readinessScript,
    PIPELINE_BROWSER_CHECK: browserCheckScript,
    PIPELINE_REPORTS: reportDir,
    PIPELINE_SERVICE_LOGS: logs,
    PIPELINE_RUN_ID: runId,
    PLAYWRIGHT_BROWSERS_PATH: browsers,
  };
  const r = await run("sh", ["-c", e2eShell], { cwd: E2E_DIR, env, timeoutMs: 600_000 });
  const junitFile = join(reportDir, "junit.xml");
  return { ...r, reportDir, ...(existsSync(junitFile) ? { junit: readFileSync(junitFile, "utf8") } : {}) };
}

/** A temp folder for one test run. */
export const workDir = (env: BuildkitEnv, prefix: string) => mkdtempSync(join(env.work, prefix));
