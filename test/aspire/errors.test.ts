// Bad input: each error is an AspireManifestError that starts with the manifest's file name and
// names what is wrong, the value, and what is valid.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AspireManifestError } from "../../modules/aspire/src/errors.js";
import { type GraphOptions, serviceGraph } from "../../modules/aspire/src/graph.js";
import { parseManifest } from "../../modules/aspire/src/manifest.js";
import { manifestText } from "./fixtures.js";

const FILE = "AppHost/aspire-manifest.json";
const graph = (resources: Record<string, unknown>, options: GraphOptions = {}) => serviceGraph(parseManifest(JSON.stringify({ resources }), FILE), { file: FILE, ...options });
const error = (message: string) => new AspireManifestError(FILE, message);

const redis = { type: "container.v0", image: "docker.io/library/redis:8.6", bindings: { tcp: { scheme: "tcp", protocol: "tcp", transport: "tcp", targetPort: 6379 } } };
const api = (env: Record<string, string>) => ({ type: "project.v0", path: "../Api/Api.csproj", env, bindings: { http: { scheme: "http", protocol: "tcp", transport: "http" } } });

describe("parseManifest refuses", () => {
  it("malformed JSON, with the position V8 reports as line and column", () => {
    const text = '{\n  "resources": {\n    "redis": { "type": "container.v0" }\n    "api": {}\n  }\n}';
    assert.throws(
      () => parseManifest(text, FILE),
      (e: unknown) => e instanceof AspireManifestError && e.message.startsWith(`${FILE}: not valid JSON: `) && /position 63\b/.test(e.message) && /line 4,? column 5\b/.test(e.message),
    );
  });

  it("JSON that is not a manifest", () => {
    assert.throws(() => parseManifest("[]", FILE), error('not an Aspire manifest: expected an object with a "resources" object'));
    assert.throws(() => parseManifest('{"services": {}}', FILE), error('not an Aspire manifest: expected an object with a "resources" object'));
  });

  it("an unknown resource type, naming the resource and the types it knows", () => {
    assert.throws(
      () => parseManifest('{"resources": {"clock": {"type": "talking-clock.v0"}}}', FILE),
      (e: unknown) =>
        e instanceof AspireManifestError &&
        e.message.startsWith(
          `${FILE}: resources.clock: unknown resource type "talking-clock.v0"; known types: container.v0, container.v1, dockerfile.v0, project.v0, project.v1, executable.v0, parameter.v0, value.v0, annotated.string, redis.v0, postgres.server.v0`,
        ) &&
        e.message.endsWith(", azure.*"),
    );
  });

  it("a resource that does not have its type's shape, with the JSON path and the type", () => {
    assert.throws(
      () => parseManifest('{"resources": {"cache": {"type": "container.v0"}}}', FILE),
      error("resources.cache.image: Invalid input: expected string, received undefined (resource type container.v0)"),
    );
    assert.throws(
      () => parseManifest('{"resources": {"cache": {"type": "container.v0", "image": "redis:8", "bindings": {"tcp": {"scheme": "tcp", "targetPort": "6379"}}}}}', FILE),
      error("resources.cache.bindings.tcp.targetPort: Invalid input: expected number, received string (resource type container.v0)"),
    );
    assert.throws(
      () => parseManifest('{"resources": {"web": {"type": "container.v1", "image": "nginx:1", "build": {"context": ".", "dockerfile": "Dockerfile"}}}}', FILE),
      error("resources.web: a container.v1 has either image or build, not both and not neither (resource type container.v1)"),
    );
  });
});

