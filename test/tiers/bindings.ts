/**
 * Runtime bindings of a local dependency module on the SDK's `dag`, built from the dependency's
 * introspection the way the engine's generated client builds them: each call selects a field on
 * the query, objects stay lazy, leaves execute. Only for recording what a caller would send.
 */
import * as sdk from "@dagger.io/dagger";
import type { ArgDef, ModuleDef, TypeDef } from "./introspect.js";
import { camelCase, pascalCase } from "./modules.js";

/** The SDK's query-building context, which the generated client keeps in a protected field. */
interface QueryContext {
  select(field: string, args?: Record<string, unknown>): QueryContext;
  execute(): Promise<unknown>;
}

/** Add dag.<module>(…) for a dependency module to the given client (the global `dag` by default). */
export function bindDependency(moduleName: string, def: ModuleDef, client: object = sdk.dag): void {
  const core = sdk as unknown as Record<string, new (ctx: QueryContext) => unknown>;
  const wrap = (type: TypeDef, ctx: QueryContext): unknown => {
    const name = type.name as string;
    if (def.objects[name]) return ownObject(name, ctx);
    if (typeof core[name] !== "function") throw new Error(`bindings: no SDK class for type ${name}`);
    return new core[name](ctx);
  };
  const call = (ctx: QueryContext, field: string, args: Record<string, ArgDef>, returns: TypeDef, params: unknown[]) => {
    const all = Object.values(args);
    // As in declarations.ts: a defaultPath argument is optional to callers (the engine fills it in).
    const required = all.filter((a) => !a.isOptional && a.defaultValue === undefined && (a as { defaultPath?: string }).defaultPath === undefined);
    const values: Record<string, unknown> = { ...((params[required.length] as object | undefined) ?? {}) };
    required.forEach((a, i) => (values[a.name] = params[i]));
    const next = ctx.select(field, values);
    return returns.kind === "OBJECT_KIND" ? wrap(returns, next) : next.execute();
  };
  // Exposed properties (@func() fields) are argument-less calls in the generated client, like methods.
  const ownObject = (name: string, ctx: QueryContext) =>
    Object.fromEntries([
      ...Object.values(def.objects[name].properties ?? {})
        .filter((p) => p.isExposed)
        .map((p) => [p.name, (...params: unknown[]) => call(ctx, p.name, {}, p.type, params)]),
      ...Object.values(def.objects[name].methods).map((m) => [m.name, (...params: unknown[]) => call(ctx, m.name, m.arguments, m.returnType, params)]),
    ]);

  const main = def.objects[pascalCase(moduleName)];
  const root = (client as { _ctx: QueryContext })._ctx;
  Object.assign(client, {
    [camelCase(moduleName)]: (...params: unknown[]) =>
      call(root, camelCase(moduleName), (Object.hasOwn(main, "constructor") ? main.constructor?.arguments : undefined) ?? {}, { kind: "OBJECT_KIND", name: main.name }, params),
  });
}
