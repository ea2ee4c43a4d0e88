// Recorded graph of the E2E stage: what `e2e` and `ci` ask the engine to do. A recording proves
// structure (which services, bound how, in which order, what is exported); never behaviour.
// The same topology runs for real through Compose in test/e2e/compose.integration.ts; a failed
// migration (Flyway's answer) is in test/harness/ci-outcomes.test.ts, with Flyway's recorded output.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const MIRROR = "nexus.example.com:8443/docker-group";
const engine = exampleEngine;

const position = (leaves: string[], re: RegExp) => {
  const i = leaves.findIndex((l) => re.test(l));
  assert.ok(i >= 0, `no leaf matches ${re}`);
  return i;
};

describe("recorded graph of pipeline e2e", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("database, then Flyway validate/migrate/info with the release's migration image, then backend, frontend, Playwright last; report exported", async () => {
    const { graph } = await record(async () => {
      const run = await new Pipeline(dag.directory()).e2e(SHA);
      return { summary: run.summary, passed: run.passed, reports: await run.reports.id() };
    }, engine());
    const leaves = graph.leaves;
    const order = [
      position(leaves, /^container\.from\(address: "nexus\.example\.com:8443\/docker-group\/library\/postgres:15-bookworm"\).*\.asService\(useEntrypoint: true\)\.start$/),
      position(leaves, /^flyway\(image: "[^"]*"\)\.validate\(.*ignorePending: true.*\)\.json$/),
      position(leaves, /^flyway\(image: "[^"]*"\)\.migrate\(.*\)\.json$/),
      position(leaves, /^flyway\(image: "[^"]*"\)\.info\(.*\)\.json$/),
      position(leaves, /^nodeToolchain\(.*\)\.build\(.*source: directory\.directory\(path: "backend"\).*\.asService\(args: \[.*\]\)\.start$/),
      position(leaves, /^nodeToolchain\(.*\)\.build\(.*source: directory\.directory\(path: "frontend"\).*\.asService\(args: \[.*\]\)\.start$/),
      position(leaves, /playwright:v1\.65\.1-noble.*\.exitCode$/),
    ];
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `steps out of order: ${order.join(", ")}`,
    );

    // Flyway runs the migration image the build stage made, against the started database.
    const migrate = leaves.find((l) => /^flyway\(image: "[^"]*"\)\.migrate\(/.test(l)) as string;
    // Built on the mirrored Flyway image pinned by digest (item 16: the digest the input hash names).
    assert.match(migrate, /migrationImage: flyway\(image: "nexus\.example\.com:8443\/docker-group\/flyway\/flyway:11\.20\.3@sha256:[0-9a-f]{64}"\)\.build\(/);
    assert.match(
      migrate,
      /database: container\.from\(address: "nexus\.example\.com:8443\/docker-group\/library\/postgres:15-bookworm"\)\..*\.withExposedPort\(port: 5432\)\.asService\(useEntrypoint: true\)/,
    );
    assert.match(migrate, /url: setSecret\(name: "e2e-db-url-/);

    // Services by alias: the database as db (for the backend), the backend as backend, the frontend as frontend.
    const byImage = (re: RegExp) => graph.services.find((s) => re.test(s.service));
    assert.deepEqual(byImage(/postgres:15-bookworm/)?.exposedPorts, [5432]);
    // (Containers made by a module call are not in graph.services: their bindings are read off the leaves.)
    const aliases = new Set(leaves.flatMap((l) => [...l.matchAll(/withServiceBinding\(alias: "([^"]+)"/g)].map((m) => m[1])));
    assert.deepEqual([...aliases].sort(), ["backend", "db", "frontend"]);

    // The backend gets its database URL as a secret; the frontend the backend's URL as plain text.
    const backendStart = leaves.find((l) => /path: "backend"\).*\.asService\(args: \[.*\]\)\.start$/.test(l)) as string;
    assert.match(backendStart, /withSecretVariable\(name: "DATABASE_URL", secret: setSecret\(name: "e2e-backend-DATABASE_URL-/);
    assert.match(backendStart, /withServiceBinding\(alias: "db", service: container\.from\(address: "[^"]*postgres:15-bookworm"\)/);
    const frontendStart = leaves.find((l) => /path: "frontend"\).*\.asService\(args: \[.*\]\)\.start$/.test(l)) as string;
    assert.match(frontendStart, /withEnvVariable\(name: "BACKEND_URL", value: "http:\/\/backend:8080"\)/);
    assert.match(frontendStart, /withServiceBinding\(alias: "backend"/);
    // Each service runs its image's own command, its output also kept in this run's folder of a log volume owned by its user.
    // (one stable volume per service, never per run: this run's log is a subdirectory named by the run id)
    assert.match(backendStart, /\.withMountedCache\(cache: cacheVolume\(key: "pipeline-e2e-logs-webshop-backend"\), owner: "1000:1000", path: "\/var\/log\/pipeline-e2e\/backend"\)/);
    assert.match(
      backendStart,
      /\.asService\(args: \["sh", "-c", "mkdir -p \/var\/log\/pipeline-e2e\/backend\/[0-9a-f-]{36}; \\"\$@\\" 2>&1 \| tee -a \/var\/log\/pipeline-e2e\/backend\/[0-9a-f-]{36}\/backend\.log", "sh", "node", "dist\/server\.js"\]\)\.start$/,
    );

    // Playwright: image of the lockfile's version through the mirror, bound to the frontend, the versions under test, never cached.
    const tests = leaves.find((l) => /playwright.*\.exitCode$/.test(l)) as string;
    assert.match(tests, new RegExp(`^nodeToolchain\\(image: "${MIRROR.replace(/\./g, "\\.")}/mcr\\.microsoft\\.com/playwright:v1\\.65\\.1-noble"`));
    assert.match(tests, /\.install\(source: directory\.directory\(path: "e2e"\)\)\.withServiceBinding\(alias: "frontend"/);
    for (const env of [
      'name: "BASE_URL", value: "http://frontend:8080"',
      'name: "EXPECTED_BACKEND_VERSION", value: "1.2.0"',
      'name: "EXPECTED_SCHEMA_VERSION", value: "1.1.0"',
      'name: "PIPELINE_READY_URL", value: "http://frontend:8080/healthz"',
      'name: "PIPELINE_RUN_ID"',
    ])
      assert.ok(tests.includes(`withEnvVariable(${env}`), `Playwright env ${env}`);
    assert.match(tests, /withExec\(args: \["sh", "-c", .*npx playwright test --reporter=list,html,junit/);
    for (const service of ["backend", "frontend"])
      assert.match(
        tests,
        new RegExp(`withMountedCache\\(cache: cacheVolume\\(key: "pipeline-e2e-logs-webshop-${service}"\\), path: "/var/log/pipeline-e2e/${service}"\\)`),
        `the test container reads the ${service} log`,
      );

    // The report comes back: the Playwright reports directory is in the run's reports under e2e/.
    // (The verdict rests on Flyway's answers, stubbed here: test/harness/side-effects.test.ts, "e2e alone", has it from the module.)
    const reports = leaves.find((l) => l.startsWith("directory.withNewFile(") && l.endsWith(".id")) as string;
    assert.match(reports, /\.withDirectory\(path: "e2e", source: nodeToolchain\(image: "[^"]*playwright:v1\.65\.1-noble".*\.withExec\(.*\)\.directory\(path: "\/reports"\)\)\.id$/);
  });

  it("failing tests: the summary names them and the error lines of the services' logs", async () => {
    const failing =
      '<testsuites><testsuite name="shop.spec.ts" tests="1" failures="1"><testcase name="placing an order shows a confirmation"><failure message="expect(locator).toBeVisible() failed"/></testcase></testsuite></testsuites>';
    const backendLog =
      '{"level":"info","message":"webshop backend listening"}\n{"level":"error","message":"request failed","url":"/api/orders","error":"column \\"total\\" of relation \\"orders\\" does not exist"}\n';
    const { result } = await record(
      async () => {
        const run = await new Pipeline(dag.directory()).e2e(SHA);
        return { summary: run.summary, passed: run.passed };
      },
      engine((leaf) =>
        !leaf.includes("playwright")
          ? undefined
          : leaf.endsWith(".exitCode")
            ? 1
            : leaf.endsWith('file(path: "/reports/junit.xml").contents')
              ? failing
              : leaf.endsWith('.directory(path: "/reports/services").file(path: "backend.log").contents')
                ? backendLog
                : undefined,
      ),
    );
    assert.equal(result.passed, false);
    assert.match(result.summary, /### e2e: playwright failed\n\nFailing tests:\n- shop\.spec\.ts > placing an order shows a confirmation/);
    assert.match(
      result.summary,
      /backend log \(error lines\):\n\{"level":"error","message":"request failed","url":"\/api\/orders","error":"column \\"total\\" of relation \\"orders\\" does not exist"\}/,
    );
    assert.doesNotMatch(result.summary, /frontend log/, "a log without errors adds nothing");
  });

  it("ci: a failing E2E publishes nothing and says so", async () => {
    const { result, graph } = await record(
      async () => {
        const run = await new Pipeline(dag.directory(), "pipeline.yaml").ci(SHA, dag.setSecret("registry-token", "t0ken"), "", "", undefined, undefined, "main");
        return { summary: run.summary, passed: run.passed };
      },
      engine((leaf) => (leaf.includes("playwright") && leaf.endsWith(".exitCode") ? 1 : leaf.endsWith(".exitCode") ? 0 : undefined)),
    );
    assert.equal(result.passed, false);
    assert.match(result.summary, /^\| e2e \| playwright \| ❌ failed \|/m);
    assert.match(result.summary, /^\| publish \| ⏹️ not started, because E2E failed; nothing was pushed \|$/m);
    assert.deepEqual(graph.published, []);
  });
});
