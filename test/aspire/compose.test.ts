// The Compose export of a service graph: golden files for two manifests, what docker-compose v1
// (PyYAML, YAML 1.1) reads from it, that no secret value is ever written, and what it refuses.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { composeFile, secretVariable } from "../../modules/aspire/src/compose.js";
import { AspireManifestError } from "../../modules/aspire/src/errors.js";
import { type GraphOptions, serviceGraph } from "../../modules/aspire/src/graph.js";
import { parseManifest } from "../../modules/aspire/src/manifest.js";
import { ASPIRE_FIXTURES, firstChoice, manifestText } from "./fixtures.js";

const graphOf = (name: string, options: GraphOptions) => serviceGraph(parseManifest(manifestText(name), `${name}.json`), { file: `${name}.json`, random: firstChoice, ...options });

// The two goldens: Redis (secret parameters, URI-encoded ones, named volumes, a published
// project) and AspireWithNode (a non-secret parameter with '@', ' ' and '$', a Dockerfile build,
// a manifest folder that is not the Compose file's).
const GOLDEN = {
  redis: { options: { images: { apiservice: "registry.example.com/redis/apiservice:1.4.2" } }, compose: { project: "redis-sample" } },
  aspirewithnode: { options: { parameters: { pass: "p@ss word$" }, images: { weatherapi: "registry.example.com/node/weatherapi:2.0.0" } }, compose: { manifestDir: "AppHost" } },
} as const;

type ComposeDoc = { services: Record<string, Record<string, unknown>>; volumes?: Record<string, unknown> };

const hasDockerCompose = spawnSync("docker-compose", ["version"], { encoding: "utf8" }).status === 0;

