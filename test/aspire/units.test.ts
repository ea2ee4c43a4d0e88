// The small pieces: parts and their rendering, expressions in manifest strings, generated values,
// start order, and the CLI summary.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeGraph } from "../../modules/aspire/src/describe.js";
import { tokenize } from "../../modules/aspire/src/expressions.js";
import { CHARACTER_SETS, generateValue } from "../../modules/aspire/src/generate.js";
import { serviceGraph } from "../../modules/aspire/src/graph.js";
import { GenerateSpec, parseManifest } from "../../modules/aspire/src/manifest.js";
import { startOrder } from "../../modules/aspire/src/order.js";
import { applyFilter, normalize, type Part, plainText, render } from "../../modules/aspire/src/parts.js";
import { dockerfileInContext, fromManifestDir } from "../../modules/aspire/src/paths.js";
import { isPinnedImageRef } from "../../modules/aspire/src/images.js";
import { mirrored, parseRegistryMirrors } from "../../modules/aspire/src/registry-mirrors.js";
import { firstChoice, manifestText } from "./fixtures.js";

describe("parts", () => {
  const uriParts: Part[] = [{ text: "redis://:" }, { secret: "pw", filter: "uri" }, { text: "@redis:6379 " }, { secret: "pw" }];

  it("render gives each secret part its value, URI-encoded where the part says so", () => {
    assert.equal(
      render(uriParts, (n) => (n === "pw" ? "a b/c@d" : "?")),
      "redis://:a%20b%2Fc%40d@redis:6379 a b/c@d",
    );
  });

  it("plainText is the string only when no secret is in it", () => {
    assert.equal(plainText([{ text: "a" }, { text: "b" }]), "ab");
    assert.equal(plainText(uriParts), undefined);
  });

  it("normalize joins adjacent texts and drops empty ones; applyFilter encodes text now and marks secrets", () => {
    assert.deepEqual(normalize([{ text: "a" }, { text: "" }, { text: "b" }, { secret: "s" }, { text: "c" }]), [{ text: "ab" }, { secret: "s" }, { text: "c" }]);
    assert.deepEqual(applyFilter([{ text: "p@ss word" }, { secret: "s" }], "uri"), [{ text: "p%40ss%20word" }, { secret: "s", filter: "uri" }]);
  });
});

describe("expressions", () => {
  it("splits a manifest string into text and {resource.path} expressions", () => {
    assert.deepEqual(tokenize("Host={pg.bindings.tcp.host};Password={pg-password.value}"), [
      { text: "Host=" },
      { expression: { resource: "pg", path: ["bindings", "tcp", "host"], source: "{pg.bindings.tcp.host}" } },
      { text: ";Password=" },
      { expression: { resource: "pg-password", path: ["value"], source: "{pg-password.value}" } },
    ]);
    assert.deepEqual(tokenize("{pg-kv.secrets.connectionstrings--db}"), [
      { expression: { resource: "pg-kv", path: ["secrets", "connectionstrings--db"], source: "{pg-kv.secrets.connectionstrings--db}" } },
    ]);
  });

  it("leaves braces that are no expression as text, as Aspire writes them unescaped (YARP routes)", () => {
    assert.deepEqual(tokenize("/nuget/{**catchall}"), [{ text: "/nuget/{**catchall}" }]);
    assert.deepEqual(tokenize("{} {x} {.y}"), [{ text: "{} {x} {.y}" }]);
  });
});

describe("generated values", () => {
  const spec = (fields: object) => GenerateSpec.parse(fields);

  it("have at least minLength characters and the minimum of each set, from Aspire's character sets only", () => {
    for (let i = 0; i < 50; i++) {
      const v = generateValue(spec({ minLength: 22, minLower: 1, minUpper: 2, minNumeric: 3, minSpecial: 4 }));
      assert.equal(v.length, 22);
      const count = (set: string) => [...v].filter((c) => set.includes(c)).length;
      assert.ok(count(CHARACTER_SETS.lower) >= 1 && count(CHARACTER_SETS.upper) >= 2 && count(CHARACTER_SETS.numeric) >= 3 && count(CHARACTER_SETS.special) >= 4, v);
      assert.equal(count(Object.values(CHARACTER_SETS).join("")), 22, v);
    }
  });

  it("leave out disabled sets, and grow to the sum of the minimums", () => {
    for (let i = 0; i < 50; i++) assert.match(generateValue(spec({ minLength: 30, numeric: false, special: false })), /^[a-zA-Z]{30}$/);
    assert.equal(generateValue(spec({ minLength: 2, minLower: 3, minNumeric: 3 })).length, 6);
  });

  it("are deterministic with a given random (the tests' firstChoice: the first character of each set)", () => {
    // "0" for the digit, "a" (all sets' first) to fill, then each swap with index 0 moves the "0" to the end.
    assert.equal(generateValue(spec({ minLength: 4, minNumeric: 1 }), firstChoice), "aaa0");
    assert.equal(generateValue(spec({ minLength: 3, numeric: false, special: false }), firstChoice), "aaa");
  });
});

describe("start order", () => {
  const cycle = (path: string[]) => new Error(path.join(" → "));
  it("puts dependencies first and keeps the input order otherwise", () => {
    const s = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });
    assert.deepEqual(
      startOrder([s("web", "api"), s("api", "db", "cache"), s("cache"), s("db")], cycle).map((x) => x.name),
      ["db", "cache", "api", "web"],
    );
  });
  it("reports a cycle as its path", () => {
    assert.throws(
      () =>
        startOrder(
          [
            { name: "a", dependsOn: ["b"] },
            { name: "b", dependsOn: ["a"] },
          ],
          cycle,
        ),
      /^Error: a → b → a$/,
    );
  });
});

