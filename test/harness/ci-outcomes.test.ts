// Outcomes of ci and e2e that the query recorder could only assert on its own stub answers (a
// Flyway result, the Aspire run's verdict, the notify module's "sent", the checks of the flyway
// module, the versions the modules read): here our modules compute them with their own code.
// Flyway answers with its recorded real output (recorded-flyway.ts); every other container output
// is the recorder's placeholder (exit code 0) unless a test answers it: a failing unit test, a
// failing Playwright run in the Aspire graph, a build error. Nothing here ran in Dagger.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SMTPServer } from "smtp-server";
import type { RunResult } from "../../.dagger/src/runs.js";
import { mintId } from "../recorder/ids.js";
import { ROOT } from "../tiers/modules.js";
import { type HarnessApp, harnessSuite } from "./app.js";
import { describeContainer } from "./container-rules.js";
import { Harness, literalArgs } from "./harness.js";
import { standIns } from "./stand-ins.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string) => mintId([{ field: "setSecret", args: { name } }]);
const flywayFixture = (name: string) => readFileSync(join(ROOT, "test/fixtures/flyway", name), "utf8");
const FAILING_JUNIT = readFileSync(join(ROOT, "test/fixtures/junit/node-test-runner-failing.xml"), "utf8");

/** The leaves of one run that the test answers (first), else Flyway's recorded output and a stand-in clean Trivy report; every leaf asked is kept, in order. */
function answers(more: (leaf: string) => unknown = () => undefined, flyway?: Record<string, string>) {
  const asked: string[] = [];
  const standIn = standIns(undefined, flyway);
  const stubs = (leaf: string): unknown => {
    asked.push(leaf);
    const answer = more(leaf);
    return answer !== undefined ? answer : standIn(leaf);
  };
  return { asked, stubs };
}

/** A leaf of the backend's unit tests (node-toolchain's check of backend running `npm run test`). */
const backendUnit = (leaf: string) => leaf.includes('.directory(path: "backend")') && leaf.includes('withExec(args: ["npm", "run", "test"], expect: "ANY")');
/** A Playwright leaf: E2E's, or the Aspire graph's tests (their container carries the Aspire run id). */
const playwright = (leaf: string) => leaf.startsWith('container.from(address: "nexus.example.com:8443/docker-group/mcr.microsoft.com/playwright:');
const aspireTests = (leaf: string) => playwright(leaf) && leaf.includes('withEnvVariable(name: "ASPIRE_RUN_ID"');

interface Outcome {
  summary: string;
  passed: boolean;
  /** reports/result.json, as the run wrote it. */
  result: RunResult;
}

/** One `dagger call <fn> … ` of the pipeline module: its summary, verdict and reports/result.json, in one query (ci and e2e are never cached: one query, one run). */
async function call(h: Harness, fn: "ci" | "e2e", args: Record<string, unknown>): Promise<Outcome> {
  const data = await h.session((query) => query(`query { pipeline { ${fn}${literalArgs(args)} { summary passed reports { file(path: "result.json") { contents } } } } }`));
  const run = (data.pipeline as Record<string, { summary: string; passed: boolean; reports: { file: { contents: string } } }>)[fn];
  return { summary: run.summary, passed: run.passed, result: JSON.parse(run.reports.file.contents) as RunResult };
}

