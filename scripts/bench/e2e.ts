/**
 * `npm run bench:e2e`: how long the E2E topology takes on the real engine, through the Compose
 * file the pipeline writes, median of 5 runs of each (after one build of the example's images):
 *   (a) from nothing (no container, no volume) to a migrated database ready for the backend:
 *       the database server healthy and the migration job finished with exit 0
 *   (b) the whole E2E stage: up (database, migrations, backend, frontend healthy), the Playwright
 *       specs in Chromium, down with the volume
 * Prints every run and the medians; not a test, it asserts nothing. Needs the services of
 * scripts/integration/buildkit.sh; run directly, it runs itself through scripts/integration/compose.sh.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildkitEnv, must, ROOT, run } from "../integration/buildkit/harness.js";
import {
  buildRelease,
  compose,
  composeDown,
  composeFor,
  composeProject,
  composeUp,
  copyExample,
  exampleConfig,
  installE2eDependencies,
  runPlaywright,
  workDir,
} from "../integration/compose/harness.js";

if (!process.env.BUILDKIT_IT_REGISTRY) {
  // Not inside the environment yet: set it up (root needed), run there, tear it down.
  const r = spawnSync("bash", [join(ROOT, "scripts/integration/compose.sh"), "--bench"], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const RUNS = 5;
const env = buildkitEnv();
const revision = (await must("git", ["rev-parse", "HEAD"], { cwd: ROOT })).stdout.trim();
await installE2eDependencies();
const work = workDir(env, "bench-e2e-");
const app = await copyExample(join(work, "app"));
const built = await buildRelease(env, app, "bench-e2e", revision);
const config = exampleConfig(app, env);
const text = composeFor(config, built);
// The first pull of each image from the registry is a one-off; do it before timing.
const warm = await composeProject(work, `pac-bench-warm-${process.pid}`, text);
await must("/usr/bin/docker-compose", ["-p", warm.name, "-f", "compose.yaml", "pull", "--quiet"], { cwd: warm.dir });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (since: number) => (Date.now() - since) / 1000;

const migrated: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const p = await composeProject(work, `pac-bench-db-${process.pid}-${i}`, text);
  const started = Date.now();
  const up = await compose(p, ["up", "-d", "db-migrate"]);
  if (up.code !== 0) throw new Error(`up db-migrate failed:\n${up.output}`);
  const id = (await compose(p, ["ps", "-q", "db-migrate"])).stdout.trim();
  const exit = (await run("/usr/bin/docker", ["wait", id])).stdout.trim();
  migrated.push(seconds(started));
  if (exit !== "0") throw new Error(`the migration job exited ${exit}:\n${(await compose(p, ["logs", "--no-color", "db-migrate"])).output}`);
  process.stdout.write(`(a) run ${i + 1}: migrated database ready in ${migrated[i].toFixed(2)} s\n`);
  await composeDown(p);
}

const stage: number[] = [];
const parts: string[] = [];
for (let i = 0; i < RUNS; i++) {
  const p = await composeProject(work, `pac-bench-e2e-${process.pid}-${i}`, text);
  const started = Date.now();
  const up = await composeUp(p);
  if (!up.ok) throw new Error(`up failed (${up.failedStep}):\n${up.output}\n${up.logs}`);
  const upSeconds = seconds(started);
  const pw = await runPlaywright(config, built, `http://127.0.0.1:${p.port}`, join(work, `reports-${i}`));
  const pwSeconds = seconds(started) - upSeconds;
  if (pw.code !== 0) throw new Error(`Playwright failed:\n${pw.output}`);
  await composeDown(p);
  stage.push(seconds(started));
  parts.push(`up ${upSeconds.toFixed(1)} s + Playwright ${pwSeconds.toFixed(1)} s + down ${(stage[i] - upSeconds - pwSeconds).toFixed(1)} s`);
  process.stdout.write(`(b) run ${i + 1}: whole E2E stage ${stage[i].toFixed(2)} s (${parts[i]})\n`);
}

process.stdout.write(`
E2E benchmark (webshop example, ${RUNS} runs each, docker-compose on the local engine, images built once in ${built.seconds.toFixed(1)} s)
| measure | median | runs |
|---|---:|---|
| (a) nothing → migrated database ready for the backend | ${median(migrated).toFixed(2)} s | ${migrated.map((s) => s.toFixed(2)).join(", ")} |
| (b) whole E2E stage (up, Playwright, down) | ${median(stage).toFixed(2)} s | ${stage.map((s) => s.toFixed(2)).join(", ")} |
`);
await composeDown(warm);
