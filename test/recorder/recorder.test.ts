// Tests for the query recorder. Run from the repository root:
//   node --import tsx --test test/recorder/recorder.test.ts
import { connect, dag, type ContainerID } from "@dagger.io/dagger";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { backendPipeline, FIXTURE_SECRET_PLAINTEXT } from "./fixture/pipeline.js";
import type { Graph } from "./graph.js";
import { BOOLEAN_LEAVES, ID_LEAVES, LIST_FIELDS, NUMBER_LEAVES, VOID_LEAVES } from "./leaves.js";
import { NO_ENGINE_CLI } from "./guard.js";
import { record } from "./record.js";
import { startRecorder } from "./server.js";

// Written by hand from the fixture's code, not copied from a run: this is what the code should ask for.
const POSTGRES_SERVICE = 'container.from(address: "registry.local/postgres:15").withExposedPort(port: 5432).asService';
const TESTED =
  'container.from(address: "registry.local/node:22-slim")' +
  '.withMountedCache(cache: cacheVolume(key: "npm-cache"), path: "/root/.npm")' +
  '.withDirectory(path: "/src", source: directory.withNewFile(contents: "x", path: "a.txt"))' +
  '.withWorkdir(path: "/src")' +
  '.withEnvVariable(name: "CI", value: "true")' +
  '.withSecretVariable(name: "NPM_TOKEN", secret: setSecret(name: "npm-token"))' +
  `.withServiceBinding(alias: "db", service: ${POSTGRES_SERVICE})` +
  '.withExec(args: ["npm", "ci"])' +
  '.withExec(args: ["npm", "test"])';

const EXPECTED: Graph = {
  leaves: [
    // The SDK first turns each object argument into an ID, in the order the chain uses them.
    'cacheVolume(key: "npm-cache").id',
    'directory.withNewFile(contents: "x", path: "a.txt").id',
    'setSecret(name: "npm-token").id',
    `${POSTGRES_SERVICE}.id`,
    `${TESTED}.stdout`,
    `${TESTED}.publish(address: "registry.local/shop/backend:abc123")`,
    `${TESTED}.sync`,
  ],
  containers: [
    {
      from: "registry.local/node:22-slim",
      ops: [
        { op: "withMountedCache", path: "/root/.npm", cache: "npm-cache" },
        { op: "withDirectory", path: "/src", source: 'directory.withNewFile(contents: "x", path: "a.txt")' },
        { op: "withWorkdir", path: "/src" },
        { op: "withEnvVariable", name: "CI", value: "true" },
        { op: "withSecretVariable", name: "NPM_TOKEN", secret: "npm-token" },
        { op: "withServiceBinding", alias: "db", service: POSTGRES_SERVICE },
        { op: "withExec", args: ["npm", "ci"] },
        { op: "withExec", args: ["npm", "test"] },
      ],
      evaluated: ["publish", "stdout", "sync"],
      published: ["registry.local/shop/backend:abc123"],
      asService: false,
    },
    {
      from: "registry.local/postgres:15",
      ops: [{ op: "withExposedPort", port: 5432 }],
      evaluated: [],
      published: [],
      asService: true,
    },
  ],
  services: [{ service: POSTGRES_SERVICE, from: "registry.local/postgres:15", exposedPorts: [5432], boundAs: ["db"] }],
  cacheVolumes: ["npm-cache"],
  secrets: ["npm-token"],
  published: ["registry.local/shop/backend:abc123"],
};

test("the fixture pipeline records exactly the expected graph", async () => {
  const { result, graph } = await record(() => backendPipeline());
  assert.deepStrictEqual(graph, EXPECTED);
  assert.equal(result.stdout, "");
  // A fake digest, deterministic and marked by its 16 leading zeros.
  assert.equal(result.ref, "registry.local/shop/backend:abc123@sha256:0000000000000000a4c3a0fbd12f277439fb91fce86d25f899b388afbc2866c3");
});

test("a changed chain no longer matches the expected graph", async () => {
  // The comparison itself: an expectation with another base image must fail.
  const otherBase = structuredClone(EXPECTED);
  otherBase.containers[0].from = "registry.local/node:20-slim";
  const { graph } = await record(() => backendPipeline());
  assert.throws(() => assert.deepStrictEqual(graph, otherBase), assert.AssertionError);

  // And the recording: changing the code's base image and tag changes the graph, and only there.
  const changed = await record(() => backendPipeline({ nodeImage: "registry.local/node:20-slim", sha: "def456" }));
  assert.throws(() => assert.deepStrictEqual(changed.graph, EXPECTED), assert.AssertionError);
  assert.equal(changed.graph.containers[0].from, "registry.local/node:20-slim");
  assert.deepStrictEqual(changed.graph.published, ["registry.local/shop/backend:def456"]);
  assert.deepStrictEqual(changed.graph.containers[0].ops, EXPECTED.containers[0].ops);
});

