import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../.dagger/src/config/load.js";
import { mirrorImage } from "../.dagger/src/mirror/images.js";
import { mirrorCredentials, npmrc } from "../.dagger/src/mirror/npmrc.js";
import { checkReport, failedTests } from "../.dagger/src/report/junit.js";
import { renderCheckSummary, stagePassed } from "../.dagger/src/report/summary.js";
import { checkRevision } from "../.dagger/src/stages/build.js";
import { selectComponents } from "../.dagger/src/stages/context.js";
import { flywayDockerfile } from "../modules/flyway/src/dockerfile.js";
import { lintMigrations } from "../modules/flyway/src/migrations.js";
import { nodeDockerfile } from "../modules/node-toolchain/src/dockerfile.js";
import { imageSpec, packageVersion } from "../modules/node-toolchain/src/package-spec.js";
import { ROOT } from "./tiers/modules.js";

const read = (p: string) => readFileSync(join(ROOT, p), "utf8");
const config = parseConfig(read("examples/webshop/pipeline.yaml"));

describe("mirror: base images", () => {
  const prefix = "nexus.example:8443/docker-group";
  for (const [ref, expected] of [
    ["node:22-slim", `${prefix}/library/node:22-slim`],
    ["bitnami/postgresql:15", `${prefix}/bitnami/postgresql:15`],
    ["docker.io/library/node:22", `${prefix}/library/node:22`],
    ["ghcr.io/acme/tool:1.2.0", `${prefix}/ghcr.io/acme/tool:1.2.0`],
    ["localhost:5000/shop/api:1", `${prefix}/localhost:5000/shop/api:1`],
    [`node:22@sha256:${"a".repeat(64)}`, `${prefix}/library/node:22@sha256:${"a".repeat(64)}`],
    [`${prefix}/library/node:22`, `${prefix}/library/node:22`],
    ["registry-1.docker.io/library/node:22", `${prefix}/library/node:22`],
    ["[::1]:5000/shop/api:1", `${prefix}/[::1]:5000/shop/api:1`],
  ]) {
    it(`${ref} -> ${expected}`, () => assert.equal(mirrorImage(ref, prefix), expected));
  }
  it("leaves references alone without a mirror", () => assert.equal(mirrorImage("node:22-slim", undefined), "node:22-slim"));
  it("refuses what is not an image reference rather than pull it past the mirror", () => assert.throws(() => mirrorImage("Node:22", prefix), /mirror: "Node:22" is not an image reference/));
});

describe("mirror: .npmrc", () => {
  it("points npm and each scope at the mirror, with bearer auth per registry (the token referenced as ${NPM_TOKEN}, never written)", () => {
    assert.equal(
      npmrc("https://nexus.example/repository/npm-group/", { "@acme": "https://nexus.example/repository/npm-internal" }, { token: "T0KEN" }),
      "registry=https://nexus.example/repository/npm-group/\n@acme:registry=https://nexus.example/repository/npm-internal\n//nexus.example/repository/npm-group/:_authToken=${NPM_TOKEN}\n//nexus.example/repository/npm-internal/:_authToken=${NPM_TOKEN}\n",
    );
  });
  it("uses basic auth when a user is given, and no auth without a token", () => {
    assert.equal(npmrc("http://127.0.0.1:4873/", {}, { username: "ci", token: "pw" }), "registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_auth=${NPM_AUTH}\n");
    assert.deepEqual(mirrorCredentials({ username: "ci", token: "pw\n" }), { token: "pw", basic: Buffer.from("ci:pw").toString("base64") });
    assert.equal(npmrc("http://127.0.0.1:4873/", {}), "registry=http://127.0.0.1:4873/\n");
  });
});

describe("JUnit reports", () => {
  it("names the failed tests of node's test runner report, with their suites", () => {
    assert.deepEqual(failedTests(read("test/fixtures/junit/node-test-runner-failing.xml")), ["orders > rejects a negative quantity", "orders > stock > decrements stock after an order"]);
  });
  it("writes reports for checks without a runner that read back the same way", () => {
    const failed = checkReport("backend", "lint", "failed", "src/app.ts:3 lint/style <x> & \u0007bell", 1.5);
    assert.deepEqual(failedTests(failed), ["backend > lint"]);
    assert.match(failed, /&lt;x&gt; &amp; bell/);
    assert.deepEqual(failedTests(checkReport("db", "unit", "not-run", "later", 0)), []);
    assert.match(checkReport("db", "unit", "not-run", "later", 0), /<skipped message="later"\/>/);
  });
});

