// Manifests compared with service graphs written by hand (test/fixtures/aspire/expected/<name>.ts),
// each worked out from the manifest by the rules in modules/aspire/src/graph.ts, not pasted from
// the code's output. A difference is either a bug or a rule to reconsider, never a file to regenerate.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type GraphOptions, serviceGraph } from "../../modules/aspire/src/graph.js";
import { parseManifest } from "../../modules/aspire/src/manifest.js";
import type { ServiceGraph } from "../../modules/aspire/src/types.js";
import { firstChoice, manifestText } from "./fixtures.js";

const EXPECTED = [
  "redis",
  "kafka",
  "mysql",
  "databasemigration",
  "postgresendtoend",
  "postgresendtoend@2024-05-02",
  "withdockerfile",
  "parameterendtoend",
  "externalservices",
  "waitfor",
  "aspirewithnode",
  "pre-ga-2023",
];

describe("service graphs of manifests, against graphs written by hand", () => {
  for (const name of EXPECTED) {
    it(`${name}`, async () => {
      const { options, graph } = (await import(`../fixtures/aspire/expected/${name}.ts`)) as { options: GraphOptions; graph: ServiceGraph };
      const file = `${name}.json`;
      const text = name.startsWith("pre-ga") ? manifestText(`pre-ga/${name}.json`) : manifestText(name);
      const actual = serviceGraph(parseManifest(text, file), { file, random: firstChoice, ...options });
      // Service by service first: a difference then names the service.
      assert.deepEqual(
        actual.services.map((s) => s.name),
        graph.services.map((s) => s.name),
        "services in start order",
      );
      for (const [i, s] of graph.services.entries()) assert.deepEqual(actual.services[i], s, `service ${s.name}`);
      assert.deepEqual(actual.parameters, graph.parameters, "parameters");
      assert.deepEqual(actual.values, graph.values, "values");
      assert.deepEqual(actual.skipped, graph.skipped, "skipped");
      assert.deepEqual(actual, graph);
    });
  }
});
