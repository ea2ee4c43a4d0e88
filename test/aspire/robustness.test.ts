// Issue 16's Aspire classes: references that go both ways, Compose paths from the manifest's
// folder, resource names every object has, digest-pinned overrides, images with control
// characters, and a manifest with nothing to run.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { parseAssignments } from "../../modules/aspire/src/assignments.js";
import { composeFile } from "../../modules/aspire/src/compose.js";
import { cyclePeers } from "../../modules/aspire/src/cycles.js";
import { describeGraph } from "../../modules/aspire/src/describe.js";
import { requireServices } from "../../modules/aspire/src/empty.js";
import { AspireManifestError } from "../../modules/aspire/src/errors.js";
import { type GraphOptions, serviceGraph } from "../../modules/aspire/src/graph.js";
import { checkDigestPinned } from "../../modules/aspire/src/images.js";
import { parseManifest } from "../../modules/aspire/src/manifest.js";
import { manifestDirFrom } from "../../modules/aspire/src/paths.js";
import { parsePublishedOverrides } from "../../.dagger/src/stages/aspire.js";

const FILE = "AppHost/aspire-manifest.json";
const text = (resources: Record<string, unknown>) =>
  `{"resources": {${Object.entries(resources)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(", ")}}}`;
const graph = (resources: Record<string, unknown>, options: GraphOptions = {}) => serviceGraph(parseManifest(text(resources), FILE), { file: FILE, ...options });
const http = { http: { scheme: "http", protocol: "tcp", transport: "http", targetPort: 8080 } };
const web = (env: Record<string, string> = {}) => ({ type: "container.v0", image: "registry.example.com/shop/web:1.0", env, bindings: http });
const DIGEST = `@sha256:${"a".repeat(64)}`;

describe("references that go both ways (Aspire reads URLs at run time)", () => {
  it("A refers to B and B to A: both run, neither waits for the other, each knows the other as a peer", () => {
    const g = graph({ a: web({ B_URL: "{b.bindings.http.url}" }), b: web({ A_URL: "{a.bindings.http.url}" }), c: web({ A_URL: "{a.bindings.http.url}" }) });
    assert.deepEqual(
      g.services.map((s) => [s.name, s.dependsOn, s.peers]),
      [
        ["a", [], ["b"]],
        ["b", [], ["a"]],
        // c refers to a from outside the cycle: a starts first.
        ["c", ["a"], undefined],
      ],
    );
    assert.deepEqual(g.services[0].env, { B_URL: [{ text: "http://b:8080" }] });
    assert.match(describeGraph(g), /a \(container\.v0\): image registry\.example\.com\/shop\/web:1\.0; refers to b and back \(no start order between them\)/);
    // Compose refuses a depends_on cycle: the two reach each other by service name without one.
    const compose = parse(composeFile(g)) as { services: Record<string, { depends_on?: string[] }> };
    assert.deepEqual([compose.services.a.depends_on, compose.services.b.depends_on, compose.services.c.depends_on], [undefined, undefined, ["a"]]);
  });

  it("a longer cycle through a value (a → b → c → a) is accepted the same way", () => {
    const g = graph({
      a: web({ B: "{b.bindings.http.url}" }),
      b: web({ C: "{cref.value}" }),
      cref: { type: "value.v0", value: "{c.bindings.http.host}" },
      c: web({ A: "{a.bindings.http.url}" }),
    });
    assert.deepEqual(
      g.services.map((s) => [s.name, s.dependsOn, s.peers]),
      [
        ["a", [], ["b", "c"]],
        ["b", [], ["a", "c"]],
        ["c", [], ["a", "b"]],
      ],
    );
  });

  it("cyclePeers: components in input order; a chain of 50 000 references does not overflow the stack", () => {
    const edges: Record<string, string[]> = { a: ["b"], b: ["c"], c: ["b", "d"], d: [], e: ["e"] };
    assert.deepEqual(
      [...cyclePeers(["a", "b", "c", "d", "e"], (n) => edges[n])],
      [
        ["d", []],
        ["b", ["c"]],
        ["c", ["b"]],
        ["a", []],
        ["e", []],
      ],
    );
    const n = 50_000;
    const names = Array.from({ length: n }, (_, i) => `s${i}`);
    const chain = cyclePeers(names, (x) => (x === `s${n - 1}` ? [] : [`s${Number(x.slice(1)) + 1}`]));
    assert.deepEqual(chain.get("s0"), []);
    // Closed into one ring of 500: every member is every other's peer.
    const ring = cyclePeers(names.slice(0, 500), (x) => [`s${(Number(x.slice(1)) + 1) % 500}`]);
    assert.equal(ring.get("s0")?.length, 499);
  });
});

