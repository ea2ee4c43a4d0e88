/**
 * Resolving manifest strings to parts. Services reach each other by resource name (the Dagger
 * service alias and the Compose service name) on the target port, so `{x.bindings.b.host}` is
 * "x", `.port` and `.targetPort` are the target port, `.url` is scheme://x:targetPort. What a
 * resolution used (resources, parameters) and what stopped it (a skipped resource, a dangling
 * reference, a parameter without value) is returned, not thrown: whether that skips a service or
 * is an error is decided once the whole graph is known (graph.ts). Only a cycle among values, and
 * a dangling reference when the caller did not ask to skip those, throw at once.
 */
import { AspireManifestError } from "./errors.js";
import { type Expression, tokenize } from "./expressions.js";
import { type AspireManifest, type Input, resourceNamed, typeOf } from "./manifest.js";
import { applyFilter, normalize, type Part, text } from "./parts.js";
import type { Endpoint, ParameterSource } from "./types.js";

/** Why a resolution could not complete. */
export type Problem =
  /** An expression refers to nothing: no such resource, binding or property. */
  | { kind: "dangling"; where: string; expression: string; detail: string }
  /** A parameter has no value, no default, and was not given. */
  | { kind: "missing"; parameter: string; secret: boolean; where: string; expression: string };

/** A resolved string and what it took. */
export interface Resolved {
  parts: Part[];
  /** Resources used (directly or through values), each with the first expression of this string that used it. */
  uses: Map<string, string>;
  /** Parameters used, by parameter name, each with the first expression that used it. */
  params: Map<string, string>;
  problems: Problem[];
  /** Set on an expression's own result (not another resource's field): its dangling problems are this string's. */
  own?: true;
}

/** A parameter: a parameter.v0's `inputs.value`, or a pre-GA input of another resource. */
export interface ParameterInfo {
  name: string;
  resource: string;
  input: string;
  secret: boolean;
  source: ParameterSource;
}

/** What the resolver is given by graph.ts. */
export interface ResolverContext {
  file: string;
  manifest: AspireManifest;
  /** Resources that are not in the graph whatever they refer to (cloud, untyped, pre-GA abstract). */
  staticallySkipped: Map<string, string>;
  /** Each service's endpoints, by resource name. */
  endpoints: Map<string, Endpoint[]>;
  /** Each parameter's name, by "resource/input". */
  parameter: (resource: string, input: string) => ParameterInfo;
  /** "error": a dangling reference throws; "skip": it skips the resource whose string holds it. */
  dangling: "error" | "skip";
}

/** The properties of a binding an expression may name. */
export const BINDING_PROPERTIES = ["url", "host", "port", "targetPort", "scheme", "hostAndPort"] as const;

/** Resolves manifest strings; memoizes each resource field it resolves and refuses cycles among them. */
export class Resolver {
  private readonly memo = new Map<string, Resolved>();
  private readonly stack: string[] = [];

  constructor(private readonly ctx: ResolverContext) {}

  /** Resolve one manifest string found at `where` (e.g. "api.env.DB_HOST"). */
  template(value: string, where: string): Resolved {
    const out: Resolved = { parts: [], uses: new Map(), params: new Map(), problems: [] };
    for (const token of tokenize(value)) {
      if ("text" in token) {
        out.parts.push({ text: token.text });
        continue;
      }
      const inner = this.expression(token.expression, where);
      out.parts.push(...inner.parts);
      const via = token.expression.source;
      for (const name of inner.uses.keys()) recordUse(out.uses, name, via);
      for (const name of inner.params.keys()) if (!out.params.has(name)) out.params.set(name, via);
      // A dangling reference inside another resource's value is that resource's own problem: it is
      // skipped for it, and this string's resource for using it (graph.ts, through `uses`). A missing
      // parameter is reported where this string used it, since only a running service makes it an error.
      for (const p of inner.problems) if (p.kind === "missing" || inner.own) out.problems.push(p.kind === "missing" ? { ...p, where, expression: via } : p);
    }
    out.parts = normalize(out.parts);
    return out;
  }

