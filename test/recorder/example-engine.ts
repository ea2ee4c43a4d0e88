// What the engine would answer for the example application (examples/webshop) in a recording:
// its files exist, its config and lockfiles read back, the modules' checks and Flyway runs pass.
// Tests override single answers to make one step fail.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tiers/modules.js";

const read = (p: string) => readFileSync(join(ROOT, p), "utf8");
const CONFIG = read("examples/webshop/pipeline.yaml");
const E2E_LOCK = read("examples/webshop/e2e/package-lock.json");
/** A JUnit report of one passing Playwright test. */
export const PASSING_E2E_JUNIT = '<testsuites><testsuite name="shop.spec.ts" tests="1"><testcase name="lists the products"/></testsuite></testsuites>';

/** The answer for a leaf: `override` first, then a passing run of the example; undefined keeps the recorder's placeholder. */
export function exampleEngine(override: (leaf: string) => unknown = () => undefined) {
  return (leaf: string): unknown => {
    const o = override(leaf);
    if (o !== undefined) return o;
    if (leaf.endsWith('file(path: "pipeline.yaml").contents')) return CONFIG;
    if (leaf.endsWith('file(path: "e2e/package-lock.json").contents')) return E2E_LOCK;
    if (/\.exists\(path: [^)]*\)$/.test(leaf)) return true;
    if (/^flyway(\([^)]*\))?\.version\(/.test(leaf)) return "1.1.0";
    if (/^nodeToolchain\(.*\)\.version\(/.test(leaf)) return "1.2.0";
    // The runtime images' config, as the generated Dockerfiles set it.
    if (/^nodeToolchain\(.*\)\.build\(.*\)\.entrypoint$/.test(leaf)) return [];
    if (/^nodeToolchain\(.*\)\.build\(.*path: "backend"\).*\)\.defaultArgs$/.test(leaf)) return ["node", "dist/server.js"];
    if (/^nodeToolchain\(.*\)\.build\(.*path: "frontend"\).*\)\.defaultArgs$/.test(leaf)) return ["node", "server.mjs"];
    if (/^nodeToolchain\(.*\)\.build\(.*\)\.user$/.test(leaf)) return "1000:1000";
    const flyway = /^flyway.*\.(validate|migrate|info|throwaway)\(.*\)\.json$/.exec(leaf);
    if (flyway) return JSON.stringify({ command: flyway[1], succeeded: true, schemaVersion: "1.1.0", message: "ok" });
    if (leaf.includes("playwright") && leaf.endsWith(".exitCode")) return 0;
    // The example's pipeline.yaml runs its release through the Aspire AppHost too.
    if (/^aspire\(.*\.test\(.*\)\.reports\.file\(path: "result\.json"\)\.contents$/.test(leaf)) return '{"passed":true}\n';
    if (leaf.includes("playwright") && leaf.endsWith('.file(path: "/reports/junit.xml").contents')) return PASSING_E2E_JUNIT;
    return undefined;
  };
}
