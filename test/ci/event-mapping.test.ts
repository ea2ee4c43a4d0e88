/**
 * One call each: every host event, fed through the wrapper we ship (its shell run for real, with a
 * stand-in `dagger` that records arguments), must give the same plan as the foundation's `plan`
 * for that event, and call the function that plan says. Both hosts must agree.
 *
 * Run twice: for the bundled example (examples/webshop, whose calls on an engine need
 * `--source=examples/webshop`, as .github/workflows/example.yml passes: the example is not the
 * root of this repository), and inside an application repository (test/fixtures/app-repo: only
 * pipeline.yaml, its component folders and dagger.json naming this module as blueprint), where the
 * unchanged wrappers' bare `dagger call` must load that repository's pipeline.yaml: the config of
 * each recorded call is what the engine would load from the directory the call ran in
 * (test/ci/app-repo.ts, test/harness/engine/default-path.ts).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../.dagger/src/config/load.js";
import type { PipelineConfig } from "../../.dagger/src/config/schema.js";
import { type PipelineEvent, toEvent } from "../../.dagger/src/plan/event.js";
import { plan } from "../../.dagger/src/plan/plan.js";
import { previewOf, stalePreviews } from "../../.dagger/src/release/preview.js";
import { ROOT } from "../tiers/modules.js";
import { parseDroneFile } from "./drone-format.js";
import { type DroneEnv, droneEvents, droneStepsFor } from "./drone-host.js";
import { type GithubEvent, githubEvents, githubStepsFor } from "./github-host.js";
import { type DefaultPathRequest, resolveDefaultPath } from "../harness/engine/default-path.js";
import { APP_REPO_FIXTURE, checkoutAppRepo, configLoadedBy, sourceLoadedBy } from "./app-repo.js";
import { droneClone, githubCheckout, type PullRequestRepo, pullRequestRepo } from "./pull-request-repo.js";
import { listFlag, parseDaggerCall, type RecordedCall, runWrapperCalls } from "./wrapper-run.js";

const exampleConfig = parseConfig(readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8"), "pipeline.yaml");
const SHA = "0123456789abcdef0123456789abcdef01234567";

/** What an event must lead to: the foundation's event, and the action calls (function and the flags that matter). */
export interface Expectation {
  name: string;
  event: PipelineEvent;
  actions: { fn: string; flags: Record<string, string | true> }[];
}

/**
 * The table: one row per event the issue lists. A pull request's event also carries the files it
 * changes: the application's pull request (pull-request-repo.ts) decides them, so its row's event
 * gets them per application (expectedEvent).
 */
export const TABLE: Expectation[] = [
  { name: "pull request from feature/login", event: { kind: "pull-request", branch: "feature/login" }, actions: [{ fn: "ci", flags: { event: "pull-request", branch: "feature/login" } }] },
  {
    name: "push to main",
    event: { kind: "push", branch: "main" },
    actions: [{ fn: "ci", flags: { revision: SHA, branch: "main", "registry-token": "env://REGISTRY_TOKEN", "gitops-token": "env://GITOPS_TOKEN" } }],
  },
  { name: "push to dev", event: { kind: "push", branch: "dev" }, actions: [{ fn: "ci", flags: { revision: SHA, branch: "dev" } }] },
  { name: "push to feature/login", event: { kind: "push", branch: "feature/login" }, actions: [{ fn: "ci", flags: { revision: SHA, branch: "feature/login" } }] },
  {
    name: "release tag v1.4.0",
    event: { kind: "tag", tag: "v1.4.0" },
    actions: [{ fn: "release", flags: { tag: "v1.4.0", revision: SHA, "gitops-token": "env://GITOPS_TOKEN", "release-token": "env://RELEASE_TOKEN", "registry-token": "env://REGISTRY_TOKEN" } }],
  },
  { name: "promote to prod", event: { kind: "promote", environment: "prod" }, actions: [{ fn: "promote", flags: { env: "prod", "registry-token": "env://REGISTRY_TOKEN" } }] },
  { name: "roll prod back", event: { kind: "rollback", environment: "prod" }, actions: [{ fn: "rollback", flags: { env: "prod", "gitops-token": "env://GITOPS_TOKEN" } }] },
];

