/**
 * TypeScript declarations of a local module's API, generated from its introspection, so that a
 * module calling it (dag.nodeToolchain().run(…)) is type-checked against what the callee really
 * exposes. Follows the shapes of the engine's generated client: objects are lazy, leaves are
 * promises, optional arguments go in an opts object.
 */
import type { ArgDef, ModuleDef, TypeDef } from "./introspect.js";
import { camelCase, pascalCase } from "./modules.js";

/** Declarations to append to the SDK's client.gen.d.ts for one dependency module. */
export function declarationsFor(moduleName: string, def: ModuleDef): string {
  const prefix = pascalCase(moduleName);
  // The engine prefixes a dependency's types with its module name unless they already start with it.
  const own = new Set([...Object.keys(def.objects), ...Object.keys(def.enums)]);
  const rename = (n: string) => (!own.has(n) || n.startsWith(prefix) ? n : `${prefix}${n}`);
  const ts = (t: TypeDef): string => {
    switch (t.kind) {
      case "STRING_KIND":
        return "string";
      case "INTEGER_KIND":
      case "FLOAT_KIND":
        return "number";
      case "BOOLEAN_KIND":
        return "boolean";
      case "VOID_KIND":
        return "void";
      case "LIST_KIND":
        return `${ts(t.typeDef as TypeDef)}[]`;
      case "OBJECT_KIND":
      case "ENUM_KIND":
      case "INTERFACE_KIND":
        return rename(t.name as string);
      default:
        throw new Error(`module ${moduleName}: type kind ${t.kind} has no declaration mapping yet`);
    }
  };
  const isLazy = (t: TypeDef) => t.kind === "OBJECT_KIND" || t.kind === "INTERFACE_KIND";
  const ret = (t: TypeDef) => (isLazy(t) ? ts(t) : `Promise<${ts(t)}>`);
  const signature = (owner: string, fn: string, args: Record<string, ArgDef>, out: string[]) => {
    const all = Object.values(args);
    // A defaultPath argument is "contextual optional" to the engine (functionRequiresArgs in dagger's core): callers may omit it.
    const isOptional = (a: ArgDef) => a.isOptional || a.defaultValue !== undefined || (a as { defaultPath?: string }).defaultPath !== undefined;
    const required = all.filter((a) => !isOptional(a));
    const optional = all.filter(isOptional);
    const params = required.map((a) => `${a.name}: ${ts(a.type)}`);
    if (optional.length > 0) {
      const opts = `${owner}${pascalCase(fn)}Opts`;
      out.push(`export type ${opts} = {\n${optional.map((a) => `    ${doc(a.description, "    ")}${a.name}?: ${ts(a.type)};`).join("\n")}\n};`);
      params.push(`opts?: ${opts}`);
    }
    return `(${params.join(", ")})`;
  };

  const out: string[] = [`// ---- module ${moduleName}: generated from its introspection; do not edit ----`];
  for (const e of Object.values(def.enums)) {
    const members = Object.values(e.values).map((v) => `    ${v.name} = ${JSON.stringify(v.value)},`);
    out.push(`${doc(e.description)}export declare enum ${rename(e.name)} {\n${members.join("\n")}\n}`);
  }
  for (const o of Object.values(def.objects)) {
    const name = rename(o.name);
    const members: string[] = [];
    for (const p of Object.values(o.properties).filter((p) => p.isExposed)) members.push(`    ${doc(p.description, "    ")}${p.name}: () => ${ret(p.type)};`);
    for (const m of Object.values(o.methods)) members.push(`    ${doc(m.description, "    ")}${m.name}: ${signature(name, m.name, m.arguments, out)} => ${ret(m.returnType)};`);
    out.push(`${doc(o.description)}export declare class ${name} extends BaseClient {\n${members.join("\n")}\n}`);
  }
  const main = def.objects[prefix];
  if (!main) throw new Error(`module ${moduleName}: no main object ${prefix} in its introspection`);
  const ctor = signature("Client", camelCase(moduleName), (Object.hasOwn(main, "constructor") ? main.constructor?.arguments : undefined) ?? {}, out);
  out.push(`export interface Client {\n    ${doc(def.description, "    ")}${camelCase(moduleName)}: ${ctor} => ${prefix};\n}`);
  return `${out.join("\n")}\n`;
}

function doc(text: string, indent = ""): string {
  if (!text) return "";
  return `/**\n${text
    .split("\n")
    .map((l) => `${indent} * ${l.replace(/\*\//g, "*\\/")}`)
    .join("\n")}\n${indent} */\n${indent}`;
}
