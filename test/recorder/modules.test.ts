// Recorded query graphs of this repository's own modules: what each function would ask the
// engine to do. Structure only — a recording never proves that the containers work.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { nodeDockerfile } from "../../modules/node-toolchain/src/dockerfile.js";
import { NodeToolchain } from "../../modules/node-toolchain/src/index.js";
import { DOCKERIGNORE, imageSpec } from "../../modules/node-toolchain/src/package-spec.js";
import { ROOT } from "../tiers/modules.js";
import { record } from "./record.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const BACKEND_PKG = readFileSync(join(ROOT, "examples/webshop/backend/package.json"), "utf8");

describe("recorded graph of modules/node-toolchain", () => {
  it("run: mirror registry, npm cache volume, manifests before sources, npm ci then the script", async () => {
    const { graph } = await record(async () => new NodeToolchain("registry.local/library/node:22-bookworm-slim", "http://npm.mirror.local/").run(dag.directory(), "test").stdout());
    assert.deepEqual(graph.cacheVolumes, ["node-toolchain-npm-cache"]);
    assert.equal(graph.containers.length, 1);
    const [ctr] = graph.containers;
    assert.equal(ctr.from, "registry.local/library/node:22-bookworm-slim");
    assert.deepEqual(ctr.ops, [
      { op: "withMountedCache", cache: "node-toolchain-npm-cache", path: "/root/.npm" },
      { op: "withEnvVariable", name: "CI", value: "true" },
      { op: "withEnvVariable", name: "npm_config_update_notifier", value: "false" },
      { op: "withEnvVariable", name: "npm_config_registry", value: "http://npm.mirror.local/" },
      { op: "withWorkdir", path: "/app" },
      // Manifests first, so a source-only change keeps the cached npm ci.
      { op: "withDirectory", path: "/app", source: "directory", include: ["package.json", "package-lock.json", ".npmrc"], exclude: [] },
      { op: "withExec", args: ["npm", "ci", "--no-audit", "--no-fund"] },
      { op: "withDirectory", path: "/app", source: "directory", exclude: ["node_modules", "dist", ".git"] },
      { op: "withExec", args: ["npm", "run", "test"] },
    ]);
    assert.deepEqual(ctr.evaluated, ["stdout"]);
  });

  it("without a mirror, npm keeps its default registry", async () => {
    const { graph } = await record(async () => new NodeToolchain().base().sync());
    assert.equal(graph.containers[0].from, "node:22-bookworm-slim");
    assert.deepEqual(graph.containers[0].ops, [
      { op: "withMountedCache", cache: "node-toolchain-npm-cache", path: "/root/.npm" },
      { op: "withEnvVariable", name: "CI", value: "true" },
      { op: "withEnvVariable", name: "npm_config_update_notifier", value: "false" },
    ]);
  });
});

describe("recorded graph of node-toolchain check and build", () => {
  it("check: a run id and JUnit reporters before the script, which may fail without failing the call", async () => {
    const { graph } = await record(async () => new NodeToolchain("node:22-bookworm-slim").check(dag.directory(), "test", true, "run-1").exitCode());
    assert.deepEqual(graph.containers[0].ops.slice(-4), [
      { op: "withEnvVariable", name: "PIPELINE_RUN_ID", value: "run-1" },
      { op: "withExec", args: ["mkdir", "-p", "/reports"] },
      {
        op: "withEnvVariable",
        name: "NODE_OPTIONS",
        value: "--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=/reports/junit.xml",
      },
      { op: "withExec", args: ["npm", "run", "test"], expect: "ANY" },
    ]);
  });

  it("build: dockerBuild of exactly the generated Dockerfile, mirror build args, the .npmrc secret by name only", async () => {
    const token = "SECRET-TOKEN-canary";
    const { graph, queries } = await record(
      async () =>
        (
          await new NodeToolchain("mirror.local/library/node:22-bookworm-slim", "http://npm.mirror.local/", dag.setSecret("npmrc-in", `//npm.mirror.local/:_authToken=${token}`)).build(
            dag.directory(),
            SHA,
            "2026-11-22T00:00:00Z",
            "https://git.example/shop",
          )
        ).sync(),
      (leaf) => (leaf.endsWith('file(path: "package.json").contents') ? BACKEND_PKG : leaf.endsWith(".plaintext") ? `//npm.mirror.local/:_authToken=${token}` : undefined),
    );
    const build = graph.containers[0].ops[0] as Record<string, unknown>;
    assert.equal(build.op, "dockerBuild");
    assert.equal(build.dockerfile, ".pipeline.Dockerfile");
    assert.deepEqual(build.buildArgs, [
      { name: "BASE_IMAGE", value: "mirror.local/library/node:22-bookworm-slim" },
      { name: "REVISION", value: SHA },
      { name: "VERSION", value: "1.2.0" },
      { name: "CREATED", value: "2026-11-22T00:00:00Z" },
      { name: "SOURCE", value: "https://git.example/shop" },
      { name: "NPM_REGISTRY", value: "http://npm.mirror.local/" },
    ]);
    // The very text the BuildKit tests build (npm run dockerfile prints the same function's output).
    const expected = nodeDockerfile(imageSpec(BACKEND_PKG, { files: ["dist"], port: 8080, healthPath: "/health", systemPackages: [] }).spec);
    assert.ok(String(build.context).includes(JSON.stringify(expected)), "the recorded build context holds the generated Dockerfile verbatim");
    assert.ok(String(build.context).includes(JSON.stringify(DOCKERIGNORE)));
    assert.deepEqual(graph.secrets, ["npmrc", "npmrc-in"]);
    assert.equal(JSON.stringify(graph).includes(token), false, "no secret value in the graph");
    // The SDK itself sends setSecret plaintext to the engine once per secret; that is the engine's to keep.
    assert.equal(queries.filter((q) => q.query.includes(token)).length, 2);
  });
});