const drone = parseDroneFile(readFileSync(join(ROOT, "ci/drone/.drone.yml"), "utf8"), "ci/drone/.drone.yml");

/** The events of the rows; a pull request's comes from its repository (eventMapping). */
const droneEnvFor: Record<string, DroneEnv> = {
  "push to main": droneEvents.push("main", SHA),
  "push to dev": droneEvents.push("dev", SHA),
  "push to feature/login": droneEvents.push("feature/login", SHA),
  "release tag v1.4.0": droneEvents.tag("v1.4.0", SHA),
  "promote to prod": droneEvents.promote("prod", SHA),
  "roll prod back": droneEvents.rollback("prod", SHA),
};

const workflows = Object.fromEntries(
  readdirSync(join(ROOT, "ci/github"))
    .filter((f) => f.endsWith(".yml"))
    .map((f) => [f, readFileSync(join(ROOT, "ci/github", f), "utf8")]),
);

const githubEventFor: Record<string, GithubEvent> = {
  "push to main": githubEvents.push("main", SHA),
  "push to dev": githubEvents.push("dev", SHA),
  "push to feature/login": githubEvents.push("feature/login", SHA),
  "release tag v1.4.0": githubEvents.tag("v1.4.0", SHA),
  "promote to prod": githubEvents.dispatch("prod", SHA),
  "roll prod back": githubEvents.dispatch("prod", SHA, "rollback"),
};

/** The pull request row's name. */
const PULL_REQUEST = "pull request from feature/login";

/** The application the wrappers run in: how a job's work folder is checked out, and the config a recorded call would load there. */
export interface AppUnderTest {
  label: string;
  /** The application's files: what the pull request's repository holds on main. */
  files: string;
  /** A job's work folder as the host's checkout leaves it; with `dir`, the application's files added to that existing clone. */
  checkout(dir?: string): string;
  /** The pipeline config the recorded call's module would read. */
  configOf(call: RecordedCall): PipelineConfig;
}

/** The bundled example: the wrappers' calls stand for `dagger call --source=examples/webshop …` (example.yml); the job folder holds nothing. */
const bundledExample: AppUnderTest = {
  label: "bundled example",
  files: join(ROOT, "examples/webshop"),
  checkout: (dir) => dir ?? mkdtempSync(join(tmpdir(), "job-")),
  configOf: () => exampleConfig,
};

/** An application repository with the blueprint hookup: the config is what the engine loads from the call's directory, with the call's own flags. */
const applicationRepository: AppUnderTest = {
  label: "application repository with the blueprint hookup",
  files: APP_REPO_FIXTURE,
  checkout: (dir) => checkoutAppRepo(dir),
  configOf: (call) => configLoadedBy({ cwd: call.cwd, constructorFlags: parseDaggerCall(call.args).constructorFlags }),
};

