// Recorded graph of an Aspire integration run: what the aspire module's `test` and the root's
// `integration` ask the engine to do for the example's AppHost manifest. A recording proves
// structure (services by alias, the override in place, the tests bound to the services); the same
// graph runs for real through its Compose export in test/e2e/aspire.integration.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { Aspire } from "../../modules/aspire/src/index.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const MANIFEST_PATH = "examples/webshop/aspire/aspire-manifest.json";
const MANIFEST = readFileSync(join(ROOT, MANIFEST_PATH), "utf8");
const BACKEND = `registry.example.com/acme/webshop/backend:${SHA}@sha256:${"2".repeat(64)}`;
const TESTS = "mcr.microsoft.com/playwright:v1.65.1-noble";

/** The engine's answers: the manifest reads back, every exit code is `code` for the tests (0 elsewhere). */
const engine =
  (testsExit = 0, override: (leaf: string) => unknown = () => undefined) =>
  (leaf: string) => {
    const o = override(leaf);
    if (o !== undefined) return o;
    if (leaf.endsWith(`file(path: "${MANIFEST_PATH}").contents`) || leaf.endsWith('file(path: "aspire/aspire-manifest.json").contents')) return MANIFEST;
    if (leaf.includes(TESTS) && leaf.endsWith(".exitCode")) return testsExit;
    return exampleEngine()(leaf);
  };

const position = (leaves: string[], re: RegExp) => {
  const i = leaves.findIndex((l) => re.test(l));
  assert.ok(i >= 0, `no leaf matches ${re}`);
  return i;
};

/** The aspire module's test of the example, with the backend under test. */
async function runExample(testsExit = 0) {
  return record(async () => {
    const run = await new Aspire(dag.directory(), MANIFEST_PATH, "", ["docker.io=nexus.example.com:8443/docker-hub"]).test(
      dag.container().from(TESTS),
      ["npx", "playwright", "test"],
      [`backend=${BACKEND}`],
      [],
      [],
      ["BASE_URL={frontend.bindings.http.url}"],
      ["db-migrate"],
    );
    return { summary: run.summary, passed: run.passed };
  }, engine(testsExit));
}

describe("recorded graph of aspire test (the example's AppHost manifest)", () => {
  it("db, the migration job, backend (the artefact under test), frontend, then the tests bound to every service", async () => {
    const { result, graph } = await runExample();
    const leaves = graph.leaves;
    const order = [
      position(
        leaves,
        /^container\.from\(address: "nexus\.example\.com:8443\/docker-hub\/library\/postgres:15-bookworm"\).*\.withExposedPort\(.*port: 5432.*\)\.asService\(useEntrypoint: true\)\.start$/,
      ),
      position(leaves, /^container\.from\(address: "registry\.example\.com\/acme\/webshop\/db:[0-9a-f]{40}"\).*\.withExec\(args: \["migrate"\].*useEntrypoint: true.*\)\.exitCode$/),
      position(leaves, new RegExp(`^container\\.from\\(address: "${BACKEND.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"\\).*\\.asService\\(useEntrypoint: true\\)\\.start$`)),
      position(leaves, /^container\.from\(address: "registry\.example\.com\/acme\/webshop\/frontend:[0-9a-f]{40}"\).*\.asService\(useEntrypoint: true\)\.start$/),
      position(leaves, /^container\.from\(address: "mcr\.microsoft\.com\/playwright:v1\.65\.1-noble"\).*\.withExec\(args: \["npx", "playwright", "test"\].*\)\.exitCode$/),
    ];
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `steps out of order: ${order.join(", ")}`,
    );

    // The override is in place: the manifest's dev image of the backend is never pulled.
    assert.ok(!leaves.some((l) => l.includes('"registry.example.com/acme/webshop/backend:abfdc55')), "the manifest's backend image is replaced");
    // Services by alias: each bound under its resource name, on its target port.
    const service = (re: RegExp) => graph.services.find((s) => re.test(s.service));
    assert.deepEqual(service(/postgres:15-bookworm/)?.boundAs, ["db"]);
    assert.deepEqual(service(/postgres:15-bookworm/)?.exposedPorts, [5432]);
    assert.deepEqual(service(/webshop\/backend:0123/)?.boundAs, ["backend"]);
    assert.deepEqual(service(/webshop\/frontend:/)?.boundAs, ["frontend"]);
    const tests = leaves.find((l) => l.startsWith(`container.from(address: "${TESTS}")`) && l.endsWith(".exitCode")) as string;
    for (const alias of ["db", "backend", "frontend"]) assert.match(tests, new RegExp(`withServiceBinding\\(alias: "${alias}"`));
    // Aspire's service discovery and the caller's expression, resolved to aliases and target ports.
    assert.match(tests, /withEnvVariable\(name: "services__backend__http__0", value: "http:\/\/backend:8080"\)/);
    assert.match(tests, /withEnvVariable\(name: "BASE_URL", value: "http:\/\/frontend:8080"\)/);
    // The password is a secret everywhere it goes: never a plain variable.
    for (const name of ["POSTGRES_PASSWORD", "FLYWAY_PASSWORD", "DATABASE_URL"]) {
      assert.ok(
        leaves.some((l) => l.includes(`withSecretVariable(name: "${name}"`)),
        `${name} is a secret`,
      );
      assert.ok(!leaves.some((l) => l.includes(`withEnvVariable(name: "${name}"`)), `${name} is never a plain variable`);
    }
    assert.equal(result.passed, true);
    assert.match(result.summary, /\| backend \| `registry\.example\.com\/acme\/webshop\/backend:0123.*` \(under test\) \| start \| passed \|/);
  });

  it("failing tests fail the run and the summary says which step", async () => {
    const { result } = await runExample(1);
    assert.equal(result.passed, false);
    assert.match(result.summary, /### tests \| tests \| failed/);
    assert.match(result.summary, /exit code 1/);
  });

  it("bad input fails before any container: an unknown override, a test variable naming no endpoint", async () => {
    const aspire = () => new Aspire(dag.directory(), MANIFEST_PATH);
    const calls = [
      () => aspire().test(dag.container().from(TESTS), [], ["orders=registry.example.com/shop/orders:1.0.0"]),
      () => aspire().test(dag.container().from(TESTS), [], [], [], [], ["BASE_URL={frontend.bindings.https.url}"]),
      () => aspire().test(dag.container().from(TESTS), [], [], [], [], [], ["migrations"]),
    ];
    const messages = [/orders/, /BASE_URL: \{frontend\.bindings\.https\.url\} names no endpoint of frontend \(endpoints: http\)/, /--jobs migrations: not a service of the graph/];
    for (const [i, call] of calls.entries()) {
      const { graph } = await record(async () => assert.rejects(call(), messages[i]), engine());
      assert.ok(!graph.leaves.some((l) => l.endsWith(".start") || l.endsWith(".exitCode")), "nothing ran");
    }
  });
});