describe("Compose paths are relative to the Compose file, from the manifest's folder", () => {
  it("the manifest's folder as seen from where the file is written", () => {
    assert.equal(manifestDirFrom(".", "aspire", FILE), "aspire");
    assert.equal(manifestDirFrom("deploy", "aspire", FILE), "../aspire");
    assert.equal(manifestDirFrom("aspire", "aspire", FILE), ".");
    assert.equal(manifestDirFrom("./", ".", FILE), ".");
    for (const bad of ["../elsewhere", "/abs", "C:/x"])
      assert.throws(
        () => manifestDirFrom(bad, "aspire", FILE),
        (e: unknown) => e instanceof AspireManifestError && e.message.includes(`--compose-dir ${JSON.stringify(bad)}: not a folder inside the source folder`),
      );
  });

  it("a build context and Dockerfile the manifest writes relative to its folder resolve to the same files from the Compose file's folder", () => {
    const g = graph({ api: { type: "container.v1", build: { context: "../src/api", dockerfile: "../src/api/Dockerfile" }, bindings: http } });
    const at = (manifestDir: string) => (parse(composeFile(g, { manifestDir })) as { services: { api: { build: { context: string; dockerfile: string } } } }).services.api.build;
    assert.deepEqual(at(manifestDirFrom(".", "aspire", FILE)), { context: "./src/api", dockerfile: "Dockerfile" });
    assert.deepEqual(at(manifestDirFrom("deploy/compose", "aspire", FILE)), { context: "../../src/api", dockerfile: "Dockerfile" });
  });
});

describe("resource names every JavaScript object has", () => {
  it("constructor, hasOwnProperty and toString are resources like any other: referred to, overridden, described", () => {
    for (const name of ["constructor", "hasOwnProperty", "toString", "valueOf"]) {
      const g = graph({ [name]: web(), api: web({ URL: `{${name}.bindings.http.url}` }) }, { overrides: parseAssignments([`${name}=registry.example.com/x/y:1${DIGEST}`], "--override") });
      assert.deepEqual(
        g.services.map((s) => [s.name, s.dependsOn, s.overridden]),
        [
          [name, [], `registry.example.com/x/y:1${DIGEST}`],
          ["api", [name], undefined],
        ],
        name,
      );
      assert.deepEqual(g.services[1].env.URL, [{ text: `http://${name}:8080` }]);
    }
  });

  it("an expression or an override naming such a property of a manifest without that resource is a dangling reference, not Object's", () => {
    assert.throws(() => graph({ api: web({ URL: "{constructor.bindings.http.url}" }) }), /api\.env\.URL: dangling reference \{constructor\.bindings\.http\.url\}: no resource is named "constructor"/);
    assert.throws(() => graph({ api: web() }, { overrides: { constructor: `registry.example.com/x/y:1${DIGEST}` } }), /overrides\.constructor: no resource is named "constructor"/);
  });

  // A computed key: `{ __proto__: x }` in a literal would set the prototype instead.
  it("a resource named __proto__ is refused with Aspire's naming rule, never dropped", () => {
    assert.throws(
      () => graph({ ["__proto__"]: web(), api: web() }),
      new AspireManifestError(
        FILE,
        'resources: "__proto__" is not a resource name: a name is 1-64 ASCII letters, digits and hyphens, starting with a letter, not ending with a hyphen, without two hyphens in a row (Aspire\'s rule)',
      ),
    );
    for (const bad of ["-api", "api-", "a--b", "a_b", "a.b", "x".repeat(65), ""]) assert.throws(() => graph({ [bad]: web() }), /resources: ".*" is not a resource name/, bad);
  });

  it("a __proto__ key inside a resource (env, bindings) is refused, naming its path, not dropped", () => {
    assert.throws(
      () => graph({ api: web({ ["__proto__"]: "x" }) }),
      new AspireManifestError(FILE, 'resources.api.env.__proto__: a key named "__proto__" is refused (it cannot be kept as written); rename it'),
    );
    assert.throws(() => graph({ api: { ...web(), bindings: { ["__proto__"]: http.http } } }), /resources\.api\.bindings\.__proto__: a key named "__proto__" is refused/);
  });

  it("--override __proto__=… and constructor=… are names like others: kept, then checked against the manifest", () => {
    const out = parseAssignments([`__proto__=registry.example.com/x/y:1${DIGEST}`, `constructor=registry.example.com/x/y:2${DIGEST}`], "--override");
    assert.deepEqual(Object.keys(out), ["__proto__", "constructor"]);
    assert.throws(() => parseAssignments(["constructor=a:1", "constructor=a:2"], "--override"), /--override: constructor is given twice/);
    assert.throws(() => graph({ api: web() }, { overrides: out }), /overrides\.__proto__: no resource is named "__proto__"/);
  });
});