describe("check summary", () => {
  const base = { failedTests: [], detail: "", junit: "", seconds: 1 };
  const outcomes = [
    { ...base, component: "backend", check: "unit", status: "failed" as const, failedTests: ["orders > rejects a negative quantity"], detail: "1 failing" },
    { ...base, component: "frontend", check: "lint", status: "passed" as const },
    { ...base, component: "db", check: "unit", status: "not-run" as const, detail: "comes with issue 4" },
  ];
  it("names the component, the check and the failing test; a not-run check is not a pass but does not fail the stage", () => {
    assert.equal(stagePassed(outcomes), false);
    assert.equal(stagePassed(outcomes.slice(1)), true);
    assert.equal(
      renderCheckSummary(outcomes),
      `## Checks: 1 failed, 1 not run

| component | check | result | time |
|---|---|---|---|
| backend | unit | ❌ failed | 1.0 s |
| frontend | lint | ✅ passed | 1.0 s |
| db | unit | ⚪ not run | 1.0 s |

### backend: unit failed

Failing tests:
- orders > rejects a negative quantity

\`\`\`
1 failing
\`\`\`

db: unit did not run: comes with issue 4
`,
    );
  });
});

describe("flyway: migration names", () => {
  it("accepts the example's migrations and gives the schema semver", () => {
    const r = lintMigrations(["V1_0_0__create_products.sql", "V1_1_0__create_orders.sql", "V1_0_1__seed_products.sql", "R__views.sql"]);
    assert.deepEqual(r.problems, []);
    assert.equal(r.version, "1.1.0");
  });
  it("names every bad file with the reason", () => {
    assert.deepEqual(lintMigrations(["V1__init.sql", "V1_0_0__a.sql", "V1.0.0__b.sql", "v2_0_0__lower.sql", "notes.txt", "V1_2_0_add.sql", "U1_0_0__undo_a.sql"]).problems, [
      "V1_2_0_add.sql: does not follow Flyway's naming: V<version>__<description>.sql, U<version>__… (undo), B<version>__… (baseline), R__<description>.sql (e.g. V1_2_0__add_orders.sql)",
      "V1__init.sql: version 1 has 1 part(s); versions are MAJOR.MINOR.PATCH, e.g. V1_2_0__… (or set migrationNaming: flyway in pipeline.yaml to accept every version Flyway reads)",
      "notes.txt: not a .sql file; Flyway ignores it — move it out of the migrations folder",
      "v2_0_0__lower.sql: does not follow Flyway's naming: V<version>__<description>.sql, U<version>__… (undo), B<version>__… (baseline), R__<description>.sql (e.g. V1_2_0__add_orders.sql)",
      "V1.0.0__b.sql, V1_0_0__a.sql: 2 versioned migrations share version 1.0.0",
    ]);
  });
  it("orders versions numerically, not as text", () => {
    assert.equal(lintMigrations(["V1_9_0__a.sql", "V1_10_0__b.sql"]).version, "1.10.0");
  });
  it("the migration image copies the folder and stamps the labels", () => {
    assert.match(flywayDockerfile("migrations"), /^COPY migrations\/ \/flyway\/sql\/$/m);
    assert.throws(() => flywayDockerfile("../secrets"), /migrations: "..\/secrets" must be a relative path/);
  });
});

