// Recorded graph of the smoke run (runSmoke): what it asks the engine to do for the example. A
// recording proves structure (which image, which env, which command), never behaviour: Playwright
// itself selecting the @smoke specs with --grep is checked against the example's specs by
// `npx playwright test --list --grep @smoke` (two specs: the product list and the footer versions).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { e2eShell } from "../../.dagger/src/e2e/scripts.js";
import { InputError } from "../../.dagger/src/errors.js";
import type { StageContext } from "../../.dagger/src/stages/context.js";
import { runSmoke, type SmokeTarget } from "../../.dagger/src/verify/smoke.js";
import { exampleEngine } from "../recorder/example-engine.js";
import { record } from "../recorder/record.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";

const YAML = readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8");
const RUN = "0b5e6c1e-5a3c-4c1e-9a59-0c1f2d3e4f50";
const ctx = (yaml = YAML): StageContext => ({ config: parseConfig(yaml), source: dag.directory(), runId: RUN });
/** pipeline.yaml without the named top-level sections (the Aspire integration needs the e2e section). */
const withoutSections = (yaml: string, names: string[]) => names.reduce((y, n) => y.replace(new RegExp(`^${n}:\\n(?:(?: {2}.*)?\\n)+`, "m"), ""), yaml);
const TARGET: SmokeTarget = { environment: "prod", url: "https://shop.example.com", tag: "@smoke", versions: { backend: "1.2.0", frontend: "1.2.0", db: "1.1.0" }, liveSchema: "1.2.0" };