  /** One expression's value. */
  private expression(e: Expression, where: string): Resolved {
    const resource = resourceNamed(this.ctx.manifest, e.resource);
    const used = (parts: Part[]): Resolved => ({ parts, uses: new Map([[e.resource, e.source]]), params: new Map(), problems: [] });
    if (!resource) return this.dangling(e, where, `no resource is named "${e.resource}"`);
    // A skipped resource has no values here; graph.ts skips whatever uses it, naming this expression.
    if (this.ctx.staticallySkipped.has(e.resource)) return used([]);
    const type = typeOf(resource) ?? "untyped";
    const [head, ...rest] = e.path;
    if (head === "bindings") {
      const endpoints = this.ctx.endpoints.get(e.resource);
      if (!endpoints) return this.dangling(e, where, `${e.resource} is a ${type} and has no bindings`);
      const endpoint = endpoints.find((b) => b.name === rest[0]);
      // A binding the manifest has but without any port skips its service (graph.ts), and so whatever uses it.
      if (!endpoint && (resource as { bindings?: Record<string, unknown> }).bindings?.[rest[0]]) return used([]);
      if (!endpoint) return this.dangling(e, where, `${e.resource} has no binding "${rest[0]}" (its bindings: ${endpoints.map((b) => b.name).join(", ") || "none"})`);
      const property = rest[1] as (typeof BINDING_PROPERTIES)[number];
      if (rest.length !== 2 || !BINDING_PROPERTIES.includes(property)) {
        return this.dangling(e, where, `a binding has the properties ${BINDING_PROPERTIES.join(", ")}`);
      }
      return used(text(bindingProperty(e.resource, endpoint, property)));
    }
    if (head === "inputs" && rest.length === 1) {
      const inputs = (resource as { inputs?: Record<string, Input> }).inputs;
      if (!inputs?.[rest[0]]) return this.dangling(e, where, `${e.resource} has no input "${rest[0]}"`);
      return this.parameterValue(this.ctx.parameter(e.resource, rest[0]), e, where);
    }
    if ((head === "connectionString" || head === "value") && rest.length === 0) {
      const field = this.field(e.resource, head);
      if (!field) return this.dangling(e, where, `${e.resource} is a ${type} and has no ${head}`);
      field.uses.set(e.resource, e.source);
      return field;
    }
    if (head === "outputs" || head === "secrets" || head === "secretOutputs") {
      return this.dangling(e, where, `only Azure resources have ${head}, and ${e.resource} is a ${type}`);
    }
    return this.dangling(
      e,
      where,
      `${e.resource} (${type}) has no property ${e.path.join(".")}; expressions name bindings.<name>.<${BINDING_PROPERTIES.join("|")}>, connectionString, value or inputs.<name>`,
    );
  }

  /** A parameter's value: a secret as a part naming it, anything else as text. */
  private parameterValue(p: ParameterInfo, e: Expression, where: string): Resolved {
    const params = new Map([[p.name, e.source]]);
    const uses = new Map([[p.resource, e.source]]);
    if (p.source.kind === "unset") {
      return { parts: [], uses, params, problems: [{ kind: "missing", parameter: p.name, secret: p.secret, where, expression: e.source }] };
    }
    if (p.secret) return { parts: [{ secret: p.name }], uses, params, problems: [] };
    const value = "value" in p.source ? (p.source.value ?? "") : "";
    return { parts: text(value), uses, params, problems: [] };
  }

