/**
 * The E2E topology for real, through the Compose file the pipeline writes: PostgreSQL and Flyway
 * (stand-in images from Debian packages and Maven Central), the example's images built from the
 * generated Dockerfiles, docker-compose 1.29 on the local Docker engine, and the example's
 * Playwright specs in Debian's Chromium. Then each way a release must fail: a migration with a
 * syntax error, two migrations with one version, an applied migration edited, a broken backend
 * query. Run by scripts/integration/compose.sh (needs the services of buildkit.sh).
 */
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loggedCommand, SERVICE_LOGS } from "../../.dagger/src/e2e/scripts.js";
import { failedTests } from "../../.dagger/src/report/junit.js";
import { parseDatabaseUrl } from "../../modules/flyway/src/connection.js";
import { flywayOutcome } from "../../modules/flyway/src/info.js";
import { FLYWAY_ENVIRONMENT, type FlywayCommand, flywayArguments } from "../../modules/flyway/src/job.js";
import { lintMigrations } from "../../modules/flyway/src/migrations.js";
import { releaseRecord, releasedMigrationProblems } from "../../modules/flyway/src/released.js";
import { type BuildkitEnv, buildkitEnv, must, run } from "../../scripts/integration/buildkit/harness.js";
import {
  buildRelease,
  type ComposeProject,
  compose,
  composeDown,
  composeFor,
  composeProject,
  composeUp,
  copyExample,
  exampleConfig,
  installE2eDependencies,
  runPlaywright,
  updateCompose,
  waitHealthy,
  workDir,
} from "../../scripts/integration/compose/harness.js";

let env: BuildkitEnv;
let revision: string;
const projects: ComposeProject[] = [];

before(async () => {
  env = buildkitEnv();
  revision = (await must("git", ["rev-parse", "HEAD"])).stdout.trim();
  await installE2eDependencies();
});

after(async () => {
  for (const p of projects) await composeDown(p);
});

/** Build the example (optionally broken by `change`) as release `name`, and write its Compose project. */
async function release(name: string, change?: (appDir: string) => void) {
  const work = workDir(env, `${name}-`);
  const appDir = await copyExample(join(work, "app"));
  change?.(appDir);
  const built = await buildRelease(env, appDir, name, revision);
  const config = exampleConfig(appDir, env);
  const project = await composeProject(work, `pac-${name}-${process.pid}`, composeFor(config, built));
  projects.push(project);
  return { appDir, built, config, project, work };
}

/**
 * One Flyway command as the flyway module runs it (its arguments, its environment, the URL split
 * by its parser), in the release's migration image, against the project's database; the verdict
 * read by the module's own parser.
 */
async function flyway(project: ComposeProject, image: string, command: FlywayCommand, options: { ignorePending?: boolean } = {}) {
  const password = /DB_PASSWORD=(\S+)/.exec(readFileSync(join(project.dir, ".env"), "utf8"))?.[1] ?? "";
  const connection = parseDatabaseUrl(`postgresql://webshop:${password}@db:5432/webshop`);
  const env = { ...FLYWAY_ENVIRONMENT, FLYWAY_URL: connection.jdbcUrl, FLYWAY_USER: connection.user, FLYWAY_PASSWORD: connection.password };
  const r = await run("/usr/bin/docker", ["run", "--rm", "--network", `${project.name}_default`, ...Object.keys(env).flatMap((k) => ["-e", k]), image, ...flywayArguments(command, options)], {
    env: { ...process.env, ...env },
  });
  return { ...flywayOutcome(command, r.code ?? -1, r.stdout), exitCode: r.code, output: r.output };
}

