/**
 * The SDK's own introspection, offline: the same code the engine runs to learn a module's API,
 * with DRY_RUN=1 so it prints the type JSON instead of registering it with an engine.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./modules.js";

const ENTRYPOINT = join(ROOT, "node_modules/@dagger.io/dagger/dist/src/module/entrypoint/introspection_entrypoint.js");

/** A function argument, method or object as the SDK's introspection reports it. */
export interface TypeDef {
  kind: string;
  name?: string;
  typeDef?: TypeDef;
}
/** One argument of a function. */
export interface ArgDef {
  name: string;
  description: string;
  type: TypeDef;
  isOptional: boolean;
  defaultValue?: unknown;
}
/** One function of an object. */
export interface MethodDef {
  name: string;
  description: string;
  arguments: Record<string, ArgDef>;
  returnType: TypeDef;
}
/** One object of a module. */
export interface ObjectDef {
  name: string;
  description: string;
  constructor?: { arguments: Record<string, ArgDef> };
  methods: Record<string, MethodDef>;
  properties: Record<string, { name: string; description: string; type: TypeDef; isExposed: boolean }>;
}
/** The whole introspection result of a module. */
export interface ModuleDef {
  name: string;
  description: string;
  objects: Record<string, ObjectDef>;
  enums: Record<string, { name: string; description: string; values: Record<string, { name: string; value: string; description: string }> }>;
  interfaces: Record<string, unknown>;
}

/**
 * Introspect a module's src/ folder. clientFile is the generated client (a copy of the SDK's
 * client.gen.d.ts named client.gen.ts, plus declarations of the module's dependencies).
 */
export function introspect(moduleName: string, srcDir: string, clientFile: string): ModuleDef {
  try {
    const out = execFileSync(process.execPath, [ENTRYPOINT, moduleName, srcDir, clientFile], {
      env: { ...process.env, DRY_RUN: "1" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return JSON.parse(out) as ModuleDef;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`introspection of module ${moduleName} (${srcDir}) failed: ${(err.stderr || err.stdout || err.message).trim()}`);
  }
}
