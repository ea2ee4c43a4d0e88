/**
 * A Compose environment deployed over SSH, for real: the script the pipeline generates
 * (.dagger/src/deploy/compose-ssh.ts) run by sh with the real docker CLI, the docker compose v2
 * plugin and OpenSSH, through an SSH Docker context to an sshd on a loopback port and from there to
 * the local Docker engine. The releases are the example's images built from the generated
 * Dockerfiles (as the compose suite builds them), the Compose files the pipeline writes; each deploy
 * is verified by the pipeline's verifyEndpoints on the frontend's /health (proxied to the backend:
 * its version and the schema version it sees), and the rollback target is chosen by the pipeline's
 * rollback code with the gates module's compatibility gate on the live schema (Flyway info). Run by scripts/integration/ssh-deploy.sh (sshd, the compose plugin)
 * inside scripts/integration/buildkit.sh (engine, registry, npm proxy, stand-in images).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SshDeploy } from "../../.dagger/src/config/operations.js";
import type { PipelineConfig } from "../../.dagger/src/config/schema.js";
import { composeSshScript } from "../../.dagger/src/deploy/compose-ssh.js";
import { type DeployOutcome, failureMessage, parseDeployOutput, serviceLine } from "../../.dagger/src/deploy/result.js";
import { ReleaseRecord } from "../../.dagger/src/release/record.js";
import { chooseRollbackTarget, rollbackCandidates, rollbackComponents } from "../../.dagger/src/release/rollback.js";
import { emptyState, type EnvironmentState, promoted } from "../../.dagger/src/release/state.js";
import { type ComposeRelease, hostPortVariable, passwordVariable } from "../../.dagger/src/topology/compose.js";
import { verifyEndpoints } from "../../.dagger/src/verify/endpoints.js";
import { compatibilityGate } from "../../modules/gates/src/compatibility.js";
import { parseDatabaseUrl } from "../../modules/flyway/src/connection.js";
import { flywayOutcome } from "../../modules/flyway/src/info.js";
import { FLYWAY_ENVIRONMENT, flywayArguments } from "../../modules/flyway/src/job.js";
import { type BuildkitEnv, buildkitEnv, must, type RunResult, run } from "../../scripts/integration/buildkit/harness.js";
import { buildRelease, composeFor, copyExample, exampleConfig, freePort, workDir } from "../../scripts/integration/compose/harness.js";

/** What ssh-deploy.sh exports: the loopback sshd, the throwaway client key, the host key lines, the CLI config holding the compose plugin. */
function sshEnv() {
  const names = ["SSH_DEPLOY_HOST", "SSH_DEPLOY_PORT", "SSH_DEPLOY_USER", "SSH_DEPLOY_KEY", "SSH_DEPLOY_KNOWN_HOSTS", "SSH_DEPLOY_WRONG_KNOWN_HOSTS", "SSH_DEPLOY_DOCKER_CONFIG"] as const;
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length > 0) throw new Error(`${missing.join(", ")} not set: run this through bash scripts/integration/ssh-deploy.sh, which starts sshd and builds the compose plugin`);
  const [host, port, user, key, knownHosts, wrongKnownHosts, dockerConfig] = names.map((n) => process.env[n] as string);
  return { host, port: Number(port), user, key, knownHosts, wrongKnownHosts, dockerConfig };
}

const PROJECT = `pac-ssh-${process.pid}`;
const FLAGS = "# Feature flags of prod, written by promotion from pipeline.yaml.\nFEATURE_NEW_CHECKOUT=true\n";

let env: BuildkitEnv;
let ssh: ReturnType<typeof sshEnv>;
let revision: string;
let work: string;
/** The project directory "on the host" (this machine, reached through sshd). */
let hostDir: string;
let password: string;
let frontendPort: number;