describe("recorded aspire module on small manifests (issue 16)", () => {
  const PATH = "aspire/aspire-manifest.json";
  const http = { http: { scheme: "http", protocol: "tcp", transport: "http", targetPort: 8080 } };
  const answers = (manifest: unknown) => (leaf: string) => (leaf.endsWith(`file(path: "${PATH}").contents`) ? JSON.stringify(manifest) : undefined);
  const mutual = {
    resources: {
      a: { type: "container.v0", image: "registry.example.com/shop/a:1", env: { B_URL: "{b.bindings.http.url}" }, bindings: http },
      b: { type: "container.v0", image: "registry.example.com/shop/b:1", env: { A_URL: "{a.bindings.http.url}" }, bindings: http },
    },
  };

  it("services that refer to each other both start, each under its name as a hostname (a binding cannot go both ways)", async () => {
    const { graph } = await record(async () => (await new Aspire(dag.directory(), PATH).test(dag.container().from(TESTS))).passed, answers(mutual));
    for (const name of ["a", "b"]) {
      const started = graph.leaves.find((l) => l.includes(`registry.example.com/shop/${name}:1`) && l.endsWith(".start")) as string;
      assert.match(started, new RegExp(`\\.asService\\(useEntrypoint: true\\)\\.withHostname\\(hostname: "${name}"\\)\\.start$`));
    }
  });

  it("compose writes build contexts relative to where the file goes (default: the source's root), not to the manifest's folder", async () => {
    const manifest = { resources: { api: { type: "container.v1", build: { context: "../src/api", dockerfile: "../src/api/Dockerfile" }, bindings: http } } };
    const { result } = await record(async () => {
      const aspire = new Aspire(dag.directory(), PATH);
      return [await aspire.compose(), await aspire.compose([], [], [], "", "deploy")];
    }, answers(manifest));
    assert.match(result[0], /\n {4}build:\n {6}context: \.\/src\/api\n {6}dockerfile: Dockerfile\n/);
    assert.match(result[1], /\n {6}context: \.\.\/src\/api\n/);
  });

  it("refused before anything runs: an override without digest, a manifest whose every resource is skipped, a job in a reference cycle", async () => {
    const skipped = {
      resources: { storage: { type: "azure.bicep.v0", path: "s.bicep" }, api: { type: "container.v0", image: "registry.example.com/shop/a:1", env: { S: "{storage.outputs.url}" }, bindings: http } },
    };
    const cases: [unknown, () => Promise<unknown>, RegExp][] = [
      [mutual, () => new Aspire(dag.directory(), PATH).graph(["a=registry.example.com/shop/a:2"]), /^AspireManifestError: --override: a: "registry\.example\.com\/shop\/a:2" names no sha256 digest/],
      [
        skipped,
        () => new Aspire(dag.directory(), PATH).test(dag.container().from(TESTS)),
        /nothing to test: every service of the manifest is skipped:\n {2}storage \(azure\.bicep\.v0\): .*\n {2}api \(container\.v0\): needs skipped resource storage/,
      ],
      [skipped, () => new Aspire(dag.directory(), PATH).compose(), /cannot write a Compose file: every service of the manifest is skipped/],
      [
        mutual,
        () => new Aspire(dag.directory(), PATH).test(dag.container().from(TESTS), [], [], [], [], [], ["a"]),
        /--jobs a: a and b refer to each other, so a cannot run to completion before them/,
      ],
    ];
    for (const [manifest, call, message] of cases) {
      const { graph } = await record(async () => assert.rejects(call(), message), answers(manifest));
      assert.ok(!graph.leaves.some((l) => l.endsWith(".start") || l.endsWith(".exitCode")), "nothing ran");
    }
  });
});