describe("harness: ci and e2e outcomes computed by the modules' own code", () => {
  const { registry, app } = harnessSuite();
  const harness = (a: HarnessApp, stubs: (leaf: string) => unknown) => {
    const h = new Harness({ root: a.root, registry, remotes: a.remotes, stubs });
    h.engine.setSecret("registry-token", "reg-token");
    h.engine.setSecret("gitops-token", "gitops-token");
    return h;
  };

  it("a local ci without a registry token: every stage's verdict, publishing not started and why, the components with the versions the modules read, the reports linked", async () => {
    const a = await app();
    const { asked, stubs } = answers();
    const h = harness(a, stubs);
    const run = await call(h, "ci", { revision: REV });
    assert.equal(run.passed, true, run.summary);
    assert.match(run.summary, /^# webshop ci: ✅ passed\n\nrevision `0123456789ab`\n/);
    assert.match(
      run.summary,
      /\| checks \| ✅ 8 checks passed \|\n\| build \| ✅ 3 images built \|\n\| E2E \| ✅ 2 steps passed \|\n\| scan \| ✅ 3 image\(s\) scanned; promotions judge these reports \|\n\| integration \(Aspire\) \| ✅ 1 run passed \|\n\| publish \| ⏹️ not started, because no --registry-token was given \|\n\| release record \| ⏹️ not started, because no --registry-token was given \|\n\| promote \| ⏹️ not started, because no --registry-token was given \|/,
    );
    for (const [name, version] of [
      ["db", "1.1.0"],
      ["backend", "1.2.0"],
      ["frontend", "1.2.0"],
    ])
      assert.match(run.summary, new RegExp(`^\\| ${name} \\| ${version.replace(/\./g, "\\.")} \\| not published \\|$`, "m"), "components with their versions");
    assert.match(run.summary, /^## Checks: passed$/m);
    assert.match(run.summary, /^\| db \| (lint|unit) \| ✅ passed \|/m, "the flyway module's checks of db");
    assert.match(run.summary, /^## E2E: passed$/m);
    assert.match(run.summary, /^\| aspire \| integration \| ✅ passed \|/m, "the Aspire run's own verdict");
    assert.match(run.summary, /^- `reports\/e2e\/playwright-report\/index\.html`$/m, "the reports are linked");
    // The verdict the CI wrappers read, with the versions node-toolchain and flyway read from the sources.
    assert.equal(run.result.passed, true);
    assert.deepEqual(run.result.failed, []);
    assert.deepEqual(run.result.components, { db: { version: "1.1.0" }, backend: { version: "1.2.0" }, frontend: { version: "1.2.0" } });
    // The Aspire integration runs after E2E's Playwright run, nothing is pushed.
    const e2e = asked.findIndex((l) => playwright(l) && !aspireTests(l) && l.endsWith(".exitCode"));
    const aspire = asked.findIndex((l) => aspireTests(l) && l.endsWith(".exitCode"));
    assert.ok(e2e >= 0 && aspire > e2e, `E2E's Playwright (${e2e}) before the Aspire graph's tests (${aspire})`);
    assert.deepEqual(h.engine.published, []);
  });

  it("ci on main where the Aspire graph's tests fail: the aspire module's verdict fails the run after E2E passed, and nothing is published or promoted", async () => {
    const a = await app();
    const writesBefore = registry.writes.length;
    const { asked, stubs } = answers((leaf) => (aspireTests(leaf) && leaf.endsWith(".exitCode") ? 1 : undefined));
    const h = harness(a, stubs);
    const run = await call(h, "ci", { revision: REV, branch: "main", registryToken: secret("registry-token"), gitopsToken: secret("gitops-token") });
    assert.equal(run.passed, false);
    assert.match(run.summary, /^\| E2E \| ✅ 2 steps passed \|$/m, run.summary);
    assert.match(run.summary, /^\| aspire \| integration \| ❌ failed \|/m, run.summary);
    assert.match(run.summary, /^\| publish \| ⏹️ not started, because the Aspire integration failed; nothing was pushed \|$/m);
    assert.equal(h.engine.count("aspire", "test"), 1);
    const e2e = asked.findIndex((l) => playwright(l) && !aspireTests(l) && l.endsWith(".exitCode"));
    const aspire = asked.findIndex((l) => aspireTests(l) && l.endsWith(".exitCode"));
    assert.ok(e2e >= 0 && aspire > e2e, `E2E's Playwright (${e2e}) before the Aspire graph's tests (${aspire})`);
    assert.deepEqual(h.engine.published, [], "nothing is published");
    assert.equal(registry.writes.length, writesBefore, "nothing is written to the registry");
    assert.equal(h.engine.count("gitops", "push"), 0, "nothing is recorded or promoted");
  });

  it("follows the plan of the branch: dev stops after the build, another branch after the checks, a preview branch has no E2E and nothing to publish without a token", async () => {
    const a = await app();
    const ci = async (branch: string) => {
      const { asked, stubs } = answers();
      const h = harness(a, stubs);
      return { h, asked, run: await call(h, "ci", { revision: REV, branch }) };
    };
    const built = (h: Harness) => h.engine.count("node-toolchain", "build") + h.engine.count("flyway", "build");
    const noE2E = ({ h, asked }: { h: Harness; asked: string[] }, what: string) => {
      assert.equal(asked.filter(playwright).length, 0, `${what}: no Playwright`);
      assert.equal(h.engine.count("aspire", "test"), 0, `${what}: no Aspire run`);
      assert.equal(h.engine.count("flyway", "migrate"), 0, `${what}: no E2E database`);
    };

    const dev = await ci("dev");
    assert.match(dev.run.summary, /^\| checks \| ✅ 8 checks passed \|\n\| build \| ✅ 3 images built \|\n\n/m, dev.run.summary);
    assert.match(dev.run.summary, /^- Pushes to dev end after the image build: nothing is published or deployed\.$/m);
    assert.equal(built(dev.h), 3, "the images are built");
    noE2E(dev, "dev");

    const other = await ci("fix/typo");
    assert.match(other.run.summary, /^\| checks \| ✅ 8 checks passed \|\n\n/m, other.run.summary);
    assert.match(other.run.summary, /^- Pushes to fix\/typo run the checks only \(branches in pipeline\.yaml\)\.$/m);
    assert.equal(built(other.h), 0, "nothing is built");
    noE2E(other, "fix/typo");

    const preview = await ci("feature/login");
    assert.equal(preview.run.passed, true, preview.run.summary);
    assert.match(
      preview.run.summary,
      /^\| stage \| verdict \|\n\|---\|---\|\n\| checks \| ✅ 8 checks passed \|\n\| build \| ✅ 3 images built \|\n\| publish \| ⏹️ not started, because no --registry-token was given, so there is no preview \|\n\| preview \| ⏹️ not started, because no --registry-token was given, so there is no preview \|$/m,
    );
    noE2E(preview, "feature/login");
    assert.equal(preview.h.engine.count("gitops", "push"), 0);
  });

  it("a backend image that does not build: the build stage fails naming it, later stages say why they did not start; result.json has the versions the modules read", async () => {
    const a = await app();
    const BUILD_ERROR = "process \"npm run build\" did not complete successfully: exit code: 2\nsrc/server.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.";
    const backendBuild = (leaf: string) =>
      leaf.startsWith("host.directory(") && leaf.includes('.directory(path: "backend")') && leaf.includes(".dockerBuild(") && !leaf.includes(".asService") && leaf.endsWith(".sync");
    const { asked, stubs } = answers((leaf) => {
      if (backendBuild(leaf)) throw new Error(BUILD_ERROR);
      return undefined;
    });
    const h = harness(a, stubs);
    const run = await call(h, "ci", { revision: REV, runUrl: "https://ci.example.com/run/7" });
    assert.ok(asked.some(backendBuild), "the backend's build was asked for");
    assert.equal(run.passed, false);
    assert.match(run.summary, /^# webshop ci: ❌ failed in build: backend image\n\nrevision `0123456789ab` · \[CI run\]\(https:\/\/ci\.example\.com\/run\/7\)\n/, run.summary);
    assert.match(run.summary, /^\| build \| ❌ failed: backend image \|$/m);
    for (const stage of ["E2E", "scan", "integration \\(Aspire\\)", "publish", "release record", "promote"])
      assert.match(run.summary, new RegExp(`^\\| ${stage} \\| ⏹️ not started, because an image did not build \\|$`, "m"));
    assert.match(run.summary, /### backend: image failed\n\n```\n[^`]*error TS2322: Type 'string' is not assignable to type 'number'\./, "the build's error is in the summary");
    assert.match(run.summary, /^CI run: https:\/\/ci\.example\.com\/run\/7$/m);
    assert.equal(asked.filter(playwright).length, 0, "no E2E after a failed build");

    assert.equal(run.result.passed, false);
    assert.deepEqual(run.result.failed, [{ stage: "build", component: "backend", check: "image", tests: [] }]);
    assert.deepEqual(run.result.components, { db: { version: "1.1.0" }, backend: { version: "1.2.0" }, frontend: { version: "1.2.0" } });
    assert.equal(run.result.runUrl, "https://ci.example.com/run/7");
    assert.deepEqual(
      run.result.stages.map((s) => `${s.stage} ${s.status}`),
      ["checks passed", "build failed", "e2e not-started", "scan not-started", "integration not-started", "publish not-started", "record not-started", "promote not-started"],
    );
  });

  it("e2e with a migration Flyway fails (its recorded real output): the stage stops there, naming the file and cause; no application service, no Playwright", async () => {
    const a = await app();
    // The migrations Flyway ran when it printed this: the example's and a broken one (test/fixtures/flyway/README.md, database "broken").
    copyFileSync(join(ROOT, "test/fixtures/flyway/migrations/broken/V1_2_0__add_payments.sql"), join(a.root, "db/migrations/V1_2_0__add_payments.sql"));
    const outputs = { validate: flywayFixture("validate-success.json"), migrate: flywayFixture("migrate-sql-error.json"), info: flywayFixture("info-after-sql-error.json") };
    // Flyway exited 1 on that migrate (manifest.json).
    const { asked, stubs } = answers((leaf) => (/withExec\(args: \["-outputType=json", "migrate"\][^)]*\)\.exitCode$/.test(leaf) ? 1 : undefined), outputs);
    const h = harness(a, stubs);
    const run = await call(h, "e2e", { revision: REV });
    assert.equal(run.passed, false);
    assert.match(run.summary, /^\| db \| migrate \| ❌ failed \|/m, run.summary);
    assert.match(run.summary, /V1_2_0__add_payments\.sql/, "the file");
    assert.match(run.summary, /syntax error at or near "TABEL"/, "Flyway's cause");
    assert.equal(h.engine.count("flyway", "migrate"), 1);
    assert.deepEqual(
      h.engine.services.map((s) => describeContainer(s.container)),
      ["from nexus.example.com:8443/docker-group/library/postgres:15-bookworm"],
      "only the database was started",
    );
    assert.equal(asked.filter(playwright).length, 0, "no test run");
  });

  describe("notifications (the notify module's own sending, to a local webhook receiver and SMTP server)", () => {
    const TOKEN = "T0KEN-hook-4c2e9a";
    const SMTP_PASSWORD = "smtp-pw-8d1f3b";
    const hooks: { path?: string; body: string }[] = [];
    const mails: { to: string[]; raw: string }[] = [];
    const webhook = createServer((req, res) => {
      let body = "";
      req
        .on("data", (d) => (body += d))
        .on("end", () => {
          hooks.push({ path: req.url, body });
          res.end("ok");
        });
    });
    const smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      onAuth(auth, _session, done) {
        if (auth.username === "ci" && auth.password === SMTP_PASSWORD) done(null, { user: "ci" });
        else done(new Error("Invalid username or password"));
      },
      onData(stream, session, done) {
        let raw = "";
        stream
          .on("data", (d: Buffer) => (raw += d.toString()))
          .on("end", () => {
            mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
            done();
          });
      },
    });
    let hookUrl = "";
    let smtpPort = 0;
    before(async () => {
      await new Promise<void>((done) => webhook.listen(0, "127.0.0.1", done));
      hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/${TOKEN}`;
      await new Promise<void>((done) => smtp.listen(0, "127.0.0.1", () => done()));
      smtpPort = (smtp.server.address() as AddressInfo).port;
    });
    after(async () => {
      webhook.close();
      await new Promise<void>((done) => smtp.close(() => done()));
    });

    /** The example with notifications to the local receivers (teams webhook; e-mail as ci, password from --smtp-password). */
    const notifying = async () => {
      const a = await app();
      const file = join(a.root, "pipeline.yaml");
      writeFileSync(
        file,
        `${readFileSync(file, "utf8")}\nnotifications:\n  webhook:\n    format: teams\n  email:\n    host: 127.0.0.1\n    port: ${smtpPort}\n    user: ci\n    from: ci@example.com\n    to: [dev@example.com]\n`,
      );
      return a;
    };

    it("a failed run: the teams webhook and the e-mail name the stage, component, branch, link and failing tests; the summary says where they went", async () => {
      hooks.length = 0;
      mails.length = 0;
      const a = await notifying();
      const { stubs } = answers((leaf) => {
        if (!backendUnit(leaf)) return undefined;
        if (leaf.endsWith(".exitCode")) return 1;
        if (leaf.endsWith('.file(path: "/reports/junit.xml").contents')) return FAILING_JUNIT;
        return undefined;
      });
      const h = harness(a, stubs);
      h.engine.setSecret("chat-webhook", hookUrl);
      h.engine.setSecret("smtp-password", SMTP_PASSWORD);
      const run = await call(h, "ci", { revision: REV, branch: "main", runUrl: "https://ci.example.com/run/42", notifyWebhook: secret("chat-webhook"), smtpPassword: secret("smtp-password") });
      assert.equal(run.passed, false);
      assert.equal(h.engine.count("notify", "webhook"), 1);
      assert.equal(h.engine.count("notify", "email"), 1);

      // The webhook: one POST to the URL the secret holds, an Adaptive Card naming the failure.
      assert.equal(hooks.length, 1);
      assert.equal(hooks[0].path, `/hooks/${TOKEN}`);
      const card = JSON.parse(hooks[0].body) as { attachments: { content: { body: { text: string }[]; actions: { url: string }[] } }[] };
      const [headline, detail] = card.attachments[0].content.body.map((b) => b.text);
      assert.equal(headline, "webshop: failed at checks (backend unit) on main @ 0123456789ab");
      assert.equal(card.attachments[0].content.actions[0].url, "https://ci.example.com/run/42");
      // Each stage's verdict (from the run's own result.json), then the failing tests.
      assert.match(detail, /^checks: failed: backend unit\nbuild: not started, because a check failed\n/, detail);
      assert.match(detail, /\n- backend: orders > rejects a negative quantity\n- backend: orders > stock > decrements stock after an order$/, detail);

      // The e-mail: sent as ci with the password given to ci, to the configured recipient.
      assert.equal(mails.length, 1);
      assert.deepEqual(mails[0].to, ["dev@example.com"]);
      assert.match(mails[0].raw, /^Subject: \[webshop\] failed at checks \(backend unit\) on main @ 0123456789ab\r?$/m);
      assert.match(mails[0].raw, /https:\/\/ci\.example\.com\/run\/42/);

      // The summary: where each went, before the report links; never the webhook's token.
      assert.match(
        run.summary,
        /## Notifications\n\n- chat: notified the webhook at 127\.0\.0\.1:\d+ \(200\)\n- e-mail: e-mailed dev@example\.com through 127\.0\.0\.1:\d+ \([^)\n]*\)\n\n## Reports\n/,
        run.summary,
      );
      assert.equal(run.summary.includes(TOKEN), false);
    });
  });
});