function eventMapping(app: AppUnderTest) {
  /** The application's pull request (made once): origin, commits, and the files it changes. */
  let prRepo: PullRequestRepo | undefined;
  const pr = () => (prRepo ??= pullRequestRepo(app.files, parseConfig(readFileSync(join(app.files, "pipeline.yaml"), "utf8"), "pipeline.yaml")));
  /** The row's event as the foundation should see it: a pull request's with the files it changes. */
  const expectedEvent = (row: Expectation): PipelineEvent => (row.event.kind === "pull-request" ? { ...row.event, changed: pr().changed } : row.event);

  /** The plan the wrapper's own `plan` call asks for (with the config its module loads), and its action calls. */
  function mapped(recorded: RecordedCall[]) {
    const calls = recorded.map((r) => ({ call: parseDaggerCall(r.args), recorded: r }));
    const planCalls = calls.filter((c) => c.call.fn === "plan");
    assert.equal(planCalls.length, 1, `one plan call: ${JSON.stringify(calls.map((c) => c.call.fn))}`);
    const { call: planCall, recorded: planRecorded } = planCalls[0];
    const config = app.configOf(planRecorded);
    // Every call of the job loads the same pipeline.yaml as its plan call.
    for (const c of calls) assert.deepEqual(app.configOf(c.recorded), config, `${c.call.fn}: the same pipeline config as the plan call`);
    const f = planCall.flags;
    const one = (k: string) => (typeof f[k] === "string" ? (f[k] as string) : undefined);
    const event = toEvent({
      event: one("event") ?? "",
      ref: one("ref"),
      environment: one("environment"),
      changed: f.changed === undefined ? undefined : listFlag(planCall, "changed"),
      emergency: f.emergency === true,
    });
    return { config, event, plan: plan(config, event), actions: calls.map((c) => c.call).filter((c) => c.fn !== "plan") };
  }

  /** Check one host's mapping of one event against the table row. */
  function checkRow(row: Expectation, recorded: RecordedCall[]) {
    const m = mapped(recorded);
    assert.deepEqual(m.plan, plan(m.config, expectedEvent(row)), `${row.name}: the wrapper's plan is the foundation's`);
    assert.deepEqual(
      m.actions.map((a) => a.fn),
      row.actions.map((a) => a.fn),
      `${row.name}: the functions called`,
    );
    for (const [i, want] of row.actions.entries()) for (const [k, v] of Object.entries(want.flags)) assert.equal(m.actions[i].flags[k], v, `${row.name}: ${want.fn} --${k}`);
    return m;
  }

  /** Run the Drone steps an event triggers (with these Drone secrets; default: all set) in a checkout of the application; each dagger call and the secrets it resolved. */
  function droneRecorded(env: DroneEnv, options: { cwd?: string; secrets?: Record<string, string> } = {}): RecordedCall[] {
    const steps = droneStepsFor(drone.pipelines, env, options.secrets);
    assert.ok(steps.length > 0, `some Drone pipeline runs for ${env.DRONE_BUILD_EVENT}`);
    const cwd = options.cwd ?? app.checkout();
    // The Docker runner runs commands with the image's /bin/sh (alpine: ash), so a POSIX sh here, not bash.
    return steps.flatMap((s) => runWrapperCalls(s.commands, { ...env, ...s.environment }, { shell: "sh", cwd }));
  }

  /** Run the GitHub jobs an event starts (their run steps in order, in one checkout of the application per job, default: a fresh one); each dagger call and the secrets it resolved. */
  function githubRecorded(event: GithubEvent, options: { cwd?: string } = {}): RecordedCall[] {
    const jobs = githubStepsFor(workflows, event);
    assert.equal(jobs.length, 1, `one job runs for ${event.name}: ${jobs.map((j) => j.job).join(", ")}`);
    const cwd = options.cwd ?? app.checkout();
    // GitHub runs each step with bash -e -o pipefail and its own env.
    return jobs[0].steps.flatMap((s) => runWrapperCalls(["set -o pipefail", s.script], { ...s.env, GITHUB_STEP_SUMMARY: join(cwd, "summary.md") }, { cwd }));
  }

  // A table row's run with the default secrets is deterministic: run it once per host and reuse it in the suites below.
  const rowRuns = new Map<string, RecordedCall[]>();
  const once = (key: string, run: () => RecordedCall[]) => rowRuns.get(key) ?? (rowRuns.set(key, run()).get(key) as RecordedCall[]);
  // A pull request's job runs in the host's clone of it: GitHub's merge ref with the whole history, Drone's merge into the target branch.
  const githubPullRequest = () => githubEvents.pullRequest("feature/login", "main", pr().merge, { base: pr().base, head: pr().head });
  const dronePullRequest = () => droneEvents.pullRequest("feature/login", "main", pr().head, pr().base);
  const droneRow = (row: Expectation) =>
    once(`drone:${row.name}`, () => (row.name === PULL_REQUEST ? droneRecorded(dronePullRequest(), { cwd: droneClone(pr()) }) : droneRecorded(droneEnvFor[row.name])));
  const githubRow = (row: Expectation) =>
    once(`github:${row.name}`, () => (row.name === PULL_REQUEST ? githubRecorded(githubPullRequest(), { cwd: githubCheckout(pr(), 0) }) : githubRecorded(githubEventFor[row.name])));

  describe(`Drone (${app.label}): each event through ci/drone/.drone.yml gives the foundation's plan and calls what it says`, () => {
    for (const row of TABLE)
      test(row.name, () => {
        checkRow(row, droneRow(row));
      });

    test("branch deleted: Drone has no such event; the prune-previews cron removes exactly the previews plan(delete) would", () => {
      // A real clone whose origin has lost feature/old: git ls-remote in the step lists what is live.
      const dir = mkdtempSync(join(tmpdir(), "drone-cron-"));
      const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString();
      git("init", "-q", "--bare", "origin.git");
      git("clone", "-q", "origin.git", "work");
      const work = app.checkout(join(dir, "work"));
      const inWork = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
      inWork("commit", "-q", "--allow-empty", "-m", "x");
      for (const b of ["main", "dev", "feature/live", "feature/old"]) inWork("push", "-q", "origin", `HEAD:refs/heads/${b}`);
      inWork("push", "-q", "origin", "--delete", "feature/old");
      const recorded = droneRecorded(droneEvents.cron("prune-previews", SHA), { cwd: work });
      const calls = recorded.map((r) => parseDaggerCall(r.args));
      assert.deepEqual(
        calls.map((c) => c.fn),
        ["prune-previews"],
      );
      const config = app.configOf(recorded[0]);
      const live = listFlag(calls[0], "branches");
      assert.deepEqual(live.sort(), ["dev", "feature/live", "main"]);
      const folders = ["feature/live", "feature/old"].map((b) => previewOf(config, b).namespace);
      const removal = plan(config, { kind: "delete", branch: "feature/old" });
      assert.equal(removal.flow, "preview-removal");
      assert.deepEqual(
        stalePreviews(config, folders, live),
        removal.stages[0].jobs.map((j) => j.environment),
      );
    });
  });

  describe(`GitHub Actions (${app.label}): each event through ci/github/*.yml gives the foundation's plan and calls what it says`, () => {
    for (const row of TABLE)
      test(row.name, () => {
        checkRow(row, githubRow(row));
      });

    test("branch deleted: the preview of that branch is removed", () => {
      const row: Expectation = { name: "branch deleted", event: { kind: "delete", branch: "feature/login" }, actions: [{ fn: "preview", flags: { branch: "feature/login", remove: true } }] };
      checkRow(row, githubRecorded(githubEvents.delete("feature/login", SHA)));
    });

    test("a tag deletion starts no job (the job's if: reads ref_type)", () => {
      const event = githubEvents.delete("v1.0.0", SHA);
      (event.github.event as { ref_type: string }).ref_type = "tag";
      assert.deepEqual(githubStepsFor(workflows, event), []);
    });
  });

  describe(`both hosts agree (${app.label})`, () => {
    for (const row of TABLE)
      test(row.name, () => {
        const gh = mapped(githubRow(row));
        const dr = mapped(droneRow(row));
        assert.deepEqual(gh.plan, dr.plan);
        assert.deepEqual(
          gh.actions.map((a) => a.fn),
          dr.actions.map((a) => a.fn),
        );
      });
  });

  describe(`optional secrets (${app.label}): a flag only when its secret is set, on both hosts`, () => {
    const NOTIFY = ["notify-webhook", "smtp-password"];
    const ciCall = (calls: RecordedCall[]) => {
      const c = calls.map((r) => ({ ...parseDaggerCall(r.args), secrets: r.secrets })).find((x) => x.fn === "ci");
      assert.ok(c, "a ci call");
      return c;
    };

    test("push to main without notification secrets: no --notify-webhook or --smtp-password; the required secrets are set (empty when missing)", () => {
      const gh = ciCall(githubRecorded({ ...githubEvents.push("main", SHA), secrets: { NEXUS_TOKEN: "n", REGISTRY_TOKEN: "r" } }));
      const dr = ciCall(droneRecorded(droneEvents.push("main", SHA), { secrets: { nexus_token: "n", registry_token: "r" } }));
      for (const c of [gh, dr]) {
        assert.deepEqual(
          NOTIFY.filter((f) => f in c.flags),
          [],
        );
        assert.deepEqual(c.secrets, { NEXUS_TOKEN: "n", REGISTRY_TOKEN: "r", GITOPS_TOKEN: "" });
      }
    });

    test("push to main with them: ci gets both, as env:// references to the secrets' values", () => {
      const gh = ciCall(githubRecorded({ ...githubEvents.push("main", SHA), secrets: { CHAT_WEBHOOK: "https://chat/hook", SMTP_PASSWORD: "pw" } }));
      const dr = ciCall(droneRecorded(droneEvents.push("main", SHA), { secrets: { chat_webhook: "https://chat/hook", smtp_password: "pw" } }));
      for (const c of [gh, dr]) {
        assert.equal(c.flags["notify-webhook"], "env://CHAT_WEBHOOK");
        assert.equal(c.flags["smtp-password"], "env://SMTP_PASSWORD");
        assert.equal(c.secrets.CHAT_WEBHOOK, "https://chat/hook");
        assert.equal(c.secrets.SMTP_PASSWORD, "pw");
      }
    });

    test("promotions pass the target's live database when it is set: prod's on prod, staging's for a tag, none without", () => {
      const promoteCall = (calls: RecordedCall[]) => {
        const c = calls.map((r) => ({ ...parseDaggerCall(r.args), secrets: r.secrets })).find((x) => x.fn === "promote");
        assert.ok(c, "a promote call");
        return c;
      };
      const both = { staging_database_url: "postgres://staging", prod_database_url: "postgres://prod" };
      // GitHub: the job's environment holds DATABASE_URL (prod's for promote.yml in prod, staging's for release.yml).
      const ghProd = promoteCall(githubRecorded({ ...githubEvents.dispatch("prod", SHA), secrets: { DATABASE_URL: "postgres://prod" } }));
      const drProd = promoteCall(droneRecorded(droneEvents.promote("prod", SHA), { secrets: both }));
      // A tag's promotions run inside its one release call.
      const releaseCall = (calls: RecordedCall[]) => {
        const c = calls.map((r) => ({ ...parseDaggerCall(r.args), secrets: r.secrets })).find((x) => x.fn === "release");
        assert.ok(c, "a release call");
        return c;
      };
      const ghTag = releaseCall(githubRecorded({ ...githubEvents.tag("v1.4.0", SHA), secrets: { DATABASE_URL: "postgres://staging" } }));
      const drTag = releaseCall(droneRecorded(droneEvents.tag("v1.4.0", SHA), { secrets: { ...both, release_token: "gitea-token" } }));
      assert.equal(ghTag.flags.repository, "https://github.com/acme/webshop", "GitHub: the repository the release page belongs to");
      assert.equal(drTag.flags.repository, "https://gitea.example.com/acme/webshop", "Drone: the repository the release page belongs to");
      for (const c of [ghProd, drProd]) assert.deepEqual([c.flags["database-url"], c.secrets.DATABASE_URL], ["env://DATABASE_URL", "postgres://prod"]);
      for (const c of [ghTag, drTag]) assert.deepEqual([c.flags["database-url"], c.secrets.DATABASE_URL], ["env://DATABASE_URL", "postgres://staging"]);
      const drStaging = promoteCall(droneRecorded(droneEvents.promote("staging", SHA), { secrets: both }));
      assert.equal(drStaging.secrets.DATABASE_URL, "postgres://staging");
      for (const c of [promoteCall(githubRecorded({ ...githubEvents.dispatch("prod", SHA), secrets: {} })), promoteCall(droneRecorded(droneEvents.promote("prod", SHA), { secrets: {} }))])
        assert.equal(c.flags["database-url"], undefined);
    });

    test("a wrapper naming a secret the step does not set fails, as the real CLI does", () => {
      assert.throws(() => runWrapperCalls(["dagger call ci --registry-token=env://REGISTRY_TOKEN"], {}, { cwd: app.checkout() }), /secret env var not found: "REGISTRY_TOKEN"/);
    });
  });

  describe(`pull requests (${app.label}): the files the pull request changes reach plan and ci, from a real clone's diff`, () => {
    const calls = (recorded: RecordedCall[]) => recorded.map((r) => ({ ...parseDaggerCall(r.args), secrets: r.secrets }));
    const kindsOf = (config: PipelineConfig, names: string[]) => names.map((n) => config.components[n].kind).sort();

    for (const host of ["GitHub", "Drone"] as const)
      test(`${host}: plan and ci get exactly the changed files (spaces, a comma, quotes, both paths of a rename, not main's own change); only the backend and frontend are checked; no secret`, () => {
        const row = TABLE.find((r) => r.name === PULL_REQUEST) as Expectation;
        const recorded = host === "GitHub" ? githubRow(row) : droneRow(row);
        const [planCall, ciCall] = calls(recorded);
        assert.deepEqual([planCall.fn, ciCall.fn], ["plan", "ci"]);
        assert.deepEqual(listFlag(planCall, "changed"), pr().changed, "plan's --changed");
        assert.deepEqual(listFlag(ciCall, "changed"), pr().changed, "ci's --changed");
        assert.ok(
          pr().changed.some((f) => f.includes(" ")) && pr().changed.some((f) => f.includes(",")) && pr().changed.some((f) => f.includes('"')),
          "the pull request's names hold a space, a comma and a quote",
        );
        // The revision is the commit the host names: GitHub's merge (github.sha), Drone's pull request head (DRONE_COMMIT_SHA).
        assert.equal(ciCall.flags.revision, host === "GitHub" ? pr().merge : pr().head);
        const m = mapped(recorded);
        assert.deepEqual(kindsOf(m.config, m.plan.components.affected), ["backend", "frontend"]);
        assert.deepEqual(kindsOf(m.config, m.plan.components.unchanged), ["database"]);
        assert.deepEqual(
          m.plan.stages.map((s) => s.name),
          ["checks"],
        );
        for (const r of recorded) {
          assert.deepEqual(r.secrets, {}, `${r.args[1]} resolves no secret`);
          assert.deepEqual(
            r.args.filter((a) => /\b(env|file|cmd):\/\//.test(a)),
            [],
            `${r.args[1]} names no secret`,
          );
        }
      });

    test("GitHub with actions/checkout's default depth (1): the base is not in the clone, so neither call gets --changed and every component is checked", () => {
      const recorded = githubRecorded(githubPullRequest(), { cwd: githubCheckout(pr(), 1) });
      const [planCall, ciCall] = calls(recorded);
      assert.deepEqual([planCall.fn, ciCall.fn], ["plan", "ci"]);
      for (const c of [planCall, ciCall]) assert.equal(c.flags.changed, undefined, `${c.fn}: no --changed`);
      const m = mapped(recorded);
      assert.deepEqual(m.plan.components.affected, Object.keys(m.config.components));
      assert.deepEqual(m.plan.components.unchanged, []);
      assert.ok(m.plan.notes.includes("Every component is affected: the changed files are unknown."), m.plan.notes.join("\n"));
    });

    test("Drone when neither DRONE_COMMIT_BEFORE nor origin/<target> names a commit of the clone (an empty before, an unknown target): no --changed, every component is checked", () => {
      const recorded = droneRecorded({ ...dronePullRequest(), DRONE_COMMIT_BEFORE: "", DRONE_TARGET_BRANCH: "gone" }, { cwd: droneClone(pr()) });
      const [planCall, ciCall] = calls(recorded);
      for (const c of [planCall, ciCall]) assert.equal(c.flags.changed, undefined, `${c.fn}: no --changed`);
      const m = mapped(recorded);
      assert.deepEqual(m.plan.components.affected, Object.keys(m.config.components));
    });

    test("Drone without DRONE_COMMIT_BEFORE: the clone's origin/<target> is the base, and the changed files are the same", () => {
      const [planCall] = calls(droneRecorded({ ...dronePullRequest(), DRONE_COMMIT_BEFORE: "" }, { cwd: droneClone(pr()) }));
      assert.deepEqual(listFlag(planCall, "changed"), pr().changed);
    });
  });

  return { githubRecorded, droneRecorded, githubRow, droneRow };
}

const example = eventMapping(bundledExample);
const appRepo = eventMapping(applicationRepository);
const pushToMain = TABLE.find((row) => row.name === "push to main") as Expectation;

/** The defect the blueprint exists for: defaultPath resolved in the module's own repository even when it is the caller's blueprint. */
const resolveInOwnContextAlways = (req: DefaultPathRequest) => resolveDefaultPath({ module: req.module, defaultPath: req.defaultPath });

describe("the wrappers run unchanged in an application repository with the blueprint hookup", () => {
  const recordedFor = (row: Expectation) => [...appRepo.githubRow(row), ...appRepo.droneRow(row)];

  test("every call of every event, on both hosts: a plain `dagger call` (no -m, --source or --config) whose source is the checkout's root and whose config is its pipeline.yaml", () => {
    for (const row of TABLE)
      for (const r of recordedFor(row)) {
        const call = parseDaggerCall(r.args); // anything but `dagger call …` (e.g. `dagger -m …`) is refused here
        assert.deepEqual(
          Object.keys(call.constructorFlags).filter((k) => k === "source" || k === "config"),
          [],
          `${row.name}: ${call.fn} names no source or config`,
        );
        assert.equal(sourceLoadedBy({ cwd: r.cwd, constructorFlags: call.constructorFlags }).source, r.cwd, `${row.name}: ${call.fn} loads the checkout`);
        assert.equal(configLoadedBy({ cwd: r.cwd, constructorFlags: call.constructorFlags }).name, "bookshop", `${row.name}: ${call.fn} reads the application's pipeline.yaml`);
      }
  });

  test("mutant: with a defaultPath rule that ignores the blueprint, the same calls find no pipeline.yaml (they would load this repository's root)", () => {
    const r = recordedFor(pushToMain)[0];
    assert.throws(() => configLoadedBy({ cwd: r.cwd, constructorFlags: parseDaggerCall(r.args).constructorFlags }, resolveInOwnContextAlways), /no such file/);
  });

  test("the application's plans are its own, not the bundled example's (so a mix-up cannot pass)", () => {
    const own = appRepo.githubRow(pushToMain);
    const theirs = example.githubRow(pushToMain);
    assert.notDeepEqual(plan(applicationRepository.configOf(own[0]), { kind: "push", branch: "main" }), plan(bundledExample.configOf(theirs[0]), { kind: "push", branch: "main" }));
  });
});

/** The words of a shell command line: blanks split, '…' and "…" quote (\\ escapes " \\ $ ` inside "…"), \\ escapes outside; nothing is expanded. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === " " || c === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= "";
      for (i++; line[i] !== '"'; i++) {
        if (i >= line.length) throw new Error(`unterminated " in ${line}`);
        word += line[i] === "\\" && '"\\$`'.includes(line[i + 1]) ? line[++i] : line[i];
      }
    } else if (c === "\\") word = (word ?? "") + line[++i];
    else if ("$`;&|<>(){}*?[".includes(c)) throw new Error(`same_plan lines hold plain words only, not ${c}: ${line}`);
    else word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

describe("this repository's .github/workflows/example.yml plans exactly the events the wrappers plan", () => {
  test("its same_plan lines are the plan calls of every GitHub wrapper event, argument for argument (the pull request's --changed files included, so a real engine reads those names as the foundation does)", () => {
    const wf = parse(readFileSync(join(ROOT, ".github/workflows/example.yml"), "utf8")) as { jobs: Record<string, { steps: { run?: string }[] }> };
    const script = Object.values(wf.jobs)
      .flatMap((j) => j.steps.map((s) => s.run ?? ""))
      .join("\n");
    const listed = [...script.matchAll(/^\s*same_plan (--.+)$/gm)].map((m) => JSON.stringify(shellWords(m[1].trim()))).sort();
    const recorded = [...TABLE.map((row) => example.githubRow(row)), example.githubRecorded(githubEvents.delete("feature/login", SHA))];
    const planned = recorded
      .map((calls) => calls.find((r) => r.args[1] === "plan"))
      .map((r) => JSON.stringify(r?.args.slice(2)))
      .sort();
    assert.equal(planned.length, 8);
    assert.deepEqual(listed, planned);
    assert.ok(
      listed.some((l) => l.includes("--changed=")),
      "the pull request's plan names its changed files",
    );
  });

  test("shellWords reads quoting as the shell does", () => {
    assert.deepEqual(shellWords(`--event pull-request --changed='"a b.ts"' --changed="x\\"y" z\\ w`), ["--event", "pull-request", '--changed="a b.ts"', '--changed=x"y', "z w"]);
    assert.throws(() => shellWords("--ref $(whoami)"), /plain words only/);
  });
});