describe("E2E through the generated Compose file on a real Docker engine", () => {
  let good: Awaited<ReturnType<typeof release>>;

  test("the example's release passes: database, migration job, backend, frontend healthy, Playwright green", async () => {
    good = await release("e2e-good");
    const up = await composeUp(good.project);
    assert.ok(up.ok, `${up.failedStep}: ${up.output}\n${up.logs}`);
    const backendLog = (await compose(good.project, ["logs", "--no-color", "backend"])).stdout;
    const pw = await runPlaywright(good.config, good.built, `http://127.0.0.1:${good.project.port}`, join(good.work, "reports"), { backend: backendLog });
    assert.equal(pw.code, 0, pw.output);
    // The test container's steps, in order: readiness, browser check, tests, service logs kept.
    assert.match(pw.output, /ready: http:\/\/127\.0\.0\.1:\d+\/healthz answered 200/);
    assert.match(pw.output, /browsers: chromium-headless-shell \d+ for Playwright 1\.65\.1/);
    assert.match(pw.output, /4 passed/);
    assert.equal(readFileSync(join(good.work, "reports/services/backend.log"), "utf8"), backendLog);
    assert.ok(pw.junit, "Playwright wrote its JUnit report where the stage reads it");
    assert.deepEqual(failedTests(pw.junit as string), []);
    assert.ok(readdirSync(join(good.work, "reports/playwright-report")).includes("index.html"), "HTML report");
  });

  test("flyway info on the migrated database reports the version the release says", async () => {
    assert.ok(good, "needs the previous test's deployment");
    const info = await flyway(good.project, good.built.images.db, "info");
    assert.ok(info.succeeded, info.output);
    assert.equal(info.schemaVersion, good.built.versions.db);
    assert.equal(good.built.versions.db, "1.1.0");
  });

  test("an edited applied migration: caught before any database by the release record, and by Flyway on the deployed database", async () => {
    assert.ok(good, "needs the first test's deployment");
    const edited = await release("e2e-edited", (app) => appendFileSync(join(app, "db/migrations/V1_0_1__seed_products.sql"), "\n-- a harmless-looking edit\n"));
    const record = JSON.stringify(
      releaseRecord(
        revision,
        readdirSync(join(good.appDir, "db/migrations")).map((name) => ({ name, content: readFileSync(join(good.appDir, "db/migrations", name), "utf8") })),
      ),
    );
    const problems = releasedMigrationProblems(
      readdirSync(join(edited.appDir, "db/migrations")).map((name) => ({ name, content: readFileSync(join(edited.appDir, "db/migrations", name), "utf8") })),
      record,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], /V1_0_1__seed_products\.sql/);
    // The same promotion on the running deployment: Flyway's validate-on-migrate stops the job.
    updateCompose(good.project, readFileSync(join(edited.project.dir, "compose.yaml"), "utf8"));
    const up = await composeUp(good.project);
    assert.equal(up.ok, false, "the edited release must not come up");
    assert.equal(up.failedStep, "up");
    assert.match(up.logs, /checksum mismatch for migration version 1\.0\.1/i);
  });
});

describe("what the Dagger E2E stage hands over, run for real: the module's Flyway command lines, the service log wrapper", () => {
  test("fresh database: validate (pending allowed), migrate, info = the release's version; the backend under the log wrapper; a broken migration fails naming its file", async () => {
    const fresh = await release("e2e-flyway");
    const db = await compose(fresh.project, ["up", "-d", "db"]);
    assert.equal(db.code, 0, db.output);
    const ready = await waitHealthy(fresh.project, "db");
    assert.ok(ready, "the database server became healthy");
    const validate = await flyway(fresh.project, fresh.built.images.db, "validate", { ignorePending: true });
    assert.ok(validate.succeeded, `${validate.message}\n${validate.output}`);
    const strict = await flyway(fresh.project, fresh.built.images.db, "validate");
    assert.equal(strict.succeeded, false, "without ignorePending, pending migrations fail validation (and Flyway exits 0: the JSON decides)");
    const migrate = await flyway(fresh.project, fresh.built.images.db, "migrate");
    assert.ok(migrate.succeeded, `${migrate.message}\n${migrate.output}`);
    assert.equal(migrate.schemaVersion, "1.1.0");
    const info = await flyway(fresh.project, fresh.built.images.db, "info");
    assert.deepEqual([info.succeeded, info.schemaVersion], [true, "1.1.0"]);

    // The backend as the stage starts it: its image's own command under the log wrapper, on the migrated database.
    const docker = "/usr/bin/docker";
    const config = (JSON.parse((await must(docker, ["image", "inspect", fresh.built.images.backend])).stdout) as { Config: { Entrypoint: string[] | null; Cmd: string[] | null; User: string } }[])[0]
      .Config;
    const volume = `pac-e2e-logs-${process.pid}`;
    const dir = `${SERVICE_LOGS}/backend`;
    await must(docker, ["run", "--rm", "--user", "0", "-v", `${volume}:${dir}`, "--entrypoint", "chown", fresh.built.images.backend, config.User, dir]);
    const password = /DB_PASSWORD=(\S+)/.exec(readFileSync(join(fresh.project.dir, ".env"), "utf8"))?.[1] ?? "";
    const runId = `run-${process.pid}`;
    const [shell, ...args] = loggedCommand("backend", runId, [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])]);
    const name = `pac-e2e-backend-${process.pid}`;
    await must(
      docker,
      ["run", "-d", "--name", name, "--network", `${fresh.project.name}_default`, "-e", "DATABASE_URL", "-v", `${volume}:${dir}`, "--entrypoint", shell, fresh.built.images.backend, ...args],
      {
        env: { ...process.env, DATABASE_URL: `postgresql://webshop:${password}@db:5432/webshop` },
      },
    );
    try {
      let healthy = false;
      for (let i = 0; i < 120 && !healthy; i++) {
        healthy = (await run(docker, ["exec", name, "node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"])).code === 0;
        if (!healthy) await new Promise((done) => setTimeout(done, 250));
      }
      assert.ok(healthy, (await run(docker, ["logs", name])).output);
      const log = await must(docker, ["run", "--rm", "-v", `${volume}:${dir}`, "--entrypoint", "cat", fresh.built.images.backend, `${dir}/${runId}/backend.log`]);
      assert.match(log.stdout, /webshop backend listening/, "the service's output reached the log volume");
    } finally {
      await run(docker, ["rm", "-f", name]);
      await run(docker, ["volume", "rm", volume]);
    }

    const broken = await release("e2e-flyway-broken", (app) =>
      writeFileSync(join(app, "db/migrations/V1_2_0__add_discounts.sql"), "CREATE TABLE discounts (id integer PRIMARY KEY,, percent integer);\n"),
    );
    const failed = await flyway(fresh.project, broken.built.images.db, "migrate");
    assert.equal(failed.succeeded, false);
    assert.match(failed.message, /V1_2_0__add_discounts\.sql/);
    assert.match(failed.message, /syntax error/i);
  });
});