test("secret plaintext never reaches the graph or the recorded chains", async () => {
  const { graph, queries } = await record(() => backendPipeline());
  assert.ok(!JSON.stringify(graph).includes(FIXTURE_SECRET_PLAINTEXT));
  // The chains include those decoded from IDs, so this also shows no minted ID carries the plaintext.
  assert.ok(!JSON.stringify(queries.map((q) => q.leaves)).includes(FIXTURE_SECRET_PLAINTEXT));
  assert.deepStrictEqual(graph.secrets, ["npm-token"]);
  // A fact of the SDK, not of the recorder: setSecret sends the plaintext to the engine in the query
  // text, once. The raw query texts are therefore as sensitive as the secret; the graph is not.
  const raw = queries.filter((q) => q.query.includes(FIXTURE_SECRET_PLAINTEXT));
  assert.equal(raw.length, 1);
  assert.match(raw[0].query, /setSecret \(name: "npm-token",plaintext: "s3cr3t-value"\)/);
});

test("the server rejects a missing or wrong token and answers the right one", async () => {
  const recorder = await startRecorder("right-token");
  try {
    const post = (authorization?: string) =>
      fetch(`http://127.0.0.1:${recorder.port}/query`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query: '{ container { from(address: "alpine") { stdout } } }' }),
      });
    const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString("base64")}`;
    assert.equal((await post()).status, 401);
    assert.equal((await post(basic("wrong-token"))).status, 401);
    const ok = await post(basic("right-token"));
    assert.equal(ok.status, 200);
    assert.deepStrictEqual(await ok.json(), { data: { container: { from: { stdout: "" } } } });
    assert.equal(recorder.rejected, 2);
    assert.equal(recorder.queries.length, 1); // refused requests are not recorded
  } finally {
    await recorder.close();
  }
});

test("IDs sent back by the SDK resolve to their chains (loadXFromID, node after sync)", async () => {
  const { result, graph } = await record(async () => {
    const id = await dag.container().from("alpine").id();
    // 0.21.9 declares Container.id() as the generic ID; loadContainerFromID wants the branded one.
    const exitCode = await dag
      .loadContainerFromID(id as unknown as ContainerID)
      .withExec(["true"])
      .exitCode();
    const synced = await dag.container().from("alpine").withExec(["ls"]).sync();
    const entries = await synced.directory("/").entries(); // sent as node(id:) { ... on Container { ... } }
    return { exitCode, entries };
  });
  assert.deepStrictEqual(result, { exitCode: 0, entries: [] });
  assert.deepStrictEqual(graph.leaves, [
    'container.from(address: "alpine").id',
    'container.from(address: "alpine").withExec(args: ["true"]).exitCode',
    'container.from(address: "alpine").withExec(args: ["ls"]).sync',
    'container.from(address: "alpine").withExec(args: ["ls"]).directory(path: "/").entries',
  ]);
});

test("an ID the recorder did not mint is a loud GraphQL error, and is recorded", async () => {
  await assert.rejects(
    record(() => dag.loadContainerFromID("foreign-id" as ContainerID).stdout()),
    /was not minted by this recorder/,
  );
  // The server side of the same failure: an error answer, and the query kept for diagnosis.
  const recorder = await startRecorder("t");
  try {
    const response = await fetch(`http://127.0.0.1:${recorder.port}/query`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("t:").toString("base64")}` },
      body: JSON.stringify({ query: '{ loadContainerFromID(id: "foreign-id") { stdout } }' }),
    });
    const body = (await response.json()) as { data: unknown; errors: Array<{ message: string }> };
    assert.equal(body.data, null);
    assert.match(body.errors[0].message, /"foreign-id" in loadContainerFromID was not minted by this recorder/);
    assert.equal(recorder.queries.length, 1);
    assert.match(recorder.queries[0].error ?? "", /was not minted/);
    assert.deepStrictEqual(recorder.queries[0].leaves, []);
  } finally {
    await recorder.close();
  }
});