describe("images: the artefact under test by digest, and no control characters anywhere", () => {
  it("the module's --override refuses an image without a digest, as the root's integration --override does", () => {
    assert.deepEqual(checkDigestPinned({ api: `registry.example.com/x/y:1${DIGEST}` }, "--override"), { api: `registry.example.com/x/y:1${DIGEST}` });
    assert.throws(
      () => checkDigestPinned({ api: "registry.example.com/x/y:1" }, "--override"),
      new AspireManifestError(
        "--override",
        'api: "registry.example.com/x/y:1" names no sha256 digest; expected registry/name:tag@sha256:<64 hex> (or registry/name@sha256:<64 hex>) (the artefact under test is named by digest, so the verdict is about exactly that image)',
      ),
    );
    assert.throws(
      () => parsePublishedOverrides(["api=registry.example.com/x/y:1"]),
      /^InputError: override: "api=registry\.example\.com\/x\/y:1" is not resource=.*: the image ".*" names no sha256 digest/,
    );
  });

  it("an image with a newline or another control character is refused by both, with the character escaped (no forged line)", () => {
    for (const bad of [`registry.example.com/x/y:1${DIGEST}\n`, `registry.example.com/x/y:1\n${DIGEST}`, `registry.example.com/x/y:1${DIGEST}\u001b[31m`, `registry.example.com/x/y:1${DIGEST}\r`]) {
      for (const call of [() => checkDigestPinned({ api: bad }, "--override"), () => parsePublishedOverrides([`api=${bad}`])]) {
        assert.throws(call, (e: unknown) => e instanceof Error && /contains the control character "\\(n|r|u001b)"/.test(e.message) && !/[\n\r\u001b]/.test(e.message), JSON.stringify(bad));
      }
    }
  });

  it("a manifest image with a newline or white space is refused, naming the resource", () => {
    assert.throws(
      () => graph({ api: { ...web(), image: "registry.example.com/shop/web:1.0\nFROM evil" } }),
      new AspireManifestError(
        FILE,
        'resources.api.image: "registry.example.com/shop/web:1.0\\nFROM evil" is not an image reference (registry/name:tag as Aspire writes it, e.g. docker.io/library/redis:8.6; no spaces or control characters)',
      ),
    );
    assert.throws(() => graph({ api: { ...web(), image: "redis 8" } }), /resources\.api\.image: "redis 8" is not an image reference/);
  });
});

describe("a manifest with nothing to run", () => {
  const azure = { type: "azure.bicep.v0", path: "storage.bicep" };
  it("every resource skipped: Compose and test refuse, naming each skipped resource and why (no services: {})", () => {
    const g = graph({ storage: azure, api: web({ BLOBS: "{storage.outputs.blobEndpoint}" }) });
    assert.deepEqual(g.services, []);
    assert.throws(
      () => composeFile(g),
      (e: unknown) =>
        e instanceof AspireManifestError &&
        e.message.startsWith(`${FILE}: cannot write a Compose file: every service of the manifest is skipped:\n  storage (azure.bicep.v0): azure.bicep.v0 is an Azure resource`) &&
        e.message.includes("\n  api (container.v0): needs skipped resource storage via expression {storage.outputs.blobEndpoint}"),
    );
    assert.throws(() => requireServices(g, "nothing to test"), /: nothing to test: every service of the manifest is skipped:/);
  });

  it("no service at all (only parameters, or no resource): refused, saying what there is", () => {
    const p = { type: "parameter.v0", value: "{region.inputs.value}", inputs: { value: { type: "string", default: { value: "eu" } } } };
    assert.throws(
      () => composeFile(graph({ region: p })),
      new AspireManifestError(FILE, "cannot write a Compose file: the manifest has no service (container, project, executable or Dockerfile resource), only parameters and values: region"),
    );
    assert.throws(() => composeFile(graph({})), /the manifest has no service \(container, project, executable or Dockerfile resource\), no resource at all$/);
  });
});
