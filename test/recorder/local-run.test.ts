// A local `dagger call ci` (no --branch) builds the working tree as it is, uncommitted edits and
// all: what it builds is not what the revision names. It must never publish, even when a registry
// token reaches it (from a flag or from a copied .env).
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("a local ci run", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("item 18: without --branch, ci publishes nothing even with a registry token, and says why", async () => {
    // The registry client speaks HTTP from the function. The build stage may read (is an image of the
    // same inputs published? then reuse it); any write would be a publish.
    const real = globalThis.fetch;
    const writes: string[] = [];
    globalThis.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
      const method = (init?.method ?? (url instanceof Request ? url.method : "GET")).toUpperCase();
      if (method !== "GET" && method !== "HEAD") writes.push(`${method} ${String(url instanceof Request ? url.url : url)}`);
      return new Response(null, { status: 404 });
    }) as typeof fetch;
    try {
      const { result, graph } = await record(async () => {
        const run = await new Pipeline(dag.directory()).ci(SHA, dag.setSecret("registry-token", "t0ken"));
        return { summary: run.summary, passed: run.passed };
      }, exampleEngine());
      assert.deepEqual(graph.published, [], "nothing is pushed");
      assert.deepEqual(writes, [], "nothing is written to a registry");
      assert.match(
        result.summary,
        /^\| publish \| ⏹️ not started, because no --branch was given \(a local run builds the working tree, which may differ from 0123456789ab\): pass --branch to publish \|$/m,
      );
    } finally {
      globalThis.fetch = real;
    }
  });
});