describe("releases that must fail E2E, each naming the cause", () => {
  test("a migration with a SQL syntax error: the migration job fails naming the file, the backend never starts", async () => {
    const broken = await release("e2e-syntax", (app) => writeFileSync(join(app, "db/migrations/V1_2_0__add_discounts.sql"), "CREATE TABLE discounts (id integer PRIMARY KEY,, percent integer);\n"));
    const up = await composeUp(broken.project);
    assert.equal(up.ok, false);
    assert.match(up.logs, /V1_2_0__add_discounts\.sql/);
    assert.match(up.logs, /syntax error/i);
    const backend = (
      await run("/usr/bin/docker", ["ps", "-a", "-q", "--filter", `label=com.docker.compose.project=${broken.project.name}`, "--filter", "label=com.docker.compose.service=backend"])
    ).stdout.trim();
    if (backend !== "") {
      const state = (await run("/usr/bin/docker", ["inspect", "-f", "{{.State.Status}}", backend])).stdout.trim();
      assert.equal(state, "created", "the backend was created but never started");
    }
  });

  test("two migrations with one version: our check says so before any database, and Flyway refuses to migrate", async () => {
    const dup = await release("e2e-duplicate", (app) => writeFileSync(join(app, "db/migrations/V1_1_0__add_discounts.sql"), "CREATE TABLE discounts (id integer PRIMARY KEY);\n"));
    const lint = lintMigrations(readdirSync(join(dup.appDir, "db/migrations")));
    assert.deepEqual(lint.problems, ["V1_1_0__add_discounts.sql, V1_1_0__create_orders.sql: 2 versioned migrations share version 1.1.0"]);
    const up = await composeUp(dup.project);
    assert.equal(up.ok, false);
    assert.match(up.logs, /more than one migration with version 1\.1\.0/i);
  });

  test("a broken backend query: the stack comes up, Playwright fails naming the test, the backend's log names the column", async () => {
    const bad = await release("e2e-query", (app) => {
      const file = join(app, "backend/src/db.ts");
      writeFileSync(file, readFileSync(file, "utf8").replace("INSERT INTO orders (total_cents)", "INSERT INTO orders (total)"));
    });
    const up = await composeUp(bad.project);
    assert.ok(up.ok, `${up.failedStep}: ${up.output}\n${up.logs}`);
    const pw = await runPlaywright(bad.config, bad.built, `http://127.0.0.1:${bad.project.port}`, join(bad.work, "reports"));
    assert.notEqual(pw.code, 0, "Playwright must fail");
    const failed = failedTests(pw.junit ?? "");
    assert.ok(failed.length > 0 && failed.every((t) => /order|checkout|cart/i.test(t)), `failing tests: ${failed.join(", ")}`);
    const logs = (
      await run("/usr/bin/docker", [
        "logs",
        (await run("/usr/bin/docker", ["ps", "-q", "--filter", `label=com.docker.compose.project=${bad.project.name}`, "--filter", "label=com.docker.compose.service=backend"])).stdout.trim(),
      ])
    ).output;
    // The backend logs JSON lines, so the quotes arrive escaped.
    assert.match(logs, /column \\?"total\\?" of relation \\?"orders\\?" does not exist/);
  });
});
