/**
 * `npm run bench:build`: how the generated multi-stage Dockerfiles behave in BuildKit's cache, on
 * the webshop example, with the real engine, registry and npm proxy, measured side by side in one run:
 *   (a) cold build of backend + frontend (build cache and npm cache mount emptied: builder prune -af)
 *   (b) no-op re-run
 *   (c) backend source-only change (a comment appended to a .ts file of a temp copy)
 *   (d) backend dependency change (a small dependency added in the temp copy, lockfile updated
 *       through the npm proxy)
 *   (e) a naive single-stage Dockerfile (FROM node:22-bookworm, COPY . ., npm ci, build, CMD), cold,
 *       and (e2) the same naive build after a backend source-only change
 * and prints a table: wall time, ratio to cold, steps executed vs cached (from --progress=plain),
 * and runtime image sizes (multi-stage vs naive). Not a test: it reports; it asserts nothing.
 *
 * Needs the services of scripts/integration/buildkit.sh; run directly, it runs itself through it.
 * Backend and frontend build at the same time, as the pipeline's build stage runs them.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import {
  type BuildkitEnv,
  type BuildResult,
  COMPONENTS,
  type Component,
  ROOT,
  build,
  buildkitEnv,
  componentVersion,
  copyComponent,
  generateDockerfile,
  gitRevision,
  must,
  npmCiStep,
  rfc3339Now,
  run,
  stepCounts,
} from "../integration/buildkit/harness.js";

if (!process.env.BUILDKIT_IT_REGISTRY) {
  // Not inside buildkit.sh: let it set up the engine, registry and proxy, then run this file.
  const r = spawnSync("bash", [join(ROOT, "scripts/integration/buildkit.sh"), "--bench"], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const env: BuildkitEnv = buildkitEnv();
const SOURCE = "https://github.com/acme/webshop";
const NAIVE_DEPENDENCY = "ms@2.1.3";

const work = join(env.work, "bench");
const app = (c: Component) => join(work, "app", c);
const naiveDockerfile = (c: Component) => join(work, "naive", c, "Dockerfile");

interface ComponentRun {
  component: Component;
  result: BuildResult;
  size?: number;
}

interface Scenario {
  key: string;
  title: string;
  wallMs: number;
  runs: ComponentRun[];
  note?: string;
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function docker(args: string[], timeoutMs = 300_000) {
  return must(env.docker, args, { timeoutMs });
}

function writeNaive(component: Component): void {
  const cmd = component === "backend" ? '["node", "dist/server.js"]' : '["node", "server.mjs"]';
  mkdirSync(join(work, "naive", component), { recursive: true });
  writeFileSync(
    naiveDockerfile(component),
    [
      "# The naive single-stage Dockerfile, for comparison: full image, everything copied, dev dependencies kept.",
      "ARG BASE_IMAGE",
      "FROM ${BASE_IMAGE}",
      "ARG NPM_REGISTRY",
      "WORKDIR /app",
      "COPY . .",
      'RUN npm ci --no-audit --no-fund --registry="$NPM_REGISTRY"',
      "RUN npm run build",
      "EXPOSE 8080",
      `CMD ${cmd}`,
      "",
    ].join("\n"),
  );
}

/** Builds backend and frontend side by side; the wall time is the pair's. */
async function buildPair(kind: "multi-stage" | "naive", revision: string, created: string): Promise<{ wallMs: number; runs: ComponentRun[] }> {
  const started = performance.now();
  const runs = await Promise.all(
    COMPONENTS.map(async (component): Promise<ComponentRun> => {
      const tag = `pac-bench/${component}-${kind}:${revision}`;
      const result = await build(env, {
        context: app(component),
        dockerfile: kind === "naive" ? naiveDockerfile(component) : undefined,
        tags: [tag],
        buildArgs:
          kind === "naive"
            ? { BASE_IMAGE: env.baseFull, NPM_REGISTRY: env.npmRegistry }
            : { BASE_IMAGE: env.baseSlim, NPM_REGISTRY: env.npmRegistry, REVISION: revision, VERSION: componentVersion(component), CREATED: created, SOURCE },
        timeoutMs: 900_000,
      });
      if (result.code !== 0) throw new Error(`${kind} build of ${component} failed:\n${result.output.slice(-4000)}`);
      const size = Number((await docker(["image", "inspect", "-f", "{{.Size}}", tag])).stdout.trim());
      return { component, result, size };
    }),
  );
  return { wallMs: performance.now() - started, runs };
}

