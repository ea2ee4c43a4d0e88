/**
 * The example's Aspire graph for real, through its Compose export: the committed AppHost
 * manifest (examples/webshop/aspire), the artefacts under test (the example's images built from
 * the generated Dockerfiles) in place of db-migrate, backend and frontend, PostgreSQL from the
 * manifest's own image through a registry mirror rule (the stand-in image under the mirror's
 * name), docker-compose 1.29 on the local Docker engine, and the example's Playwright specs in
 * Debian's Chromium. Then a release whose migration is broken: the run must fail at the job.
 * Run by scripts/integration/compose.sh (needs the services of buildkit.sh).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { composeFile, secretVariable } from "../../modules/aspire/src/compose.js";
import { serviceGraph } from "../../modules/aspire/src/graph.js";
import { parseManifest } from "../../modules/aspire/src/manifest.js";
import { mirrored } from "../../modules/aspire/src/registry-mirrors.js";
import { type BuildkitEnv, buildkitEnv, must, run } from "../../scripts/integration/buildkit/harness.js";
import { buildRelease, COMPOSE, copyExample, exampleConfig, installE2eDependencies, runPlaywright, workDir } from "../../scripts/integration/compose/harness.js";
import { ROOT } from "../tiers/modules.js";

const MANIFEST = "examples/webshop/aspire/aspire-manifest.json";

let env: BuildkitEnv;
let revision: string;
const projects: { name: string; dir: string }[] = [];

before(async () => {
  env = buildkitEnv();
  revision = (await must("git", ["rev-parse", "HEAD"])).stdout.trim();
  await installE2eDependencies();
});

after(async () => {
  for (const p of projects) await run(COMPOSE, ["--no-ansi", "-p", p.name, "down", "-v", "--remove-orphans"], { cwd: p.dir });
});

/** The example's Aspire graph with a built release under test, written as a Compose project with its secrets in .env. */
async function aspireProject(name: string, change?: (appDir: string) => void) {
  const work = workDir(env, `${name}-`);
  const appDir = await copyExample(join(work, "app"));
  change?.(appDir);
  const built = await buildRelease(env, appDir, name, revision);
  const manifest = parseManifest(readFileSync(join(ROOT, MANIFEST), "utf8"), MANIFEST);
  const graph = serviceGraph(manifest, {
    file: MANIFEST,
    // The artefacts under test; db (PostgreSQL) keeps the manifest's image.
    overrides: { "db-migrate": built.images.db, backend: built.images.backend, frontend: built.images.frontend },
    secrets: ["db-password"],
  });
  // The manifest's docker.io image through the mirror, as the aspire module's --registry-mirror does.
  for (const s of graph.services) if ("image" in s.source) s.source = { image: mirrored(s.source.image, [`docker.io=${env.registry}/docker-group`]) };
  const dir = join(work, "compose");
  mkdirSync(dir, { recursive: true });
  const project = { name: `pac-${name}-${process.pid}`, dir };
  writeFileSync(join(dir, "compose.yaml"), composeFile(graph, { project: project.name }));
  writeFileSync(join(dir, ".env"), `${secretVariable("db-password", undefined)}=${randomBytes(18).toString("hex")}\n`, { mode: 0o600 });
  projects.push(project);
  return { work, built, graph, project, compose: (args: string[]) => run(COMPOSE, ["--no-ansi", "-p", project.name, "-f", "compose.yaml", ...args], { cwd: dir, timeoutMs: 300_000 }) };
}

/** The exit code of a job container once it ended (docker wait). */
async function jobExit(compose: (args: string[]) => ReturnType<typeof run>, service: string): Promise<number> {
  const id = (await compose(["ps", "-q", service])).stdout.trim();
  assert.ok(id, `${service} has a container`);
  return Number((await must(env.docker, ["wait", id], { timeoutMs: 180_000 })).stdout.trim());
}

/** Poll a URL until it answers 200 or the deadline passes. */
async function answers(url: string, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return true;
    await new Promise((done) => setTimeout(done, 250));
  }
  return false;
}

describe("the example's Aspire graph, run through its Compose export on a real Docker engine", () => {
  test("artefacts under test in place, PostgreSQL through the mirror rule, migration job done, Playwright green", async () => {
    const p = await aspireProject("aspire-good");
    const text = readFileSync(join(p.project.dir, "compose.yaml"), "utf8");
    assert.ok(!text.includes(readFileSync(join(p.project.dir, ".env"), "utf8").split("=")[1].trim()), "the password is only in .env");
    assert.match(text, new RegExp(`image: ${env.registry}/docker-group/library/postgres:15-bookworm`));
    assert.deepEqual(
      p.graph.services.map((s) => [s.name, s.overridden ?? ""]),
      [
        ["db", ""],
        ["db-migrate", p.built.images.db],
        ["backend", p.built.images.backend],
        ["frontend", p.built.images.frontend],
      ],
    );
    const up = await p.compose(["up", "-d"]);
    assert.equal(up.code, 0, up.output);
    const migrated = await jobExit(p.compose, "db-migrate");
    assert.equal(migrated, 0, (await p.compose(["logs", "--no-color", "db-migrate"])).output);
    // The frontend's only external endpoint: Docker chose the host port.
    const port = /:(\d+)\s*$/.exec((await p.compose(["port", "frontend", "8080"])).stdout.trim())?.[1];
    assert.ok(port, "frontend's 8080 is published");
    const baseUrl = `http://127.0.0.1:${port}`;
    assert.ok(await answers(`${baseUrl}/healthz`), `frontend answers:\n${(await p.compose(["logs", "--no-color"])).output}`);
    const pw = await runPlaywright(exampleConfig(join(p.work, "app"), env), p.built, baseUrl, join(p.work, "reports"));
    assert.equal(pw.code, 0, `${pw.output}\n${(await p.compose(["logs", "--no-color", "backend"])).output}`);
    assert.match(pw.output, /4 passed/);
  });

  test("a release whose migration is broken fails at the migration job, naming the file", async () => {
    const p = await aspireProject("aspire-broken", (app) => writeFileSync(join(app, "db/migrations/V1_2_0__broken.sql"), "CREATE TABL broken (id int);\n"));
    const up = await p.compose(["up", "-d"]);
    assert.equal(up.code, 0, up.output);
    const migrated = await jobExit(p.compose, "db-migrate");
    assert.notEqual(migrated, 0, "the migration job fails");
    assert.match((await p.compose(["logs", "--no-color", "db-migrate"])).output, /V1_2_0__broken\.sql|syntax error/i);
  });
});
