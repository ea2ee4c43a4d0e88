// Cache volumes live in the engine until pruned: a key made per run (…-<runId>) creates a new
// volume every run that no later run reuses or removes. No cache volume key may carry a run id;
// what is per run lives in a subdirectory of a stable volume or in a temporary mount.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { Aspire } from "../../modules/aspire/src/index.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
/** randomUUID()'s shape: what the stages and the aspire module use as run ids. */
const RUN_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
/** A service with a named and an anonymous volume, as an AppHost's WithDataVolume writes them. */
const MANIFEST = JSON.stringify({
  resources: {
    cache: {
      type: "container.v0",
      image: "redis:7.4",
      volumes: [
        { name: "cache-data", target: "/data", readOnly: false },
        { target: "/scratch", readOnly: false },
      ],
      bindings: { tcp: { scheme: "tcp", protocol: "tcp", transport: "tcp", targetPort: 6379 } },
    },
  },
});

describe("cache volumes", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("item 13: no cache volume key carries a run id (E2E service logs, Aspire service volumes)", async () => {
    const e2e = await record(async () => (await new Pipeline(dag.directory()).e2e(SHA)).passed, exampleEngine());
    const aspire = await record(
      async () => (await new Aspire(dag.directory(), "m.json").test(dag.container().from("alpine:3.20"), ["true"])).passed,
      (leaf) => (leaf.endsWith('file(path: "m.json").contents') ? MANIFEST : undefined),
    );
    assert.ok(
      e2e.graph.leaves.some((l) => /pipeline-e2e-logs/.test(l)),
      "E2E keeps the services' logs",
    );
    assert.ok(
      aspire.graph.leaves.some((l) => l.includes('"/data"') && l.includes('"/scratch"')),
      "the Aspire service mounts its volumes",
    );
    for (const [name, run] of Object.entries({ e2e, aspire })) {
      const keys = [...new Set(run.graph.leaves.flatMap((l) => [...l.matchAll(/cacheVolume\(key: "([^"]+)"\)/g)].map((m) => m[1])))];
      assert.deepEqual(
        keys.filter((k) => RUN_ID.test(k)),
        [],
        `${name}: cache volumes per run`,
      );
      assert.deepEqual(
        run.graph.cacheVolumes.filter((k) => RUN_ID.test(k)),
        [],
        `${name}: cache volumes per run (graph)`,
      );
    }
  });
});