async function emptyBuildCache(): Promise<void> {
  await docker(["builder", "prune", "-af"]);
  const du = await run(env.docker, ["system", "df", "--format", "{{.Type}} {{.Size}}"]);
  log(`build cache emptied (docker builder prune -af): ${du.stdout.split("\n").find((l) => l.startsWith("Build Cache")) ?? "?"}`);
}

const newRevision = () => randomBytes(20).toString("hex");

// ------------------------------------------------------------------------------------------------
mkdirSync(work, { recursive: true });
const revision = await gitRevision();
for (const component of COMPONENTS) {
  await copyComponent(component, app(component));
  await generateDockerfile(component, app(component));
  writeNaive(component);
}
const benchStarted = performance.now();
const scenarios: Scenario[] = [];

log("(a) cold: multi-stage backend + frontend");
await emptyBuildCache();
const created = rfc3339Now();
scenarios.push({ key: "a", title: "cold (cache and npm cache mount emptied)", ...(await buildPair("multi-stage", revision, created)) });

log("(b) no-op re-run");
scenarios.push({ key: "b", title: "no-op re-run (same commit)", ...(await buildPair("multi-stage", revision, created)) });

log("(c) backend source-only change");
appendFileSync(join(app("backend"), "src", "server.ts"), `\n// bench: a source-only change ${randomBytes(4).toString("hex")}\n`);
scenarios.push({ key: "c", title: "backend source-only change (new commit)", ...(await buildPair("multi-stage", newRevision(), rfc3339Now())) });

log(`(d) backend dependency change: npm install ${NAIVE_DEPENDENCY} through the proxy (lockfile only)`);
await must(
  "npm",
  ["install", "--save-exact", "--package-lock-only", "--omit-lockfile-registry-resolved", "--ignore-scripts", "--no-audit", "--no-fund", `--registry=${env.npmRegistry}`, NAIVE_DEPENDENCY],
  { cwd: app("backend"), timeoutMs: 180_000 },
);
scenarios.push({ key: "d", title: `backend dependency change (+${NAIVE_DEPENDENCY}, new commit)`, ...(await buildPair("multi-stage", newRevision(), rfc3339Now())) });

log("(e) naive single-stage, cold");
await emptyBuildCache();
scenarios.push({ key: "e", title: "naive single-stage, cold", ...(await buildPair("naive", revision, created)) });

log("(e2) naive single-stage, backend source-only change");
appendFileSync(join(app("backend"), "src", "server.ts"), `\n// bench: another source-only change ${randomBytes(4).toString("hex")}\n`);
scenarios.push({ key: "e2", title: "naive, backend source-only change", ...(await buildPair("naive", newRevision(), rfc3339Now())) });

// ------------------------------------------------------------------------------------------------
const cold = scenarios[0] as Scenario;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const byKey = (k: string) => scenarios.find((s) => s.key === k) as Scenario;
const runOf = (s: Scenario, c: Component) => s.runs.find((r) => r.component === c) as ComponentRun;

function stepsCell(r: ComponentRun): string {
  const n = stepCounts(r.result.steps);
  return `${n.executed} run / ${n.cached} cached`;
}
function npmCiCell(r: ComponentRun): string {
  return npmCiStep(r.result.steps)?.status ?? "-";
}

/** "RUN --mount=... npm ci --no-audit ..." -> "npm ci" */
function shortInstruction(instruction: string): string {
  const run = /^RUN (?:--mount=\S+\s+)*(.*)$/.exec(instruction);
  const text = run ? (run[1] as string) : instruction;
  return text
    .replace(/\s+--(no-audit|no-fund|registry=\S+|omit=dev)/g, "")
    .replace(/\s+/g, " ")
    .slice(0, 40);
}

