// Mutants of the resolver: a copy of modules/aspire/src with one rule broken must fail the
// hand-written expected graphs. A rule no expectation notices is a rule nothing tests.
import assert from "node:assert/strict";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { GraphOptions, serviceGraph as ServiceGraphFn } from "../../modules/aspire/src/graph.js";
import type { parseManifest as ParseFn } from "../../modules/aspire/src/manifest.js";
import type { ServiceGraph } from "../../modules/aspire/src/types.js";
import { ROOT } from "../tiers/modules.js";
import { firstChoice, manifestText } from "./fixtures.js";

// Inside the repository so that zod and yaml resolve from the root node_modules; one folder per process.
const DIR = join(ROOT, "build", `aspire-mutants-${process.pid}`);
after(() => rmSync(DIR, { recursive: true, force: true }));

const MUTANTS: { name: string; file: string; from: string; to: string }[] = [
  { name: "url-without-port", file: "resolve.ts", from: "return `${endpoint.scheme}://${service}:${endpoint.targetPort}`;", to: "return `${endpoint.scheme}://${service}`;" },
  {
    name: "port-is-host-port",
    file: "resolve.ts",
    from: 'case "port":\n    case "targetPort":\n      return String(endpoint.targetPort);',
    to: 'case "port":\n      return String(endpoint.port ?? 80);\n    case "targetPort":\n      return String(endpoint.targetPort);',
  },
  { name: "project-port-80", file: "endpoints.ts", from: "export const DEFAULT_PROJECT_PORT = 8080;", to: "export const DEFAULT_PROJECT_PORT = 80;" },
  { name: "secret-inlined", file: "resolve.ts", from: "if (p.secret) return { parts: [{ secret: p.name }]", to: "if (p.secret && false) return { parts: [{ secret: p.name }]" },
  { name: "uri-filter-dropped", file: "parts.ts", from: ": { secret: p.secret, filter }));", to: ": { secret: p.secret }));" },
  { name: "database-without-delimiter", file: "resolve.ts", from: 'const delimiter = last && "text" in last && last.text.endsWith(";") ? "" : ";";', to: 'const delimiter = "";' },
  { name: "self-dependency", file: "graph.ts", from: "[s.name, names.filter((n) => n !== s.name && ", to: "[s.name, names.filter((n) => " },
  { name: "skip-not-propagated", file: "graph.ts", from: "if (skipped.has(p.name) || usesSkipped(p).length === 0) continue;", to: "continue;" },
];

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

/** The names of the expected graphs a copy of the module gets wrong. */
async function failures(src: string): Promise<string[]> {
  const { serviceGraph } = (await import(pathToFileURL(join(src, "graph.ts")).href)) as { serviceGraph: typeof ServiceGraphFn };
  const { parseManifest } = (await import(pathToFileURL(join(src, "manifest.ts")).href)) as { parseManifest: typeof ParseFn };
  const failed: string[] = [];
  for (const name of EXPECTED) {
    const { options, graph } = (await import(`../fixtures/aspire/expected/${name}.ts`)) as { options: GraphOptions; graph: ServiceGraph };
    const file = `${name}.json`;
    try {
      const text = name.startsWith("pre-ga") ? manifestText(`pre-ga/${name}.json`) : manifestText(name);
      assert.deepEqual(serviceGraph(parseManifest(text, file), { file, random: firstChoice, ...options }), graph);
    } catch {
      failed.push(name);
    }
  }
  return failed;
}

describe("mutants of the resolver fail the hand-written graphs", () => {
  it("the unmutated copy passes them all (so a failure below is the mutation's)", async () => {
    const src = join(DIR, "original");
    cpSync(join(ROOT, "modules/aspire/src"), src, { recursive: true });
    assert.deepEqual(await failures(src), []);
  });

  for (const m of MUTANTS) {
    it(`${m.name}: caught`, async () => {
      const src = join(DIR, m.name);
      cpSync(join(ROOT, "modules/aspire/src"), src, { recursive: true });
      const path = join(src, m.file);
      const text = readFileSync(path, "utf8");
      // An edit that matches nothing would leave the copy unchanged and the test meaningless.
      assert.ok(text.includes(m.from), `${m.file} no longer contains the line this mutant edits`);
      writeFileSync(path, text.replace(m.from, m.to));
      const failed = await failures(src);
      assert.ok(failed.length > 0, "no expected graph noticed the mutation");
    });
  }
});