// ci's Aspire verdicts (E2E before the Aspire run; a failed run stops publishing) are the aspire
// module's own answers: test/harness/ci-outcomes.test.ts computes them with its code.
describe("recorded graph of pipeline integration (the release through the example's AppHost)", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("each component's built image overrides its resource; the E2E project runs against the graph", async () => {
    const { result, graph } = await record(async () => {
      const run = await new Pipeline(dag.directory()).integration(SHA);
      return { summary: run.summary, passed: run.passed };
    }, engine());
    const call = graph.leaves.find((l) => l.startsWith("aspire(") && l.endsWith(".reports.sync")) as string;
    assert.ok(call, "the aspire module is called");
    assert.match(call, /^aspire\(manifest: "aspire\/aspire-manifest\.json", registryMirrors: \["docker\.io=nexus\.example\.com:8443\/docker-group"/);
    assert.match(call, /\.withOverride\(container: flyway\(.*\)\.build\(.*\), resource: "db-migrate"\)/);
    assert.match(call, /\.withOverride\(container: nodeToolchain\(.*\)\.build\(.*path: "backend".*\), resource: "backend"\)/);
    assert.match(call, /\.withOverride\(container: nodeToolchain\(.*\)\.build\(.*path: "frontend".*\), resource: "frontend"\)/);
    assert.match(
      call,
      /\.test\(command: \["sh", "-c", .*jobs: \["db-migrate"\], reports: "\/reports", tests: nodeToolchain\(image: "nexus\.example\.com:8443\/docker-group\/mcr\.microsoft\.com\/playwright:v1\.65\.1-noble"/,
    );
    assert.match(call, /withEnvVariable\(name: "BASE_URL", value: "http:\/\/frontend:8080"\)/);
    assert.equal(typeof result.passed, "boolean");
  });

  it("another repository's published image in place of its resource: that resource is not built here, the module starts the image", async () => {
    const backend = `registry.example.com/acme/webshop/backend:${"c".repeat(40)}@sha256:${"9".repeat(64)}`;
    const { graph } = await record(async () => (await new Pipeline(dag.directory()).integration(SHA, [`backend=${backend}`])).passed, engine());
    const call = graph.leaves.find((l) => l.startsWith("aspire(") && l.endsWith(".reports.sync")) as string;
    assert.doesNotMatch(call, /resource: "backend"/, "no built backend in place of the resource");
    assert.match(call, /resource: "frontend"\)/, "the other components are still this commit's");
    assert.match(call, new RegExp(`\\.test\\(command: .*override: \\["backend=${backend.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"\\]`));
  });

  it("an override that is not resource=image@digest is refused before anything is read", async () => {
    for (const bad of ["backend=registry.example.com/acme/webshop/backend:1.2.0", `=x@sha256:${"9".repeat(64)}`, "backend"]) {
      const { result, graph } = await record(
        async () =>
          new Pipeline(dag.directory()).integration(SHA, [bad]).then(
            () => "resolved",
            (e: Error) => e.message,
          ),
        engine(),
      );
      assert.match(result, /^override: ".*" is not resource=registry\/name:tag@sha256:<64 hex>/);
      assert.deepEqual(graph.leaves, []);
    }
  });
});