describe("paths", () => {
  it("a Dockerfile relative to its context, as docker build wants it; Aspire writes both relative to the manifest", () => {
    assert.equal(dockerfileInContext("qots", "qots/Dockerfile"), "Dockerfile");
    assert.equal(dockerfileInContext("qots", "dynamic-sync.Dockerfile"), "../dynamic-sync.Dockerfile");
    assert.equal(dockerfileInContext("..\\NodeFrontend", "..\\NodeFrontend\\Dockerfile"), "Dockerfile");
  });
  it("a manifest path seen from another folder, always ./ or ../ or absolute so Compose reads a path, not a volume name", () => {
    assert.equal(fromManifestDir(".", "data"), "./data");
    assert.equal(fromManifestDir("AppHost", "../NodeFrontend"), "./NodeFrontend");
    assert.equal(fromManifestDir("..", "../MySql.ApiService/data"), "../../MySql.ApiService/data");
    assert.equal(fromManifestDir("AppHost", "/srv/data"), "/srv/data");
  });
});

describe("describeGraph", () => {
  it("lists services in start order with their source and endpoints, parameters, and skipped resources with reasons", () => {
    const g = serviceGraph(parseManifest(manifestText("waitfor"), "waitfor.json"), { file: "waitfor.json", random: firstChoice });
    const text = describeGraph(g);
    assert.match(text, /^waitfor\.json: 0 service\(s\), 2 parameter\(s\), 2 value\(s\), 7 skipped\n/);
    assert.match(text, /\n {2}pg-password \(secret\): generated, unused\n/);
    assert.match(text, /\n {2}frontend \(project\.v0\): needs skipped resource api via expression \{api\.bindings\.http\.url\}\n/);
  });

  it("shows each service's source, dependencies and endpoints with the port others reach it on", () => {
    const g = serviceGraph(parseManifest(manifestText("kafka"), "kafka.json"), { file: "kafka.json", images: { producer: "registry.example.com/producer:1" } });
    assert.equal(
      describeGraph(g),
      [
        "kafka.json: 4 service(s), 0 parameter(s), 0 value(s), 0 skipped",
        "",
        "services (in start order):",
        "  kafka (container.v0): image docker.io/confluentinc/confluent-local:8.1.1",
        "    tcp: tcp://kafka:9092",
        "    internal: tcp://kafka:9093",
        "  producer (project.v0): image registry.example.com/producer:1, after kafka",
        "  consumer (project.v0): project ../Consumer/Consumer.csproj (to build, or pass its image), after kafka",
        "  kafka2 (container.v0): image docker.io/confluentinc/confluent-local:8.1.1",
        "    tcp: tcp://kafka2:9092",
        "    internal: tcp://kafka2:9093",
        "",
      ].join("\n"),
    );
  });
});

describe("images and registry mirrors", () => {
  const DIGEST = `sha256:${"a".repeat(64)}`;
  const rules = ["docker.io=nexus.example.com:8443/docker-hub", "MCR.Microsoft.com=nexus.example.com:8443/mcr"];

  it("an override or project image names a tag or a digest", () => {
    for (const ref of ["redis:7", `redis@${DIGEST}`, "registry.example.com:5000/shop/api:1", `[::1]:5000/shop/api@${DIGEST}`]) assert.ok(isPinnedImageRef(ref), ref);
    for (const ref of ["redis", "registry.example.com/Shop/api:1", "redis:", "redis@sha256:abc"]) assert.ok(!isPinnedImageRef(ref), ref);
  });

  it("sends Docker Hub images, however written, and other registries' through their rule; other registries as written", () => {
    for (const [ref, expected] of [
      ["redis:7.2.4", "nexus.example.com:8443/docker-hub/library/redis:7.2.4"],
      ["docker.io/library/postgres:16.2", "nexus.example.com:8443/docker-hub/library/postgres:16.2"],
      ["docker.io/postgres:16.2", "nexus.example.com:8443/docker-hub/library/postgres:16.2"],
      ["index.docker.io/valkey/valkey:9.0", "nexus.example.com:8443/docker-hub/valkey/valkey:9.0"],
      [`mcr.microsoft.com/dotnet/sdk:9.0@${DIGEST}`, `nexus.example.com:8443/mcr/dotnet/sdk:9.0@${DIGEST}`],
      ["ghcr.io/microsoft/garnet:1.0", "ghcr.io/microsoft/garnet:1.0"],
      ["not a reference", "not a reference"],
    ])
      assert.equal(mirrored(ref, rules), expected, ref);
  });

  it("refuses a rule that is not registry=prefix", () => {
    assert.deepEqual(parseRegistryMirrors(["index.docker.io=nexus:8443/hub"]), [{ registry: "docker.io", prefix: "nexus:8443/hub" }]);
    for (const rule of ["docker.io", "=nexus:8443/hub", "docker.io=", "docker.io=nexus:8443/hub/", "docker=nexus:8443/hub", "docker.io=https://nexus/hub"])
      assert.throws(() => parseRegistryMirrors([rule]), { message: new RegExp(`"${rule.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}" is not registry=prefix`) }, rule);
  });
});
