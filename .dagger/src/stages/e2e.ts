/**
 * The E2E stage: the release's own images in the topology of pipeline.yaml, on an ephemeral
 * database migrated by the release's migration image, tested by Playwright in the image of the
 * locked Playwright version. Every step's verdict is an outcome (never an exception), so the
 * report always comes back and the summary names the step, the component and the cause.
 */
import { randomBytes } from "node:crypto";
import { type Container, dag, type Directory, ReturnType, type Service } from "@dagger.io/dagger";
import { browserCheckScript, lockedPlaywrightVersion, playwrightImage } from "../e2e/playwright.js";
import { E2E_EXIT, E2E_REPORTS, e2eShell, loggedCommand, PLAYWRIGHT_REPORT_ENV, readinessScript, SERVICE_LOGS } from "../e2e/scripts.js";
import { flywayModule } from "../mirror/flyway.js";
import { mirrorImage } from "../mirror/images.js";
import { inSpan } from "../progress.js";
import { checkReport, failedTests, tail } from "../report/junit.js";
import type { CheckOutcome } from "../report/outcome.js";
import { isSecret, parseTemplate, type TemplatePart } from "../topology/template.js";
import { databaseOf, type HealthCheck, type TopologyService, topologyOf } from "../topology/topology.js";
import { resolveValue, type Spelling } from "../topology/values.js";
import { toolchainOf } from "../toolchains/index.js";
import type { StageContext } from "./context.js";
import { holdsCredentials } from "../vendor/credentials.js";

/** The release under test: each component's unpublished image from the build stage, and its version. */
export interface ReleaseUnderTest {
  images: Record<string, Container>;
  versions: Record<string, string>;
}

/** What the E2E stage found: one outcome per step that ran, and the reports. */
export interface E2eResult {
  outcomes: CheckOutcome[];
  /** playwright-report/, junit.xml and test-results/ (traces, screenshots) of the test run. */
  reports: Directory;
}

/** The E2E stage; `released` are the migrations records of released releases (an edited released migration fails it). */
export async function runE2e(ctx: StageContext, release: ReleaseUnderTest, released: string[] = []): Promise<E2eResult> {
  const run = new E2eRun(ctx, release);
  try {
    await run.all(released);
  } finally {
    await run.stopServices();
  }
  return { outcomes: run.outcomes, reports: run.reports };
}

/** The Playwright image of the E2E project's locked version, through the mirror; another version in e2e.image is refused. */
export async function e2eImage(ctx: StageContext): Promise<string> {
  const e2e = ctx.config.e2e as NonNullable<StageContext["config"]["e2e"]>;
  const lockfile = `${e2e.path}/package-lock.json`;
  const version = lockedPlaywrightVersion(await ctx.source.file(lockfile).contents(), lockfile);
  return mirrorImage(playwrightImage(version, lockfile, e2e.image), ctx.config.mirror?.images);
}

/** The E2E project installed through the npm mirror in the Playwright image. */
export function e2eProject(ctx: StageContext, image: string): Container {
  const e2e = ctx.config.e2e as NonNullable<StageContext["config"]["e2e"]>;
  return dag.nodeToolchain({ image, registry: ctx.config.mirror?.npm ?? "", npmrc: ctx.npmrc, npmToken: ctx.npmToken, npmAuth: ctx.npmAuth }).install(ctx.source.directory(e2e.path));
}

/** The settings e2eShell reads: where the target is and when it is ready, the browser check, where reports go. */
export function withE2eShell(ctr: Container, ctx: StageContext, baseUrl: string, healthPath: string): Container {
  for (const [name, value] of Object.entries({
    ...PLAYWRIGHT_REPORT_ENV,
    BASE_URL: baseUrl,
    CI: "true",
    PIPELINE_READY_URL: `${baseUrl}${healthPath}`,
    PIPELINE_READY_SCRIPT: readinessScript,
    PIPELINE_BROWSER_CHECK: browserCheckScript,
    PIPELINE_REPORTS: E2E_REPORTS,
    PIPELINE_SERVICE_LOGS: SERVICE_LOGS,
    // Unique per run: an E2E verdict is never served from an earlier run's cache.
    PIPELINE_RUN_ID: ctx.runId,
  }))
    ctr = ctr.withEnvVariable(name, value);
  return ctr;
}

/** What one run of e2eShell left: its exit code, output, JUnit report (when Playwright ran) and reports folder. */
export interface PlaywrightRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  junit?: string;
  reports: Directory;
  /** The container after the run (its files: service logs). */
  container: Container;
}

