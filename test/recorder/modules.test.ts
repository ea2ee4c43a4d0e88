// Recorded query graphs of this repository's own modules: what each function would ask the
// engine to do. Structure only — a recording never proves that the containers work.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { NodeToolchain } from "../../modules/node-toolchain/src/index.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { record } from "./record.js";

const CONFIG = readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8");
const CONFIG_LEAF = 'directory.file(path: "pipeline.yaml").contents';

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
    ]);
  });
});

describe("recorded graph of the root module pipeline", () => {
  it("check: reads pipeline.yaml, calls node-toolchain with the config's npm mirror and the component's folder", async () => {
    bindDependency("node-toolchain", currentApi(readModule(join(ROOT, "modules/node-toolchain"))));
    const { graph } = await record(async () => (await new Pipeline(dag.directory(), "pipeline.yaml").check("backend", "unit")).stdout(), { [CONFIG_LEAF]: CONFIG });
    assert.deepEqual(graph.leaves, [
      CONFIG_LEAF,
      // The SDK resolves an object argument to its ID before sending the call that uses it.
      'directory.directory(path: "backend").id',
      'nodeToolchain(registry: "https://nexus.example.com/repository/npm-group/").run(script: "test", source: directory.directory(path: "backend")).stdout',
    ]);
  });

  it("check: a component of a toolchain without runnable checks is refused by name, before any container", async () => {
    const { result, graph } = await record(async () => new Pipeline(dag.directory()).check("db", "unit").catch((e: Error) => e.message), { [CONFIG_LEAF]: CONFIG });
    assert.equal(result, "component: db uses toolchain flyway, whose checks are not runnable in this version; runnable toolchains: node");
    assert.deepEqual(graph.leaves, [CONFIG_LEAF]);
  });
});
