/** Committed golden copies of each module's introspection: the public API, under review in every diff. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { introspect, type ModuleDef } from "./introspect.js";
import { type ModuleInfo, ROOT } from "./modules.js";
import { generateSdk } from "./sdk.js";

/** Where a module's golden introspection is committed. */
export function goldenFile(moduleName: string): string {
  return join(ROOT, "test/golden/introspection", `${moduleName}.json`);
}

/** The module's introspection as the engine would see it (dependencies declared). */
export function currentApi(mod: ModuleInfo): ModuleDef {
  return introspect(mod.name, join(mod.sourceDir, "src"), generateSdk(mod).clientFile);
}

/** Read a golden file; undefined when it does not exist yet. */
export function readGolden(moduleName: string): ModuleDef | undefined {
  const file = goldenFile(moduleName);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ModuleDef) : undefined;
}

/** Write a golden file (npm run generate). */
export function writeGolden(moduleName: string, api: ModuleDef): void {
  mkdirSync(dirname(goldenFile(moduleName)), { recursive: true });
  writeFileSync(goldenFile(moduleName), `${JSON.stringify(api, null, 2)}\n`);
}

/** Every path where two JSON values differ, as "path: golden -> actual", so a failure says what changed. */
export function jsonDiff(golden: unknown, actual: unknown, path = ""): string[] {
  if (JSON.stringify(golden) === JSON.stringify(actual)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  if (isObj(golden) && isObj(actual) && Array.isArray(golden) === Array.isArray(actual)) {
    const keys = [...new Set([...Object.keys(golden), ...Object.keys(actual)])];
    return keys.flatMap((k) => jsonDiff(golden[k], actual[k], path ? `${path}.${k}` : k));
  }
  const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v).slice(0, 120));
  return [`${path || "(root)"}: ${show(golden)} -> ${show(actual)}`];
}