/** Run e2eShell in the container once: synced, then every field read from the synced handle (reads sent side by side must not run the tests again). */
export async function runE2eShell(ctr: Container): Promise<PlaywrightRun> {
  const done = await ctr.withExec(["sh", "-c", e2eShell], { expect: ReturnType.Any }).sync();
  const [exitCode, stdout, stderr] = await Promise.all([done.exitCode(), done.stdout(), done.stderr()]);
  // Exit 1 is Playwright's "tests failed": its JUnit report names them; other codes are e2eShell's own.
  const junit =
    exitCode === 0 || exitCode === 1
      ? await done
          .file(`${E2E_REPORTS}/junit.xml`)
          .contents()
          .catch(() => undefined)
      : undefined;
  return { exitCode, stdout, stderr, ...(junit !== undefined ? { junit } : {}), reports: done.directory(E2E_REPORTS), container: done };
}

/** One E2E run: its services, its secrets (unique to the run) and the outcomes so far. */
class E2eRun {
  readonly outcomes: CheckOutcome[] = [];
  reports: Directory = dag.directory();
  private readonly services = new Map<string, Service>();
  private readonly passwords = new Map<string, string>();
  /** Services whose output is kept in a log volume. */
  private readonly logged: string[] = [];
  private readonly spell: Spelling;

  constructor(
    private readonly ctx: StageContext,
    private readonly release: ReleaseUnderTest,
  ) {
    this.spell = {
      // A fresh password per run and database: the E2E database is thrown away with it.
      password: (c, inUrl) => {
        if (!this.passwords.has(c)) this.passwords.set(c, randomBytes(18).toString("hex"));
        const pw = this.passwords.get(c) as string;
        return inUrl ? encodeURIComponent(pw) : pw;
      },
      version: (c) => release.versions[c] ?? "",
      text: (t) => t,
    };
  }

  /** The steps in order; each returns false when the run cannot go on. */
  async all(released: string[]): Promise<void> {
    const e2e = this.ctx.config.e2e;
    if (!e2e) {
      this.outcome("e2e", "playwright", "not-run", "pipeline.yaml has no e2e section");
      return;
    }
    // Config mistakes (a Playwright image of another version) fail before any container starts.
    const image = await e2eImage(this.ctx);
    const topology = topologyOf(this.ctx.config, (name) => toolchainOf(name, this.ctx.config.components[name]).healthProbe(this.ctx.config.components[name]));
    for (const s of topology.services) {
      const step = s.role === "database" ? "database" : s.role === "migration" ? "migrate" : "start";
      const ok = await inSpan(["e2e", s.component, step], () => (s.role === "database" ? this.startDatabase(s, released) : s.role === "migration" ? this.migrate(s) : this.startApp(s)));
      if (!ok) return;
    }
    await inSpan(["e2e", "playwright"], () => this.test(image));
  }

  private async startDatabase(s: TopologyService, released: string[]): Promise<boolean> {
    const c = this.ctx.config.components[s.component];
    const problems = (await Promise.all(released.map((r) => flywayModule(this.ctx.config, c).checkReleased(this.ctx.source.directory(c.path).directory(c.migrations ?? "migrations"), r)))).filter(
      (p) => p !== "",
    );
    if (problems.length > 0) return this.outcome(s.component, "released migrations", "failed", [...new Set(problems.join("\n").split("\n"))].join("\n"));
    const db = databaseOf(this.ctx.config, s.component);
    // pg_isready on the configured port decides when it has started: a server listening elsewhere fails
    // within the deadline, where the engine's own port dial would back off for up to 15 minutes.
    const server = withStartHealthcheck(this.withEnv(dag.container().from(mirrorImage(db.image, this.ctx.config.mirror?.images)), s), cappedProbe(s.health)).withExposedPort(db.port);
    return this.start(s, server.asService({ useEntrypoint: true }), "database server");
  }

