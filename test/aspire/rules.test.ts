// Rules of the graph that the corpus shows only in passing: parameter defaults, where given
// secrets go (nowhere), deployment blocks, ports without targetPort, published project images.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type GraphOptions, serviceGraph } from "../../modules/aspire/src/graph.js";
import { parseManifest } from "../../modules/aspire/src/manifest.js";
import { firstChoice, manifestText } from "./fixtures.js";

const FILE = "aspire-manifest.json";
const graph = (resources: Record<string, unknown>, options: GraphOptions = {}) => serviceGraph(parseManifest(JSON.stringify({ resources }), FILE), { file: FILE, ...options });
const param = (secret: boolean, def?: object) => ({ type: "parameter.v0", value: "{p.inputs.value}", inputs: { value: { type: "string", secret, ...(def ? { default: def } : {}) } } });
const web = (env: Record<string, string>, bindings: object = {}) => ({ type: "container.v0", image: "nginx:1.27", env, bindings });

describe("parameters", () => {
  it("a default value is inlined for a non-secret, and stays a secret part for a secret", () => {
    const plain = graph({ p: param(false, { value: "webshop" }), web: web({ USER: "{p.value}" }) });
    assert.deepEqual(plain.services[0].env.USER, [{ text: "webshop" }]);
    assert.deepEqual(plain.parameters, [{ name: "p", secret: false, source: { kind: "default", value: "webshop" }, usedBy: ["web"] }]);
    const secret = graph({ p: param(true, { value: "manifest-default" }), web: web({ PASSWORD: "{p.value}" }) });
    assert.deepEqual(secret.services[0].env.PASSWORD, [{ secret: "p" }]);
    // The manifest's own default, kept for the runner that creates the secret (it is plain in the manifest already).
    assert.deepEqual(secret.parameters[0].source, { kind: "default", value: "manifest-default" });
  });

  it("a given value wins over the default; a given secret's value is nowhere in the graph", () => {
    const g = graph({ p: param(true, { generate: { minLength: 10 } }), web: web({ PASSWORD: "{p.value}", URL: "x://u:{p.value}@h" }) }, { parameters: { p: "Giv3n-s3cret" } });
    assert.deepEqual(g.parameters[0].source, { kind: "given" });
    assert.deepEqual(g.services[0].env.URL, [{ text: "x://u:" }, { secret: "p" }, { text: "@h" }]);
    assert.ok(!JSON.stringify(g).includes("Giv3n-s3cret"));
  });

  it("a generated non-secret value is inlined (and recorded); a generated secret is the runner's to generate", () => {
    const g = graph({ p: param(false, { generate: { minLength: 5, numeric: false, special: false } }), web: web({ USER: "{p.value}" }) }, { random: firstChoice });
    assert.deepEqual(g.services[0].env.USER, [{ text: "aaaaa" }]);
    assert.equal((g.parameters[0].source as { value?: string }).value, "aaaaa");
    const s = graph({ p: param(true, { generate: { minLength: 5 } }), web: web({ PW: "{p.value}" }) });
    assert.deepEqual(s.parameters[0].source, {
      kind: "generate",
      spec: { minLength: 5, lower: true, upper: true, numeric: true, special: true, minLower: 0, minUpper: 0, minNumeric: 0, minSpecial: 0 },
    });
  });
});

describe("services", () => {
  it("a deployment block is recorded by type and ignored: its Azure references are no dependency", () => {
    const g = serviceGraph(parseManifest(manifestText("azurecontainerapps"), "aca.json"), { file: "aca.json" });
    const cache = g.services.find((s) => s.name === "cache");
    assert.equal(cache?.deployment, "azure.bicep.v0");
    assert.deepEqual(cache?.dependsOn, []);
  });

  it("a container binding without targetPort listens on its port (as Aspire writes it); one with neither is skipped, saying so", () => {
    const g = graph({ a: web({}, { http: { scheme: "http", port: 8081 } }), b: web({}, { tcp: { scheme: "tcp" } }), c: web({ B: "{b.bindings.tcp.port}" }) });
    assert.deepEqual(
      g.services.map((s) => [s.name, s.endpoints.map((e) => e.targetPort)]),
      [["a", [8081]]],
    );
    assert.deepEqual(g.skipped, [
      { name: "b", type: "container.v0", reason: "binding tcp (tcp) has no targetPort and no port, so nothing says where the process listens" },
      { name: "c", type: "container.v0", reason: "needs skipped resource b via expression {b.bindings.tcp.port}" },
    ]);
  });

  it("a project's default http and https share 8080; a named extra endpoint keeps the port Aspire allocated", () => {
    const g = graph({
      api: { type: "project.v1", path: "Api.csproj", bindings: { http: { scheme: "http" }, https: { scheme: "https" }, grpc: { scheme: "http", transport: "http2", targetPort: 8000 } } },
      web: web({ HTTP: "{api.bindings.http.url}", HTTPS: "{api.bindings.https.url}", GRPC: "{api.bindings.grpc.hostAndPort}" }),
    });
    assert.deepEqual(g.services[1].env, { HTTP: [{ text: "http://api:8080" }], HTTPS: [{ text: "https://api:8080" }], GRPC: [{ text: "api:8000" }] });
  });

  it("a published image replaces a project's source (not an override); an executable stays for the caller", () => {
    const g = serviceGraph(parseManifest(manifestText("testproject"), "t.json"), { file: "t.json", dangling: "skip", images: { servicea: "registry.example.com/servicea:3" } });
    const a = g.services.find((s) => s.name === "servicea");
    assert.deepEqual([a?.source, a?.overridden], [{ image: "registry.example.com/servicea:3" }, undefined]);
    assert.deepEqual(g.services.find((s) => s.name === "nodeapp")?.source, { executable: { command: "node", workingDirectory: "../nodeapp" } });
    assert.deepEqual(g.services.find((s) => s.name === "serviceb")?.source, { project: "../TestProject.ServiceB/TestProject.ServiceB.csproj" });
  });
});