test("a Dockerfile build is summarised as a container with a dockerBuild op", async () => {
  const { graph } = await record(() => dag.directory().withNewFile("Dockerfile", "FROM x").dockerBuild({ target: "prod" }).publish("registry.local/app:1"));
  assert.deepStrictEqual(graph.containers, [
    {
      from: null,
      ops: [{ op: "dockerBuild", context: 'directory.withNewFile(contents: "FROM x", path: "Dockerfile")', target: "prod" }],
      evaluated: ["publish"],
      published: ["registry.local/app:1"],
      asService: false,
    },
  ]);
});

test("record() runs repeatedly in one process, refuses overlap, and restores the SDK state", async () => {
  const saved = { port: process.env.DAGGER_SESSION_PORT, token: process.env.DAGGER_SESSION_TOKEN };
  try {
    delete process.env.DAGGER_SESSION_PORT;
    delete process.env.DAGGER_SESSION_TOKEN;
    const first = await record(() => backendPipeline());
    const second = await record(() => backendPipeline());
    assert.deepStrictEqual(second.graph, first.graph);
    assert.equal(process.env.DAGGER_SESSION_PORT, undefined); // unset before, unset after

    // Values set before record() (say, by a surrounding dagger session) come back afterwards.
    process.env.DAGGER_SESSION_PORT = "1";
    process.env.DAGGER_SESSION_TOKEN = "outer-token";
    const inside = await record(async () => [process.env.DAGGER_SESSION_PORT, process.env.DAGGER_SESSION_TOKEN]);
    assert.notDeepStrictEqual(inside.result, ["1", "outer-token"]);
    assert.equal(process.env.DAGGER_SESSION_PORT, "1");
    assert.equal(process.env.DAGGER_SESSION_TOKEN, "outer-token");
  } finally {
    restoreEnv("DAGGER_SESSION_PORT", saved.port);
    restoreEnv("DAGGER_SESSION_TOKEN", saved.token);
  }

  await assert.rejects(
    record(() => record(() => dag.container().from("alpine").stdout())),
    /record\(\) is already running/,
  );
  // Outside record() the global `dag` has no connection at all, so it cannot reach anything.
  await assert.rejects(dag.container().from("alpine").stdout(), /GraphQL client is not set/);
});

test("outside record(), the SDK refuses to provision an engine instead of downloading one", async () => {
  // Checked first: without the guard, the call below would really try to download the CLI.
  assert.equal(process.env._EXPERIMENTAL_DAGGER_CLI_BIN, NO_ENGINE_CLI);
  const saved = process.env.DAGGER_SESSION_PORT;
  delete process.env.DAGGER_SESSION_PORT; // the path on which the SDK would download and start the CLI
  try {
    await assert.rejects(
      connect(async () => undefined),
      /forbidden in tests/,
    );
  } finally {
    restoreEnv("DAGGER_SESSION_PORT", saved);
  }
});

test("the leaf tables agree with the SDK's declared return types", () => {
  const dts = join(dirname(createRequire(import.meta.url).resolve("@dagger.io/dagger")), "api/client.gen.d.ts");
  const declared = new Map<string, Set<string>>();
  for (const line of readFileSync(dts, "utf8").split("\n")) {
    const m = /^\s+(\w+)(?::\s*\(.*\)\s*=>|\(.*\):)\s*Promise<(.+)>;$/.exec(line);
    if (m) declared.set(m[1], (declared.get(m[1]) ?? new Set()).add(m[2]));
  }
  const all = (name: string, ok: (t: string) => boolean) => [...(declared.get(name) ?? [])].every(ok);
  const isList = (t: string) => t.endsWith("[]");
  const tables: Array<[Set<string>, (t: string) => boolean]> = [
    [NUMBER_LEAVES, (t) => t === "number"],
    [BOOLEAN_LEAVES, (t) => t === "boolean"],
    [LIST_FIELDS, isList],
    [VOID_LEAVES, (t) => t === "void"],
  ];
  for (const [table, ok] of tables) {
    for (const name of table) assert.ok(declared.has(name) && all(name, ok), `${name}: ${[...(declared.get(name) ?? [])]}`);
    // Complete as well as correct: no leaf of that type falls through to the "" default.
    for (const name of declared.keys()) if (all(name, ok)) assert.ok(table.has(name), `${name} missing`);
  }
  // Object-returning leaves answer IDs; `start` is also a number elsewhere (the Service one is what pipelines use).
  for (const name of ID_LEAVES)
    assert.ok(
      all(name, (t) => /^[A-Z]/.test(t) || (name === "start" && t === "number")),
      name,
    );
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