const lines: string[] = [];
lines.push("");
lines.push(
  `Build benchmark: examples/webshop, Docker ${(await docker(["version", "-f", "{{.Server.Version}}"])).stdout.trim()} (BuildKit), ${availableParallelism()} CPUs, backend and frontend built side by side`,
);
lines.push(`base images: ${env.baseSlim} and ${env.baseFull} (stand-ins: Debian bookworm + Node.js ${process.version}); npm proxy ${env.npmRegistry}`);
lines.push("steps: Dockerfile instructions that BuildKit ran vs took from its cache, FROM not counted (it reports DONE even when nothing is pulled)");
lines.push("");
lines.push("| scenario | wall time | vs cold | backend steps | backend npm ci | frontend steps | frontend npm ci |");
lines.push("|---|---:|---:|---|---|---|---|");
for (const s of scenarios) {
  const vs = s.key.startsWith("e") ? `${pct(s.wallMs / cold.wallMs)} (of multi-stage cold)` : pct(s.wallMs / cold.wallMs);
  const b = runOf(s, "backend");
  const f = runOf(s, "frontend");
  lines.push(`| (${s.key}) ${s.title} | ${secs(s.wallMs)} | ${vs} | ${stepsCell(b)} | ${npmCiCell(b)} | ${stepsCell(f)} | ${npmCiCell(f)} |`);
}
lines.push("");
lines.push("Where the time goes (executed steps over 0.5 s, seconds as BuildKit reports them; steps of the two builds overlap):");
for (const s of scenarios) {
  const parts = s.runs.flatMap((r) =>
    r.result.steps
      .filter((step) => step.status === "executed" && !step.isFrom && (step.seconds ?? 0) >= 0.5)
      .map((step) => `${r.component} ${shortInstruction(step.instruction)} ${(step.seconds ?? 0).toFixed(1)} s`),
  );
  lines.push(`  (${s.key}) ${parts.length > 0 ? parts.join("; ") : "none"}`);
}
lines.push("");
lines.push("| image | multi-stage runtime | naive single-stage | runtime / naive |");
lines.push("|---|---:|---:|---:|");
let multiTotal = 0;
let naiveTotal = 0;
for (const c of COMPONENTS) {
  const m = runOf(cold, c).size ?? 0;
  const n = runOf(byKey("e"), c).size ?? 0;
  multiTotal += m;
  naiveTotal += n;
  lines.push(`| ${c} | ${mb(m)} | ${mb(n)} | ${pct(m / n)} |`);
}
lines.push(`| both | ${mb(multiTotal)} | ${mb(naiveTotal)} | ${pct(multiTotal / naiveTotal)} |`);
lines.push("(sizes: docker image inspect .Size, uncompressed, base image included)");

// Targets, checked as measured.
const noop = byKey("b");
const src = byKey("c");
const noopExecuted = noop.runs.reduce((n, r) => n + stepCounts(r.result.steps).executed, 0);
const srcBackendNpmCi = npmCiStep(runOf(src, "backend").result.steps)?.status;
const srcFrontendExecuted = stepCounts(runOf(src, "frontend").result.steps).executed;
const verdict = (ok: boolean) => (ok ? "MET" : "NOT MET");
lines.push("");
lines.push("Targets:");
lines.push(`  no-op <= 5 % of cold, zero steps executed: ${verdict(noop.wallMs / cold.wallMs <= 0.05 && noopExecuted === 0)} (${pct(noop.wallMs / cold.wallMs)}, ${noopExecuted} steps executed)`);
lines.push(
  `  backend source-only <= 35 % of cold, npm ci cached, frontend fully cached: ${verdict(src.wallMs / cold.wallMs <= 0.35 && srcBackendNpmCi === "cached" && srcFrontendExecuted === 0)} (${pct(src.wallMs / cold.wallMs)}, backend npm ci ${srcBackendNpmCi}, frontend ${srcFrontendExecuted} steps executed)`,
);
const worst = Math.max(...COMPONENTS.map((c) => (runOf(cold, c).size ?? 0) / (runOf(byKey("e"), c).size ?? 1)));
lines.push(`  runtime image <= 40 % of the naive image: ${verdict(worst <= 0.4)} (largest ratio ${pct(worst)}, both images together ${pct(multiTotal / naiveTotal)})`);
lines.push("");
lines.push(`benchmark wall time ${secs(performance.now() - benchStarted)}`);
process.stdout.write(`${lines.join("\n")}\n`);

// The images the benchmark made are not kept (the build cache is, as after any build).
const tags = (await run(env.docker, ["images", "--filter", "reference=pac-bench/*:*", "--format", "{{.Repository}}:{{.Tag}}"])).stdout.split("\n").filter((t) => t !== "");
if (tags.length > 0) await run(env.docker, ["rmi", ...tags]);
