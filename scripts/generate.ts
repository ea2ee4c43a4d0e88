/**
 * `npm run generate`: rewrite every generated file that is committed (the introspection goldens,
 * the pipeline.yaml JSON Schema, the README's config reference, the modules' vendored libraries).
 * Tests fail when any is stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { currentApi, writeGolden } from "../test/tiers/golden.js";
import { allModules, ROOT } from "../test/tiers/modules.js";
import { cachePolicies } from "../test/harness/policies.js";
import { POLICIES_GOLDEN } from "../test/harness/modules.js";
import { configJsonSchema } from "../.dagger/src/config/json-schema.js";
import { updateReadmeReference } from "./reference.js";
import { FUNCTIONS_REFERENCE, renderFunctionsReference } from "./functions-reference.js";
import { COMPOSE_GOLDEN, exampleCompose } from "../test/topology/fixture.js";
import { writeVendorFiles } from "./vendor.js";

// First: the modules import their vendored libraries, and the introspection below reads them.
for (const file of await writeVendorFiles()) process.stdout.write(`wrote ${file}\n`);

const policies: Record<string, unknown> = {};
for (const mod of allModules()) {
  writeGolden(mod.name, currentApi(mod));
  process.stdout.write(`wrote test/golden/introspection/${mod.name}.json\n`);
  policies[mod.name] = cachePolicies(mod);
}
writeFileSync(POLICIES_GOLDEN, `${JSON.stringify(policies, null, 2)}\n`);
process.stdout.write("wrote test/golden/cache-policies.json\n");
writeFileSync(join(ROOT, FUNCTIONS_REFERENCE), renderFunctionsReference(join(ROOT, "test/golden/introspection")));
process.stdout.write(`wrote ${FUNCTIONS_REFERENCE}\n`);
writeFileSync(join(ROOT, "schema/pipeline.schema.json"), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
process.stdout.write("wrote schema/pipeline.schema.json\n");
updateReadmeReference(join(ROOT, "README.md"));
process.stdout.write("updated the pipeline.yaml reference in README.md\n");
writeFileSync(join(ROOT, COMPOSE_GOLDEN), exampleCompose());
process.stdout.write(`wrote ${COMPOSE_GOLDEN}\n`);
