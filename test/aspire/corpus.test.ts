// All 20 real manifests of the corpus: each turns into a service graph in which every resource is
// accounted for (a service, a parameter, a value, or skipped with a reason), and the services and
// skipped resources are the ones worked out by hand from each manifest below.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AspireManifestError } from "../../modules/aspire/src/errors.js";
import { type GraphOptions, serviceGraph } from "../../modules/aspire/src/graph.js";
import { parseManifest } from "../../modules/aspire/src/manifest.js";
import { ROOT } from "../tiers/modules.js";
import { ASPIRE_FIXTURES, corpusFiles, firstChoice, manifestText, shortName } from "./fixtures.js";

interface Expectation {
  /** What the caller passes: the parameters a running service needs, as the error without them says. */
  options: GraphOptions;
  /** Services in start order. */
  services: string[];
  /** Skipped resources, in manifest order; "*" entries: every other resource but these. */
  skipped: string[] | { allBut: string[] };
}

// Worked out from each manifest: azure.* resources, resources without type and whatever refers to
// them are skipped; deployment blocks are ignored; parameters and values that work stay.
const EXPECTED: Record<string, Expectation> = {
  aspirewithnode: { options: { parameters: { pass: "s3cret-but-not-secret" } }, services: ["cache", "weatherapi", "frontend"], skipped: [] },
  azurecontainerapps: {
    options: {},
    // cache (its deployment block is Azure's, not its own) and pythonapp run; api uses storage, account, account-kv, api-identity outputs.
    services: ["cache", "pythonapp"],
    skipped: ["infra-acr", "infra", "account", "account-kv", "db", "storage", "blobs", "api", "api-identity", "api-roles-storage", "api-roles-account-kv"],
  },
  azurefunctionsendtoend: { options: {}, services: [], skipped: { allBut: [] } },
  // The two *-uri-encoded values filter parameters that have no value and that no running service needs.
  bicep: { options: {}, services: [], skipped: { allBut: ["val", "administratorLogin", "administratorLoginPassword"] } },
  cdk: { options: {}, services: [], skipped: { allBut: ["storagesku", "locationOverride", "signaturesecret", "pgsqlAdministratorLogin", "pgsqlAdministratorLoginPassword"] } },
  customresources: { options: {}, services: [], skipped: ["talking-clock-tick-hand", "talking-clock-tock-hand"] },
  databasemigration: { options: {}, services: ["sql1", "api", "migration"], skipped: [] },
  deployers: {
    options: { parameters: { computeParam: "c", parameterWithDefault: "d", buildVersion: "1.2.3" }, secrets: ["secretParam", "buildSecret"] },
    // functions-api-service and func-app use Event Hubs, Service Bus, Cosmos DB and storage outputs.
    services: ["cache", "api-service", "python-app"],
    skipped: {
      allBut: [
        "computeParam",
        "secretParam",
        "parameterWithDefault",
        "buildVersion",
        "buildSecret",
        "existingEventHubName",
        "existingEventHubResourceGroup",
        "cache",
        "api-service",
        "python-app",
        "cache-password",
        "cond-cache-bindings-tcp-tlsenabled-3eddb73a",
      ],
    },
  },
  dotnettool: {
    options: { secrets: ["secret"] },
    services: [
      "simpleUsage",
      "wildcard",
      "prerelease",
      "sameToolDifferentVersion1",
      "sameToolDifferentVersion2",
      "sametoolconcurrency-0",
      "sametoolconcurrency-1",
      "sametoolconcurrency-2",
      "sametoolconcurrency-3",
      "sametoolconcurrency-4",
      "substituted",
      "offlineSimpleUsage",
      "offlineWildcard",
      "offlinePrerelease",
      "secretArg",
      "incompatibleSdk",
    ],
    skipped: [],
  },
  externalservices: { options: { parameters: { "external-service-url": "https://example.com/" } }, services: ["gateway", "frontend"], skipped: [] },
  healthchecks: { options: {}, services: [], skipped: [] },
  kafka: { options: {}, services: ["kafka", "producer", "consumer", "kafka2"], skipped: [] },
  mysql: { options: {}, services: ["mysql", "apiservice"], skipped: [] },
  // Aspire 13 writes {sql.bindings.tcp.*} for a SQL Server published as a connection string (a
  // parameter, without bindings): a dangling reference, which the caller here asks to skip.
  parameterendtoend: { options: { dangling: "skip", parameters: { insertionrows: "10" }, secrets: ["sql"] }, services: [], skipped: ["cs", "api"] },
  postgresendtoend: {
    options: {},
    // pg is Azure PostgreSQL; only mvn-clean (an executable with no references) is left.
    services: ["mvn-clean"],
    skipped: ["pg", "db1", "dotnet", "pythonservice", "nodeservice", "javaservice", "pg-roles"],
  },
  "postgresendtoend@2024-05-02": { options: { secrets: ["pg10"] }, services: ["pg1", "pg2", "pg3", "pg4", "pg5", "pg6", "api"], skipped: [] },
  redis: { options: {}, services: ["redis", "garnet", "valkey", "apiservice"], skipped: [] },
  waitfor: { options: {}, services: [], skipped: ["pg", "pg-kv", "db", "dbsetup", "api", "frontend", "pg-kv-roles"] },
  withdockerfile: {
    options: { parameters: { goversion: "1.23" }, secrets: ["secret"] },
    services: ["mycontainer", "dynamic-sync", "dynamic-async", "builder-sync", "builder-async"],
    skipped: ["docker-compose"],
  },
  // rabbitmq's connection string uses {rabbitmq-password-uri-encoded.value}, a resource this
  // manifest does not have; integrationservicea uses rabbitmq and Azure Cosmos DB.
  testproject: {
    options: { dangling: "skip" },
    services: ["servicea", "serviceb", "servicec", "workera", "nodeapp", "npmapp", "sqlserver", "mysql", "redis", "valkey", "postgres", "oracledatabase", "kafka"],
    skipped: ["integrationservicea", "rabbitmq", "cosmos"],
  },
};