  /** A resource's connectionString or value, resolved once; undefined when the resource has no such field. */
  field(name: string, field: "connectionString" | "value"): Resolved | undefined {
    const key = `${name}.${field}`;
    const memo = this.memo.get(key);
    if (memo) return copy(memo);
    if (this.stack.includes(key)) {
      throw new AspireManifestError(this.ctx.file, `cycle: ${[...this.stack.slice(this.stack.indexOf(key)), key].join(" → ")} (a value cannot contain itself)`);
    }
    const r = this.ctx.manifest.resources[name];
    const type = typeOf(r);
    let resolved: Resolved | undefined;
    this.stack.push(key);
    try {
      if (type === "annotated.string" && field === "value") {
        const a = r as { value: string; filter: "uri" };
        const inner = this.template(a.value, key);
        resolved = { ...inner, parts: normalize(applyFilter(inner.parts, a.filter)) };
      } else if (type !== null && /\.database\.v\d+$/.test(type) && field === "connectionString") {
        resolved = this.databaseConnectionString(name, r as { parent: string; databaseName?: string }, key);
      } else {
        const source = (r as Record<string, unknown>)[field];
        resolved = typeof source === "string" ? this.template(source, key) : undefined;
      }
    } finally {
      this.stack.pop();
    }
    if (resolved) this.memo.set(key, resolved);
    return resolved ? copy(resolved) : undefined;
  }

  /**
   * A pre-GA database's connection string: its server's, then `Database=<name>;`, as azd built it
   * for a database whose parent is a container (Azure/azure-dev, containerAppTemplateManifestFuncs).
   */
  private databaseConnectionString(name: string, db: { parent: string; databaseName?: string }, where: string): Resolved {
    const parent = resourceNamed(this.ctx.manifest, db.parent);
    const e: Expression = { resource: db.parent, path: ["connectionString"], source: `{${db.parent}.connectionString}` };
    if (!parent) return this.dangling(e, where, `the parent of ${name}, "${db.parent}", is not a resource`);
    const server = this.template(e.source, where);
    const last = server.parts[server.parts.length - 1];
    const delimiter = last && "text" in last && last.text.endsWith(";") ? "" : ";";
    return { ...server, parts: normalize([...server.parts, { text: `${delimiter}Database=${db.databaseName ?? name};` }]) };
  }

  /** A dangling reference: thrown, or returned as a problem when the caller asked to skip such resources. */
  private dangling(e: Expression, where: string, detail: string): Resolved {
    if (this.ctx.dangling === "error") {
      throw new AspireManifestError(this.ctx.file, `${where}: dangling reference ${e.source}: ${detail} (pass dangling: "skip" to skip the resources that use it instead)`);
    }
    return { parts: [], uses: new Map(), params: new Map(), problems: [{ kind: "dangling", where, expression: e.source, detail }], own: true };
  }
}

/** A binding property as another service sees it: the service's name, and its target port. */
export function bindingProperty(service: string, endpoint: Endpoint, property: (typeof BINDING_PROPERTIES)[number]): string {
  switch (property) {
    case "host":
      return service;
    case "port":
    case "targetPort":
      return String(endpoint.targetPort);
    case "scheme":
      return endpoint.scheme;
    case "hostAndPort":
      return `${service}:${endpoint.targetPort}`;
    case "url":
      return `${endpoint.scheme}://${service}:${endpoint.targetPort}`;
  }
}

/** The expression names the resource itself ({pg.outputs.x} for pg), not a value that uses it. */
export const isDirect = (resource: string, expression: string): boolean => expression.startsWith(`{${resource}.`);

/** Record that a string used `resource` via `expression`: the first expression, but a direct one over one through a value, so reasons name what the manifest wrote. */
export function recordUse(uses: Map<string, string>, resource: string, expression: string): void {
  const known = uses.get(resource);
  if (known === undefined || (!isDirect(resource, known) && isDirect(resource, expression))) uses.set(resource, expression);
}

/** A memoized resolution handed out as a copy, so callers can add to its maps. */
function copy(r: Resolved): Resolved {
  return { parts: [...r.parts], uses: new Map(r.uses), params: new Map(r.params), problems: [...r.problems] };
}