describe("runSmoke (recorded)", () => {
  before(() => bindDependency("node-toolchain", currentApi(readModule(join(ROOT, "modules", "node-toolchain")))));

  it("runs the E2E project's @smoke specs in the locked Playwright image against the environment's URL, with the live schema as {db.version}", async () => {
    const { result, graph } = await record(async () => (await runSmoke(ctx(), TARGET)).outcome, exampleEngine());
    assert.equal(result.status, "passed", result.detail);
    assert.deepEqual([result.component, result.check], ["e2e", "smoke"]);
    const run = graph.leaves.find((l) => /playwright.*\.exitCode$/.test(l)) as string;
    assert.match(run, /^nodeToolchain\(image: "nexus\.example\.com:8443\/docker-group\/mcr\.microsoft\.com\/playwright:v1\.65\.1-noble"/);
    assert.match(run, /\.install\(source: directory\.directory\(path: "e2e"\)\)/);
    for (const env of [
      'name: "BASE_URL", value: "https://shop.example.com"',
      'name: "PIPELINE_READY_URL", value: "https://shop.example.com"',
      'name: "PIPELINE_GREP", value: "@smoke"',
      'name: "EXPECTED_BACKEND_VERSION", value: "1.2.0"',
      // After a rollback the database stays ahead of the release: the footer must show what it reports.
      'name: "EXPECTED_SCHEMA_VERSION", value: "1.2.0"',
      `name: "PIPELINE_RUN_ID", value: "${RUN}"`,
    ])
      assert.ok(run.includes(`withEnvVariable(${env})`), `Playwright env ${env}: ${run}`);
    assert.ok(run.includes(`withExec(args: ["sh", "-c", ${JSON.stringify(e2eShell)}]`), "the E2E stage's steps");
    assert.ok(!/withServiceBinding/.test(run), "no services: the environment is the target");
  });

  it("without the live schema, {db.version} is the release's", async () => {
    const { graph } = await record(async () => (await runSmoke(ctx(), { ...TARGET, liveSchema: undefined })).outcome, exampleEngine());
    assert.ok(graph.leaves.some((l) => l.includes('withEnvVariable(name: "EXPECTED_SCHEMA_VERSION", value: "1.1.0")')));
  });

  it("failing specs: a failed outcome naming the tag, the URL and the failed test", async () => {
    const junit =
      '<testsuites><testsuite name="shop.spec.ts" tests="2" failures="1"><testcase name="footer shows the backend version and the database schema version"><failure message="expected 1.2.0"/></testcase></testsuite></testsuites>';
    const { result } = await record(
      async () => (await runSmoke(ctx(), TARGET)).outcome,
      exampleEngine((leaf) =>
        !leaf.includes("playwright")
          ? undefined
          : leaf.endsWith(".exitCode")
            ? 1
            : leaf.endsWith(".stdout")
              ? "1 failed\n"
              : leaf.endsWith('file(path: "/reports/junit.xml").contents')
                ? junit
                : undefined,
      ),
    );
    assert.equal(result.status, "failed");
    assert.match(result.detail, /^the specs tagged @smoke failed against https:\/\/shop\.example\.com:\n1 failed/);
    assert.deepEqual(result.failedTests, ["shop.spec.ts > footer shows the backend version and the database schema version"]);
  });

  it("an environment the test container cannot reach is named, without credentials", async () => {
    const { result } = await record(
      async () => (await runSmoke(ctx(), { ...TARGET, url: "https://qa:s3cret@shop.example.com" })).outcome,
      exampleEngine((leaf) => (leaf.includes("playwright") && leaf.endsWith(".exitCode") ? 4 : undefined)),
    );
    assert.equal(result.status, "failed");
    assert.match(result.detail, /^https:\/\/qa:\*\*\*@shop\.example\.com did not answer from the test container/);
  });

  it("no e2e section: not run, saying why", async () => {
    const { result } = await record(async () => (await runSmoke(ctx(withoutSections(YAML, ["e2e", "aspire"])), TARGET)).outcome, exampleEngine());
    assert.equal(result.status, "not-run");
    assert.match(result.detail, /pipeline\.yaml has no e2e section/);
  });

  it("refuses a URL that is not http(s), an empty tag, and an e2e.env that needs the database's password", async () => {
    await record(async () => {
      await assert.rejects(
        runSmoke(ctx(), { ...TARGET, url: "shop.example.com" }),
        (e: Error) => e instanceof InputError && /^environments\.prod\.verify\.url: "shop\.example\.com" must be/.test(e.message),
      );
      await assert.rejects(runSmoke(ctx(), { ...TARGET, tag: " " }), (e: Error) => e instanceof InputError && /^environments\.prod\.verify\.smoke: must be the Playwright tag/.test(e.message));
      const withUrl = YAML.replace('EXPECTED_SCHEMA_VERSION: "{db.version}"', 'EXPECTED_SCHEMA_VERSION: "{db.version}"\n    DATABASE_URL: "{db.url}"');
      await assert.rejects(runSmoke(ctx(withUrl), TARGET), (e: Error) => e instanceof InputError && /^e2e\.env\.DATABASE_URL: "\{db\.url\}" refers to a database's password or URL/.test(e.message));
    }, exampleEngine());
  });
});

describe("e2eShell's --grep", () => {
  it("passes PIPELINE_GREP to Playwright as one argument when set, and nothing when unset (sh, as in the container)", () => {
    const line = e2eShell.split("\n").find((l) => l.startsWith("npx playwright test")) as string;
    const argv = (grep: string | undefined) =>
      execFileSync("sh", ["-c", `npx() { printf '%s\\n' "$@"; }; ${line.replace("; rc=$?", "")}`], {
        env: { PATH: process.env.PATH ?? "", ...(grep === undefined ? {} : { PIPELINE_GREP: grep }) },
        encoding: "utf8",
      })
        .trimEnd()
        .split("\n");
    assert.deepEqual(argv("@smoke|@quick path"), ["playwright", "test", "--reporter=list,html,junit", "--grep", "@smoke|@quick path"]);
    assert.deepEqual(argv(undefined), ["playwright", "test", "--reporter=list,html,junit"]);
    assert.deepEqual(argv(""), ["playwright", "test", "--reporter=list,html,junit"]);
  });
});