  /** Flyway from the release's migration image: validate, migrate, then the schema version must be the release's. */
  private async migrate(s: TopologyService): Promise<boolean> {
    const db = databaseOf(this.ctx.config, s.component);
    const server = this.services.get(s.component) as Service;
    const url = dag.setSecret(`e2e-${s.component}-url-${this.ctx.runId}`, `postgresql://${db.user}:${this.spell.password(s.component, true)}@${s.component}:${db.port}/${db.name}`);
    const flyway = flywayModule(this.ctx.config, this.ctx.config.components[s.component]);
    const opts = { database: server, migrationImage: this.release.images[s.component] };
    const started = Date.now();
    const steps = [
      ["validate", flyway.validate(url, { ...opts, ignorePending: true })],
      ["migrate", flyway.migrate(url, opts)],
      ["info", flyway.info(url, opts)],
    ] as const;
    let log = "";
    for (const [command, result] of steps) {
      // Flyway's commands are never cached: each field read would run the command again (two migrates on one database), so read its one JSON field.
      const { succeeded, message, schemaVersion } = JSON.parse(await result.json()) as { succeeded: boolean; message: string; schemaVersion: string };
      log += `flyway ${command}: ${message}\n`;
      if (!succeeded) return this.outcome(s.component, "migrate", "failed", log, started);
      if (command === "info") {
        const schema = schemaVersion;
        const expected = this.release.versions[s.component];
        if (expected && schema !== expected)
          return this.outcome(
            s.component,
            "migrate",
            "failed",
            `${log}the database reports schema version ${schema || "(none)"} after migrating, but the release's migrations say ${expected}`,
            started,
          );
      }
    }
    return this.outcome(s.component, "migrate", "passed", log, started);
  }

  private async startApp(s: TopologyService): Promise<boolean> {
    const image = this.release.images[s.component];
    const [entrypoint, args, user] = await Promise.all([image.entrypoint(), image.defaultArgs(), image.user()]);
    let ctr = this.withEnv(image, s).withMountedCache(`${SERVICE_LOGS}/${s.name}`, this.logVolume(s.name), user ? { owner: user } : {});
    for (const d of s.dependsOn) {
      const svc = this.services.get(d.service);
      if (svc) ctr = ctr.withServiceBinding(d.service, svc);
    }
    this.logged.push(s.name);
    ctr = withStartHealthcheck(ctr, s.health);
    return this.start(s, ctr.withExposedPort(s.port as number).asService({ args: loggedCommand(s.name, this.ctx.runId, [...entrypoint, ...args]) }), "service");
  }

  /** One stable cache volume per pipeline and service (never per run: each run's log is a subdirectory), owned by the service's user, read by the test container. */
  private logVolume(service: string) {
    return dag.cacheVolume(`pipeline-e2e-logs-${this.ctx.config.name}-${service}`);
  }

  /** Start explicitly: a started service stays up until the run ends, so later steps see the same database. */
  private async start(s: TopologyService, service: Service, what: string): Promise<boolean> {
    const started = Date.now();
    try {
      this.services.set(s.name, await service.start());
      return true;
    } catch (e) {
      return this.outcome(s.component, "start", "failed", startFailure(s, what, (e as Error).message), started);
    }
  }

  private async test(image: string): Promise<void> {
    const e2e = this.ctx.config.e2e as NonNullable<StageContext["config"]["e2e"]>;
    const targetName = e2e.target ?? Object.entries(this.ctx.config.components).find(([, c]) => c.kind === "frontend")?.[0];
    const target = targetName ? this.ctx.config.components[targetName] : undefined;
    if (!targetName || !target || target.kind === "database") {
      this.outcome("e2e", "playwright", "failed", "no component to test: set e2e.target to the component the browser opens");
      return;
    }
    const baseUrl = `http://${targetName}:${target.image.port}`;
    let ctr = e2eProject(this.ctx, image).withServiceBinding(targetName, this.services.get(targetName) as Service);
    for (const name of this.logged) ctr = ctr.withMountedCache(`${SERVICE_LOGS}/${name}`, this.logVolume(name));
    for (const [name, value] of Object.entries(e2e.env)) ctr = this.withParts(ctr, `e2e-${name}`, name, parseTemplate(value));
    ctr = withE2eShell(ctr, this.ctx, baseUrl, target.image.health);
    const started = Date.now();
    const { exitCode, stdout, stderr, junit, reports, container } = await runE2eShell(ctr);
    this.reports = reports;
    const why = exitCode === E2E_EXIT.notReady ? `${targetName} never became ready:\n` : exitCode === E2E_EXIT.browsersMismatch ? "the image's browsers do not match the locked Playwright:\n" : "";
    const logs = exitCode === 0 ? "" : await this.serviceErrors(container.directory(`${E2E_REPORTS}/services`));
    this.outcome("e2e", "playwright", exitCode === 0 ? "passed" : "failed", exitCode === 0 ? "" : `${why}${tail(`${stdout}${stderr}`)}${logs}`, started, junit);
  }

  /** The lines of each service's log that speak of an error: often the cause the browser cannot see. */
  private async serviceErrors(logs: Directory): Promise<string> {
    const parts = await Promise.all(
      this.logged.map(async (name) => {
        const text = await logs
          .file(`${name}.log`)
          .contents()
          .catch(() => "");
        const errors = text.split("\n").filter((line) => /error|exception|fatal|panic/i.test(line));
        return errors.length > 0 ? `\n\n${name} log (error lines):\n${errors.slice(-10).join("\n")}` : "";
      }),
    );
    return parts.join("");
  }