describe("node Dockerfile", () => {
  const spec = imageSpec(read("examples/webshop/backend/package.json"), { files: ["dist"], port: 8080, healthPath: "/health", systemPackages: [] }).spec;
  const dockerfile = nodeDockerfile(spec);
  const stageOrder = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((m) => `${m[2]}<-${m[1]}`);

  it("orders stages from least to most often changed, runtime from the bare base", () => {
    assert.deepEqual(stageOrder, ["base<-${BASE_IMAGE}", "deps<-base", "build<-deps", "prod-deps<-deps", "runtime<-base"]);
    const deps = dockerfile.indexOf("COPY package.json package-lock.json ./");
    assert.ok(deps > 0 && deps < dockerfile.indexOf("npm ci") && dockerfile.indexOf("npm ci") < dockerfile.indexOf("COPY . ."), "manifests, then install, then sources");
  });
  it("installs with a cache mount and the .npmrc as a secret, runs as non-root, has a health check, labels last", () => {
    assert.match(dockerfile, /--mount=type=cache,target=\/root\/\.npm/);
    assert.match(dockerfile, /--mount=type=secret,id=npmrc,target=\/root\/\.npmrc/);
    assert.match(dockerfile, /^USER 1000:1000$/m);
    assert.match(dockerfile, /^HEALTHCHECK .*http:\/\/127\.0\.0\.1:8080\/health/m);
    assert.match(dockerfile, /^CMD \["node","dist\/server\.js"\]$/m);
    assert.ok(dockerfile.trimEnd().endsWith('org.opencontainers.image.source="${SOURCE}"'));
    assert.doesNotMatch(dockerfile, /latest/);
  });
  it("installs system packages in the base stage through the apt mirror, leaving no package lists", () => {
    const withApt = nodeDockerfile({ ...spec, systemPackages: ["ca-certificates", "tini"] });
    const base = withApt.slice(withApt.indexOf("FROM ${BASE_IMAGE} AS base"), withApt.indexOf("FROM base AS deps"));
    assert.match(base, /^ARG APT_MIRROR$/m);
    assert.match(base, /sed -i -E "s#https\?:\/\/deb\.debian\.org\/debian#\$\{APT_MIRROR%\/\}#g"/);
    assert.match(base, /apt-get install -y --no-install-recommends ca-certificates tini/);
    assert.match(base, /rm -rf \/var\/lib\/apt\/lists\/\*/);
    assert.doesNotMatch(dockerfile, /apt-get/, "no apt step without system packages");
  });

  it("refuses values that could inject instructions", () => {
    assert.throws(() => nodeDockerfile({ ...spec, files: ["dist\nRUN curl evil"] }), /files: "dist\nRUN curl evil" must be a relative path/);
    assert.throws(() => nodeDockerfile({ ...spec, systemPackages: ["curl; rm -rf /"] }), /is not a Debian package name/);
    assert.throws(() => nodeDockerfile({ ...spec, port: 70000 }), /port: 70000 must be an integer from 1 to 65535/);
  });
  it("reads version, main and the build script from package.json, and says what is missing", () => {
    assert.equal(packageVersion(read("examples/webshop/backend/package.json")), "1.2.0");
    assert.throws(
      () => imageSpec('{"version":"1.0"}', { files: [], port: 1, healthPath: "/", systemPackages: [] }, "api/package.json"),
      /^Error: api\/package.json: "version" must be a semantic version MAJOR\.MINOR\.PATCH \(got "1\.0"\)/,
    );
    assert.throws(
      () => imageSpec('{"version":"1.0.0"}', { files: [], port: 1, healthPath: "/", systemPackages: [] }, "web/package.json"),
      /web\/package.json: has no "main", and pipeline.yaml sets no image.command/,
    );
    assert.throws(() => imageSpec("{", { files: [], port: 1, healthPath: "/", systemPackages: [] }), /package.json: not valid JSON/);
  });
});

describe("bad input before any work starts", () => {
  it("an unknown component is named with the valid ones", () => {
    assert.throws(() => selectComponents(config, ["backend", "payments"]), { message: 'components: "payments" is not a component of this pipeline; components: db, backend, frontend' });
  });
  it("a revision that is not a full git SHA is refused (no branch names, no latest)", () => {
    for (const bad of ["latest", "main", "abc123", "A".repeat(40)]) assert.throws(() => checkRevision(bad), /is not a full git commit SHA/);
    assert.doesNotThrow(() => checkRevision("0123456789abcdef0123456789abcdef01234567"));
  });
  it("pipeline.yaml refuses a registry address with a tag, a base image tagged latest and a mirror that is not a URL", () => {
    const text = `name: shop
components:
  api: { kind: backend, toolchain: node, path: api, image: { base: "node:latest" } }
registry: { address: "registry.example.com/acme/shop:v1" }
mirror: { npm: "nexus/npm" }
`;
    assert.throws(
      () => parseConfig(text),
      (e: Error) => {
        assert.match(e.message, /components\.api\.image\.base: must name a tag or digest other than latest/);
        assert.match(e.message, /registry\.address: must be a registry host with an optional port and path, without scheme or tag/);
        assert.match(e.message, /mirror\.npm: must be an http:\/\/ or https:\/\/ URL \(got "nexus\/npm"\)/);
        return true;
      },
    );
  });
});