/** Deploy a Compose file with the generated script, as the deploy stage runs it: sh deploy.sh <folder> <key>. */
async function deploy(name: string, compose: string, knownHosts = ssh.knownHosts): Promise<RunResult & { outcome: DeployOutcome; script: string }> {
  const files = join(work, `files-${name}`);
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, "compose.yaml"), compose);
  writeFileSync(join(files, "feature-flags.env"), FLAGS);
  const target = SshDeploy.parse({ host: ssh.host, port: ssh.port, user: ssh.user, knownHosts, directory: hostDir, project: PROJECT, timeout: 240 });
  const script = composeSshScript({ application: "webshop", environment: "prod", deploy: target, composeFile: "compose.yaml", flagsFile: "feature-flags.env" });
  const path = join(work, `deploy-${name}.sh`);
  writeFileSync(path, script);
  // The docker CLI first in PATH (28.2.2, as in the stage's image), with the compose plugin's config.
  const r = await run("sh", [path, files, ssh.key], { env: { ...process.env, DOCKER_CONFIG: ssh.dockerConfig }, timeoutMs: 420_000 });
  assert.ok(!r.output.includes(password), "the deploy's output never holds the database password");
  return { ...r, outcome: parseDeployOutput(r.stdout), script };
}

/** Verification as the pipeline does it (verify/endpoints.ts): the backend's /health, through the published frontend, must report `version`. */
function verify(version: string, timeoutSeconds = 60) {
  return verifyEndpoints({ environment: "prod", endpoints: { backend: `http://127.0.0.1:${frontendPort}/health` }, expected: { backend: version }, timeoutSeconds, intervalSeconds: 1 });
}

/** Build the example (changed by `change`) as release `name` and write the Compose file the pipeline would write for it. */
async function release(name: string, change?: (appDir: string) => void) {
  const dir = workDir(env, `${name}-`);
  const appDir = await copyExample(join(dir, "app"));
  change?.(appDir);
  const built = await buildRelease(env, appDir, `ssh-${name}`, revision);
  const config = exampleConfig(appDir, env);
  return { built, config, compose: composeFor(config, built) };
}

/** The release record ci would write for a build: its images by digest, versions and the requires of its pipeline.yaml. */
function recordOf(config: PipelineConfig, built: ComposeRelease, id: string): ReleaseRecord {
  const component = (c: string) => ({ version: built.versions[c], image: built.images[c], digest: built.images[c].slice(built.images[c].indexOf("@") + 1), requires: config.components[c].requires });
  return ReleaseRecord.parse({
    kind: "pipeline-as-code/release/v1",
    application: config.name,
    revision: id.repeat(40),
    created: new Date().toISOString(),
    components: Object.fromEntries(Object.keys(built.images).map((c) => [c, component(c)])),
    evidence: { checks: "passed", e2e: "passed" },
  });
}

/** The live schema version as the compatibility gate reads it: Flyway info (the flyway module's arguments and parser) in a release's migration image on the project's network. */
async function liveSchema(migrationImage: string): Promise<string | undefined> {
  const connection = parseDatabaseUrl(`postgresql://webshop:${password}@db:5432/webshop`);
  const vars = { ...FLYWAY_ENVIRONMENT, FLYWAY_URL: connection.jdbcUrl, FLYWAY_USER: connection.user, FLYWAY_PASSWORD: connection.password };
  const r = await run("/usr/bin/docker", ["run", "--rm", "--network", `${PROJECT}_default`, ...Object.keys(vars).flatMap((k) => ["-e", k]), migrationImage, ...flywayArguments("info")], {
    env: { ...process.env, ...vars },
  });
  const info = flywayOutcome("info", r.code ?? -1, r.stdout);
  assert.ok(info.succeeded, `flyway info: ${info.message}\n${r.output}`);
  return info.schemaVersion;
}

/** Edit one file of a copied example. */
function edit(appDir: string, file: string, from: string, to: string) {
  const path = join(appDir, file);
  const text = readFileSync(path, "utf8");
  assert.ok(text.includes(from), `${file} holds ${from}`);
  writeFileSync(path, text.replace(from, to));
}

before(async () => {
  env = buildkitEnv();
  ssh = sshEnv();
  revision = (await must("git", ["rev-parse", "HEAD"])).stdout.trim();
  work = workDir(env, "ssh-deploy-");
  hostDir = join(work, "host", "webshop-prod");
  mkdirSync(hostDir, { recursive: true });
  // The host's .env, written once by whoever runs the host: the secret and the port, never in the GitOps repository.
  password = randomBytes(18).toString("hex");
  frontendPort = await freePort();
  writeFileSync(join(hostDir, ".env"), `${passwordVariable("db")}=${password}\n${hostPortVariable("frontend")}=${frontendPort}\n`, { mode: 0o600 });
});

