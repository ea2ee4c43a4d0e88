/** The Dagger modules of this repository, read from their dagger.json files. */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (two levels above this file). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** One Dagger module: its name, where its TypeScript lives, and the local modules it calls. */
export interface ModuleInfo {
  name: string;
  /** Folder holding dagger.json. */
  dir: string;
  /** Folder holding package.json, tsconfig.json and src/ (dagger.json "source", default "."). */
  sourceDir: string;
  /** Local dependencies with their absolute module folders. */
  dependencies: { name: string; dir: string }[];
}

interface DaggerJson {
  name: string;
  source?: string;
  dependencies?: { name: string; source: string }[];
}

/** Read one module's dagger.json. */
export function readModule(dir: string): ModuleInfo {
  const json = JSON.parse(readFileSync(join(dir, "dagger.json"), "utf8")) as DaggerJson;
  return {
    name: json.name,
    dir,
    sourceDir: join(dir, json.source ?? "."),
    dependencies: (json.dependencies ?? []).map((d) => ({ name: d.name, dir: resolve(dir, d.source) })),
  };
}

/** The root module first, then every module under modules/, in name order. */
export function allModules(root = ROOT): ModuleInfo[] {
  const modulesDir = join(root, "modules");
  const subs = existsSync(modulesDir)
    ? readdirSync(modulesDir)
        .filter((d) => existsSync(join(modulesDir, d, "dagger.json")))
        .sort()
    : [];
  return [readModule(root), ...subs.map((d) => readModule(join(modulesDir, d)))];
}

/** PascalCase of a module name, as the engine names the module's main object. */
export function pascalCase(name: string): string {
  return name.replace(/(^|[-_ ])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** camelCase of a module name, as the engine names its constructor on the root query (dag.<name>()). */
export function camelCase(name: string): string {
  const p = pascalCase(name);
  return p.charAt(0).toLowerCase() + p.slice(1);
}

/**
 * Scratch folder for generated SDKs, one per process: node's test runner runs test files in
 * parallel and two of them regenerating the same folder would race.
 */
export const BUILD_DIR = join(ROOT, "build", `run-${process.pid}`);
process.on("exit", () => rmSync(BUILD_DIR, { recursive: true, force: true }));