describe("Compose export of an Aspire service graph", () => {
  for (const [name, g] of Object.entries(GOLDEN)) {
    it(`${name}: equals the golden file test/fixtures/aspire/compose/${name}.compose.yaml`, () => {
      const text = composeFile(graphOf(name, g.options), g.compose);
      assert.equal(text, readFileSync(join(ASPIRE_FIXTURES, "compose", `${name}.compose.yaml`), "utf8"));
    });
  }

  it("reads back in YAML 1.1 (docker-compose v1's PyYAML) with every environment value a string, and holds no secret value", () => {
    // Secrets given as values: the graph keeps only their names, so Compose can only reference them.
    const given = { "redis-password": "Red1s-s3cret-value", "garnet-password": "Garn3t-s3cret-value", "valkey-password": "Valk3y-s3cret-value" };
    const text = composeFile(graphOf("redis", { ...GOLDEN.redis.options, parameters: given }));
    for (const value of Object.values(given)) assert.ok(!text.includes(value), `${value} is not in the file`);
    const doc = parse(text, { version: "1.1" }) as ComposeDoc;
    for (const [service, s] of Object.entries(doc.services)) {
      for (const [k, v] of Object.entries((s.environment ?? {}) as Record<string, unknown>)) assert.equal(typeof v, "string", `${service}.environment.${k}`);
      assert.ok(!("start_interval" in ((s.healthcheck ?? {}) as object)), "docker-compose v1 refuses healthcheck.start_interval");
    }
    const api = doc.services.apiservice.environment as Record<string, string>;
    assert.equal(api.ASPNETCORE_FORWARDEDHEADERS_ENABLED, "true");
    assert.equal(api.HTTP_PORTS, "8080");
    assert.equal(api.REDIS_PASSWORD, "${REDIS_PASSWORD:?set REDIS_PASSWORD to the secret parameter redis-password}");
    assert.equal(api.REDIS_URI, "redis://:${REDIS_PASSWORD_URI_ENCODED:?set REDIS_PASSWORD_URI_ENCODED to the URI-encoded value of secret parameter redis-password}@redis:6379");
    assert.deepEqual(doc.services.apiservice.depends_on, ["redis", "garnet", "valkey"]);
    assert.deepEqual(doc.services.apiservice.ports, ["8080"], "http and https share the project's 8080: published once, on a host port Docker picks");
    assert.deepEqual(doc.services.redis.entrypoint, ["/bin/sh"]);
    assert.deepEqual(doc.services.redis.command, ["-c", "redis-server --requirepass $$REDIS_PASSWORD --save 60 1"], "a literal $ is doubled: the container's shell expands it, not Compose");
    assert.deepEqual(Object.keys(doc.volumes ?? {}), ["redis.apphost-7855b85e05-redis-data", "redis.apphost-7855b85e05-garnet-data", "valkey-data"]);
  });

  it("quotes the YAML 1.1 booleans: ACCEPT_EULA=Y stays the string Y, not true", () => {
    const text = composeFile(graphOf("databasemigration", { images: { api: "registry.example.com/dm/api:1", migration: "registry.example.com/dm/migration:1" } }));
    const doc = parse(text, { version: "1.1" }) as ComposeDoc;
    assert.equal((doc.services.sql1.environment as Record<string, unknown>).ACCEPT_EULA, "Y");
    assert.match(text, /ACCEPT_EULA: "Y"/);
  });

  it("names the host variable of a secret after the parameter, with the prefix asked for", () => {
    assert.equal(secretVariable("redis-password", undefined), "REDIS_PASSWORD");
    assert.equal(secretVariable("redis-password", "uri"), "REDIS_PASSWORD_URI_ENCODED");
    assert.equal(secretVariable("postgres2.password", undefined, "SHOP_"), "SHOP_POSTGRES2_PASSWORD");
    const text = composeFile(graphOf("redis", GOLDEN.redis.options), { envPrefix: "SHOP_" });
    assert.match(text, /\$\{SHOP_REDIS_PASSWORD:\?set SHOP_REDIS_PASSWORD to the secret parameter redis-password\}/);
    assert.doesNotMatch(text, /\$\{REDIS_PASSWORD/);
  });

  it("refuses what Compose cannot run, naming each: a project without image, an executable, a build with secrets", () => {
    assert.throws(
      () => composeFile(graphOf("redis", {})),
      new AspireManifestError(
        "redis.json",
        'cannot write a Compose file:\n  apiservice: the .NET project ../Redis.ApiService/Redis.ApiService.csproj has no image; pass images: {"apiservice": "registry/name:tag"} (or an override)',
      ),
    );
    assert.throws(
      () => composeFile(graphOf("dotnettool", { secrets: ["secret"] })),
      /simpleUsage: the executable dotnet runs on the AppHost's machine, not in a container; pass an override image for it/,
    );
    assert.throws(
      () => composeFile(graphOf("withdockerfile", { parameters: { goversion: "1.23" }, secrets: ["secret"] })),
      /mycontainer: its Dockerfile build uses secrets \(SECRET_ASENV\), which docker-compose v1\.29 cannot pass; build the image and pass an override/,
    );
    // With the build replaced by an image, the same graph is written.
    assert.doesNotThrow(() => composeFile(graphOf("withdockerfile", { parameters: { goversion: "1.23" }, secrets: ["secret"], overrides: { mycontainer: "registry.example.com/qots:1.0" } })));
  });

  it("docker-compose 1.29 accepts the golden files and a bind mount (docker-compose config, no engine needed)", { skip: !hasDockerCompose && "docker-compose is not installed here" }, () => {
    const dir = mkdtempSync(join(tmpdir(), "aspire-compose-"));
    try {
      const files = {
        ...Object.fromEntries(Object.keys(GOLDEN).map((n) => [`${n}.yaml`, readFileSync(join(ASPIRE_FIXTURES, "compose", `${n}.compose.yaml`), "utf8")])),
        "mysql.yaml": composeFile(graphOf("mysql", { images: { apiservice: "registry.example.com/mysql/api:1" } })),
      };
      // docker-compose checks that a build context exists: the frontend's, as manifestDir "AppHost" places it.
      mkdirSync(join(dir, "NodeFrontend"));
      writeFileSync(join(dir, "NodeFrontend", "Dockerfile"), "FROM scratch\n");
      // Every secret variable set, as an .env file beside the Compose file would.
      const env = {
        ...process.env,
        ...Object.fromEntries(
          ["REDIS", "GARNET", "VALKEY", "MYSQL"].flatMap((n) => [
            [`${n}_PASSWORD`, "x"],
            [`${n}_PASSWORD_URI_ENCODED`, "x"],
          ]),
        ),
      };
      for (const [file, text] of Object.entries(files)) {
        writeFileSync(join(dir, file), text);
        const r = spawnSync("docker-compose", ["-f", file, "config", "-q"], { cwd: dir, env, encoding: "utf8" });
        assert.equal(r.status, 0, `${file}: ${r.stderr}`);
      }
      // Without the secrets, Compose stops and says which variable to set.
      const r = spawnSync("docker-compose", ["-f", "redis.yaml", "config", "-q"], { cwd: dir, env: { PATH: process.env.PATH }, encoding: "utf8" });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /set REDIS_PASSWORD to the secret parameter redis-password/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