describe("Aspire manifests of the corpus (dotnet/aspire playground and tests)", () => {
  it("the fixtures are the twenty corpus manifests, each with an expectation here", () => {
    assert.equal(corpusFiles().length, 20);
    assert.deepEqual(corpusFiles().map(shortName).sort(), Object.keys(EXPECTED).sort());
  });

  for (const file of corpusFiles()) {
    const name = shortName(file);
    const expected = EXPECTED[name];
    it(`${name}: every resource is a service, a parameter, a value or skipped with a reason; services and skips as worked out by hand`, () => {
      const manifest = parseManifest(manifestText(file), file);
      const graph = serviceGraph(manifest, { file, random: firstChoice, ...expected.options });
      const resources = Object.keys(manifest.resources);
      const accounted = [
        ...graph.services.map((s) => s.name),
        // A pre-GA input of a container is named container.input: the container accounts for it.
        ...graph.parameters.map((p) => p.name).filter((p) => resources.includes(p)),
        ...graph.values.map((v) => v.name),
        ...graph.skipped.map((s) => s.name),
      ];
      assert.deepEqual([...accounted].sort(), [...resources].sort(), "each resource exactly once");
      for (const s of graph.skipped) assert.ok(s.reason.length > 20, `${s.name}: a reason that says something (${s.reason})`);
      assert.deepEqual(
        graph.services.map((s) => s.name),
        expected.services,
      );
      const skipped = Array.isArray(expected.skipped) ? expected.skipped : resources.filter((r) => !(expected.skipped as { allBut: string[] }).allBut.includes(r));
      assert.deepEqual(
        graph.skipped.map((s) => s.name),
        skipped,
      );
    });
  }

  it("without the parameters a running service needs, the manifests that need them are refused, naming the parameter and how to pass it", () => {
    for (const [name, e] of Object.entries(EXPECTED)) {
      // parameterendtoend's api is skipped for its dangling references, so no running service needs its parameters.
      if ((!e.options.parameters && !e.options.secrets) || name === "parameterendtoend") continue;
      const file = corpusFiles().find((f) => shortName(f) === name) as string;
      const manifest = parseManifest(manifestText(file), file);
      const missing = [...Object.keys(e.options.parameters ?? {}), ...(e.options.secrets ?? [])];
      assert.throws(
        () => serviceGraph(manifest, { file, random: firstChoice, ...e.options, parameters: {}, secrets: [] }),
        (err: unknown) => err instanceof AspireManifestError && missing.every((p) => err.message.includes(`parameter ${p} has no value and no default`)) && err.message.startsWith(`${file}: `),
        name,
      );
    }
  });

  it("the dangling references of parameterendtoend and testproject are refused unless the caller asks to skip them", () => {
    assert.throws(
      () => serviceGraph(parseManifest(manifestText("testproject"), "testproject.json"), { file: "testproject.json" }),
      new AspireManifestError(
        "testproject.json",
        'rabbitmq.connectionString: dangling reference {rabbitmq-password-uri-encoded.value}: no resource is named "rabbitmq-password-uri-encoded" (pass dangling: "skip" to skip the resources that use it instead)',
      ),
    );
    assert.throws(
      () => serviceGraph(parseManifest(manifestText("parameterendtoend"), "p.json"), { file: "p.json", parameters: { insertionrows: "1" }, secrets: ["sql"] }),
      /^AspireManifestError: p\.json: cs\.connectionString: dangling reference \{sql\.bindings\.tcp\.url\}: sql is a parameter\.v0 and has no bindings/,
    );
  });

  // The shared corpus sits beside the repository on development machines (../shared), not in every
  // checkout: the copies are pinned by SHA256SUMS (written when they were copied) and compared with
  // the corpus itself wherever it is present.
  const CORPUS = join(ROOT, "..", "shared", "corpora", "aspire");
  it("the copies are the corpus files, byte for byte (SHA256SUMS, and the corpus when present)", () => {
    const sums = readFileSync(join(ASPIRE_FIXTURES, "SHA256SUMS"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/));
    assert.deepEqual(sums.map(([, f]) => f).sort(), corpusFiles());
    for (const [sum, f] of sums)
      assert.equal(
        createHash("sha256")
          .update(readFileSync(join(ASPIRE_FIXTURES, f)))
          .digest("hex"),
        sum,
        f,
      );
    if (!existsSync(CORPUS)) return;
    assert.deepEqual(
      readdirSync(CORPUS)
        .filter((f) => f.endsWith(".json"))
        .sort(),
      corpusFiles(),
    );
    for (const f of corpusFiles()) assert.equal(readFileSync(join(ASPIRE_FIXTURES, f), "utf8"), readFileSync(join(CORPUS, f), "utf8"), f);
  });
});