describe("serviceGraph refuses", () => {
  it("a reference to a resource that does not exist, naming where it is and the whole expression", () => {
    assert.throws(
      () => graph({ redis, api: api({ REDIS: "{cache.connectionString}" }) }),
      error('api.env.REDIS: dangling reference {cache.connectionString}: no resource is named "cache" (pass dangling: "skip" to skip the resources that use it instead)'),
    );
  });

  it("a reference to a binding or property the resource does not have, listing what it has", () => {
    assert.throws(
      () => graph({ redis, api: api({ REDIS_PORT: "{redis.bindings.tls.port}" }) }),
      error('api.env.REDIS_PORT: dangling reference {redis.bindings.tls.port}: redis has no binding "tls" (its bindings: tcp) (pass dangling: "skip" to skip the resources that use it instead)'),
    );
    assert.throws(
      () => graph({ redis, api: api({ REDIS_PORT: "{redis.bindings.tcp.portNumber}" }) }),
      /api\.env\.REDIS_PORT: dangling reference \{redis\.bindings\.tcp\.portNumber\}: a binding has the properties url, host, port, targetPort, scheme, hostAndPort/,
    );
    assert.throws(
      () => graph({ redis, api: api({ REDIS: "{redis.connectionString}" }) }),
      /api\.env\.REDIS: dangling reference \{redis\.connectionString\}: redis is a container\.v0 and has no connectionString/,
    );
    assert.throws(
      () => graph({ redis, api: api({ X: "{redis.outputs.hostName}" }) }),
      /dangling reference \{redis\.outputs\.hostName\}: only Azure resources have outputs, and redis is a container\.v0/,
    );
  });

  it("a dangling reference skips the resource that holds it (and what uses that) when the caller asks", () => {
    const g = graph({ redis, api: api({ REDIS: "{cache.connectionString}" }), web: api({ API: "{api.bindings.http.url}" }) }, { dangling: "skip" });
    assert.deepEqual(
      g.services.map((s) => s.name),
      ["redis"],
    );
    assert.deepEqual(g.skipped, [
      { name: "api", type: "project.v0", reason: 'api.env.REDIS: dangling reference {cache.connectionString}: no resource is named "cache"' },
      { name: "web", type: "project.v0", reason: "needs skipped resource api via expression {api.bindings.http.url}" },
    ]);
  });

  it("values that contain themselves, printing the cycle", () => {
    assert.throws(
      () => graph({ one: { type: "value.v0", connectionString: "{two.connectionString};a" }, two: { type: "value.v0", connectionString: "{one.connectionString};b" } }),
      error("cycle: one.connectionString → two.connectionString → one.connectionString (a value cannot contain itself)"),
    );
  });

  it("a parameter a running service needs but that has no value and no default, saying how to pass it", () => {
    const resources = {
      "api-key": { type: "parameter.v0", value: "{api-key.inputs.value}", inputs: { value: { type: "string", secret: true } } },
      region: { type: "parameter.v0", value: "{region.inputs.value}", inputs: { value: { type: "string" } } },
      api: api({ KEY: "{api-key.value}", REGION: "{region.value}", URL: "https://{region.value}.example.com" }),
    };
    assert.throws(
      () => graph(resources),
      error(
        [
          'parameter api-key has no value and no default, and api.env.KEY uses {api-key.value}: declare it with secrets: ["api-key"] and give the runner its value, or pass parameters: {"api-key": "…"} (the AppHost reads it from Parameters:api-key)',
          'parameter region has no value and no default, and api.env.REGION uses {region.value}, api.env.URL uses {region.value}: pass parameters: {"region": "…"} (the AppHost reads it from Parameters:region)',
        ].join("\n"),
      ),
    );
    const g = graph(resources, { parameters: { region: "eu" }, secrets: ["api-key"] });
    assert.deepEqual(g.services[0].env, { KEY: [{ secret: "api-key" }], REGION: [{ text: "eu" }], URL: [{ text: "https://eu.example.com" }] });
  });

  it("overrides and images that name no service, or that are not image references with a tag or digest", () => {
    const resources = { redis, api: api({}), pw: { type: "parameter.v0", value: "{pw.inputs.value}", inputs: { value: { type: "string", default: { value: "x" } } } } };
    assert.throws(() => graph(resources, { overrides: { cache: "redis:8" } }), error('overrides.cache: no resource is named "cache"; services (containers, projects, executables): redis, api'));
    assert.throws(
      () => graph(resources, { overrides: { pw: "redis:8" } }),
      error("overrides.pw: pw is a parameter.v0, and overrides are for services (containers, projects, executables): redis, api"),
    );
    assert.throws(
      () => graph(resources, { overrides: { redis: "redis" } }),
      error('overrides.redis: "redis" is not an image reference with a tag or digest (registry/name:tag or registry/name@sha256:<64 hex> (or both))'),
    );
    assert.throws(() => graph(resources, { overrides: { redis: "Redis:8" } }), /overrides\.redis: "Redis:8" is not an image reference/);
    assert.throws(() => graph(resources, { images: { redis: "registry.example.com/redis:8" } }), error("images.redis: redis is a container.v0, and images are for project resources: api"));
    assert.throws(() => graph(resources, { parameters: { password: "x" } }), error('parameters: no parameter is named "password"; parameters: pw'));
  });

  it("takes a good override: the image replaces the source, env, args and endpoints stay", () => {
    const digest = `registry.example.com/acme/api:1.2.3@sha256:${"a".repeat(64)}`;
    const g = graph({ redis, api: api({ REDIS: "{redis.bindings.tcp.host}" }) }, { overrides: { api: digest, redis: "localhost:5000/mirror/redis:8.6" } });
    const [r, a] = g.services;
    assert.deepEqual(r.source, { image: "localhost:5000/mirror/redis:8.6" });
    assert.deepEqual([a.source, a.overridden, a.env, a.endpoints.map((e) => e.targetPort), a.dependsOn], [{ image: digest }, digest, { REDIS: [{ text: "redis" }] }, [8080], ["redis"]]);
  });

  it("every error of a corpus manifest names its file", () => {
    assert.throws(
      () => serviceGraph(parseManifest(manifestText("kafka"), "kafka.json"), { file: "kafka.json", overrides: { kafka: "latest" } }),
      /^AspireManifestError: kafka\.json: overrides\.kafka: /,
    );
  });
});