after(async () => {
  // The project's containers, network and database volume (compose v2 finds them by label).
  if (ssh) await run("docker", ["compose", "-p", PROJECT, "down", "-v", "--remove-orphans"], { env: { ...process.env, DOCKER_CONFIG: ssh.dockerConfig } });
});

describe("Compose over SSH: the generated deploy script with real OpenSSH and docker compose on the local engine", () => {
  let n: Awaited<ReturnType<typeof release>>;

  test("a host presenting a key other than the configured one is refused before anything reaches it", async () => {
    const r = await deploy("impostor", "services: {}\n", ssh.wrongKnownHosts);
    assert.equal(r.code, 1, r.output);
    assert.equal(r.outcome.ok, false);
    assert.equal(r.outcome.step, "connect");
    assert.match(r.outcome.output.join("\n"), /host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i);
    assert.ok(!existsSync(join(hostDir, "compose.yaml")), "nothing was copied");
  });

  let state: EnvironmentState = emptyState("prod");
  const records = new Map<string, ReleaseRecord>();
  /** Record a deploy in the environment's history as the GitOps write does (all components; a rollback moves all but the database). */
  const record = (r: ReleaseRecord, components = Object.keys(r.components), extra: Parameters<typeof promoted>[4] = {}) => {
    records.set(r.revision, r);
    state = promoted(state, r, components, new Date().toISOString(), extra);
  };
  let pinned: ReleaseRecord;
  let next: Awaited<ReturnType<typeof release>>;

  test("release N: copied to the host, pulled and started through the SSH context, every service up; verify: /health reports N's versions", async () => {
    n = await release("n");
    // The host key as ssh-keyscan without -p writes it (plain host): the deploy looks it up as [host]:port.
    const r = await deploy("n", n.compose, ssh.knownHosts.replace(/^\[([^\]]+)\]:\d+ /, "$1 "));
    assert.equal(r.code, 0, failureMessage(r.outcome, "deploy of N") + r.stderr);
    assert.ok(r.outcome.ok);
    assert.equal(serviceLine(r.outcome), "db healthy, db-migrate done (exit 0), backend healthy, frontend healthy");
    assert.equal(readFileSync(join(hostDir, "compose.yaml"), "utf8"), n.compose, "the Compose file is on the host");
    assert.equal(readFileSync(join(hostDir, "feature-flags.env"), "utf8"), FLAGS, "the flags are on the host");
    assert.equal(spawnSync("shellcheck", ["-s", "sh", "-"], { input: r.script, encoding: "utf8" }).status, 0, "shellcheck finds nothing in the generated script");
    const verified = await verify(n.built.versions.backend);
    assert.ok(verified.passed, `${verified.summary}\n${verified.details.join("\n")}`);
    assert.equal(verified.answers.backend.version, n.built.versions.backend);
    assert.equal(verified.liveSchema, n.built.versions.db);
    record(recordOf(n.config, n.built, "a"));
  });

  test("release P, the same images with backend pinned to db <1.2.0 in its pipeline.yaml: deployed and verified", async () => {
    assert.ok(n, "needs release N");
    const config: PipelineConfig = { ...n.config, components: { ...n.config.components, backend: { ...n.config.components.backend, requires: { db: ">=1.1.0 <1.2.0" } } } };
    pinned = recordOf(config, n.built, "b");
    const r = await deploy("p", composeFor(config, n.built));
    assert.equal(r.code, 0, failureMessage(r.outcome, "deploy of P"));
    assert.ok((await verify(n.built.versions.backend)).passed);
    record(pinned);
  });

  test("release N+1 (migration 1.2.0, a backend whose health query fails): the deploy fails naming backend, with its log; verify fails", async () => {
    assert.ok(pinned, "needs releases N and P deployed");
    next = await release("n1", (app) => {
      writeFileSync(join(app, "db/migrations/V1_2_0__add_discounts.sql"), "CREATE TABLE discounts (id integer PRIMARY KEY, percent integer NOT NULL);\n");
      edit(app, "backend/package.json", `"version": "${n.built.versions.backend}"`, '"version": "1.3.0"');
      edit(app, "backend/src/db.ts", "FROM flyway_schema_history", "FROM flyway_schema_histories");
    });
    assert.deepEqual([next.built.versions.backend, next.built.versions.db], ["1.3.0", "1.2.0"]);
    record(recordOf(next.config, next.built, "c"));
    const r = await deploy("n1", next.compose);
    assert.equal(r.code, 1, r.output);
    assert.equal(r.outcome.ok, false);
    assert.ok(r.outcome.failed.includes("backend"), `failed: ${r.outcome.failed.join(", ")}\n${failureMessage(r.outcome, "deploy of N+1")}`);
    assert.equal(r.outcome.services.find((s) => s.service === "backend")?.health, "unhealthy");
    assert.equal(r.outcome.services.find((s) => s.service === "db-migrate")?.verdict, "ok", "the migration to 1.2.0 ran");
    // The backend's own words, among the last log lines the script reports: its health check's query fails.
    assert.match((r.outcome.logs.backend ?? []).join("\n"), /health check failed.*flyway_schema_history does not exist/);
    const verified = await verify("1.3.0", 5);
    assert.equal(verified.passed, false, verified.summary);
    assert.notEqual(verified.answers.backend.version, "1.3.0", "N+1's backend never served: its frontend never started");
  });

  test("rollback: the real rollback code on the live schema (1.2.0) skips P (backend needs db <1.2.0) and chooses N; N deployed; verify serves N's version", async () => {
    assert.ok(next, "needs release N+1 deployed");
    const live = await liveSchema(next.built.images.db);
    assert.equal(live, "1.2.0", "migrations are forward-only: the schema stays where N+1 took it");
    const choice = await chooseRollbackTarget(
      rollbackCandidates(state),
      async (revision) => records.get(revision),
      async (candidate) => {
        const moving = rollbackComponents(n.config, candidate);
        const verdict = compatibilityGate({
          environment: "prod",
          deployed: Object.fromEntries(Object.entries(state.components).map(([c, d]) => [c, { version: d.version, requires: d.requires }])),
          promoted: Object.fromEntries(moving.map((c) => [c, { version: candidate.components[c].version, requires: candidate.components[c].requires }])),
          liveDatabase: { component: "db", version: live ?? null },
        });
        return { passed: verdict.passed, summary: verdict.summary };
      },
    );
    assert.equal(choice.target?.revision, "a".repeat(40), `target: ${choice.target?.revision}; skipped: ${JSON.stringify(choice.skipped)}`);
    assert.deepEqual(
      choice.skipped.map((s) => s.release),
      [pinned.revision],
    );
    assert.match(choice.skipped[0].why, /1\.2\.0/);
    // The GitOps write of a rollback moves every component but the database: N's backend and frontend, N+1's migration job.
    const target = choice.target as ReleaseRecord;
    const moving = rollbackComponents(n.config, target);
    assert.deepEqual(moving.sort(), ["backend", "frontend"]);
    const images = { ...next.built.images, ...Object.fromEntries(moving.map((c) => [c, target.components[c].image])) };
    const versions = { ...next.built.versions, ...Object.fromEntries(moving.map((c) => [c, target.components[c].version])) };
    const r = await deploy("rollback", composeFor(n.config, { ...next.built, images, versions }));
    assert.equal(r.code, 0, failureMessage(r.outcome, "rollback deploy of N") + r.stderr);
    assert.equal(serviceLine(r.outcome), "db healthy, db-migrate done (exit 0), backend healthy, frontend healthy");
    record(target, moving, { rollback: true, from: "c".repeat(40) });
    const verified = await verify(n.built.versions.backend);
    assert.ok(verified.passed, `${verified.summary}\n${verified.details.join("\n")}`);
    assert.equal(verified.answers.backend.version, n.built.versions.backend);
    assert.equal(verified.liveSchema, "1.2.0", "N's backend on the schema N+1 migrated");
  });
});