  /** Set a service's environment from the topology; values that carry a password or any other credential become secrets. */
  private withEnv(ctr: Container, s: TopologyService): Container {
    for (const [name, parts] of Object.entries(s.env)) ctr = this.withParts(ctr, `${s.name}-${name}`, name, parts);
    return ctr;
  }

  private withParts(ctr: Container, id: string, name: string, parts: TemplatePart[]): Container {
    const value = resolveValue(this.ctx.config, parts, this.spell);
    // A literal that carries credentials (a URL with user:password@, ?token=) is a secret as much as {db.password}.
    if (!isSecret(parts, (c) => this.ctx.config.components[c].kind) && !holdsCredentials(value)) return ctr.withEnvVariable(name, value);
    return ctr.withSecretVariable(name, dag.setSecret(`e2e-${id}-${this.ctx.runId}`, value));
  }

  private outcome(component: string, check: string, status: CheckOutcome["status"], detail: string, started = Date.now(), junit?: string): boolean {
    const seconds = (Date.now() - started) / 1000;
    this.outcomes.push({
      component,
      check,
      status,
      failedTests: junit ? failedTests(junit) : [],
      detail: status === "passed" ? "" : detail,
      junit: junit ?? checkReport(component, check, status, detail, seconds),
      seconds,
    });
    return status !== "failed";
  }

  /** Stop every service this run started (best effort: the session ends them anyway). */
  async stopServices(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop().catch(() => undefined)));
  }
}

/** Seconds between health checks until a service is healthy: it starts within this long of being ready. */
export const START_INTERVAL_SECONDS = 1;
/** Failed checks in a row, after the start period, before a service is unhealthy. */
const START_RETRIES = 3;

/**
 * The service's health check, set for the engine's start: the engine calls a container with a
 * HEALTHCHECK started when the check passes, running the first check at once and then one every
 * StartInterval, else Interval (dagger/dagger core/healthcheck.go at v0.21.8). The images'
 * own HEALTHCHECK (10 s interval: Docker 20.10's BuildKit refuses --start-interval, so images
 * cannot carry a short one) would add ≥ 10 s to every service. The deadline is Compose's for the
 * same check: failures count only after start period + retries × interval, then three in a row fail it.
 */
export function withStartHealthcheck(ctr: Container, h: HealthCheck | undefined): Container {
  if (!h || h.test.length === 0) return ctr;
  return ctr.withDockerHealthcheck(h.test, {
    startInterval: `${START_INTERVAL_SECONDS}s`,
    interval: `${h.interval}s`,
    timeout: `${h.timeout}s`,
    startPeriod: `${startDeadline(h)}s`,
    retries: START_RETRIES,
  });
}

/** Seconds a service may take to become healthy before failures count (Compose's budget for the same check). */
export const startDeadline = (h: HealthCheck): number => h.startPeriod + h.retries * h.interval;

/**
 * The database probe with its own per-check cap: the engine runs a health check without a timeout
 * (core/healthcheck.go ignores Timeout), so pg_isready's -t bounds each check instead.
 */
function cappedProbe(h: HealthCheck | undefined): HealthCheck | undefined {
  if (h?.test[0] !== "pg_isready" || h.test.includes("-t")) return h;
  return { ...h, test: [...h.test, "-t", String(h.timeout)] };
}

/** What a failed start means: unhealthy (the health check kept failing), or exited before it was healthy. */
function startFailure(s: TopologyService, what: string, message: string): string {
  const h = s.health;
  if (h && h.test.length > 0 && /health check errored/.test(message)) {
    const limit = startDeadline(h) + START_RETRIES * START_INTERVAL_SECONDS;
    if (s.role === "database")
      return `the ${what} ${s.name} did not answer on ${s.name}:${s.port} (pg_isready inside the container on 127.0.0.1:${s.port}) within ${limit} s: is it listening on that port (pipeline.yaml database port)? ${message}`;
    return `the ${what} ${s.name} was not healthy: its health check (${describeProbe(h.test)}) still failed after ${limit} s: ${message}`;
  }
  if (h && h.test.length > 0) return `the ${what} ${s.name} stopped before it was healthy: ${message}`;
  return `the ${what} ${s.name} did not start or never listened on port ${s.port}: ${message}`;
}

/** A probe in words: the URL a node fetch probe asks, else the command. */
function describeProbe(test: string[]): string {
  const url = /fetch\("([^"]+)"\)/.exec(test.join(" "))?.[1];
  return url ? `GET ${url} inside the container` : test.join(" ");
}
