/**
 * Our modules as the harness runs them: each module's own class from its src/index.ts (never a stub),
 * its API from the committed introspection golden (argument order and types, as the engine
 * registered them) and its functions' cache policies (test/golden/cache-policies.json).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ModuleDef, TypeDef } from "../tiers/introspect.js";
import { allModules, camelCase, type ModuleInfo, pascalCase, ROOT } from "../tiers/modules.js";
import type { Policies } from "./policies.js";

/** One of our modules, loadable by the harness. */
export interface HarnessModule {
  info: ModuleInfo;
  /** Its constructor's field on the query root (dag.<field>()). */
  field: string;
  /** Its main object's name. */
  main: string;
  api: ModuleDef;
  policies: Policies;
  /** The module's exports (its classes), imported from its own source. */
  exports(): Promise<Record<string, unknown>>;
}

/** Where `npm run generate` writes the policies. */
export const POLICIES_GOLDEN = join(ROOT, "test/golden/cache-policies.json");

/** Every module of this repository (or of a mutant copy of it under `root`), by its field on the query root. */
export function harnessModules(root = ROOT): Map<string, HarnessModule> {
  const policies = JSON.parse(readFileSync(POLICIES_GOLDEN, "utf8")) as Record<string, Policies>;
  const out = new Map<string, HarnessModule>();
  // The API and policies are this repository's; the code may be a mutant's copy (test/tiers/mutant.ts).
  for (const info of allModules(root)) {
    const api = JSON.parse(readFileSync(join(ROOT, "test/golden/introspection", `${info.name}.json`), "utf8")) as ModuleDef;
    out.set(camelCase(info.name), {
      info,
      field: camelCase(info.name),
      main: pascalCase(info.name),
      api,
      policies: policies[info.name] ?? {},
      exports: () => import(pathToFileURL(join(info.sourceDir, "src/index.ts")).href) as Promise<Record<string, unknown>>,
    });
  }
  return out;
}

/** The core object types the SDK loads from an ID (dag.load<Type>FromID). */
export const CORE_OBJECTS = new Set(["Container", "Directory", "File", "Secret", "Service", "CacheVolume", "Socket", "GitRepository", "GitRef"]);

/** The element type of a list type, or the type itself. */
export function elementType(t: TypeDef): TypeDef {
  return t.kind === "LIST_KIND" && t.typeDef ? t.typeDef : t;
}
