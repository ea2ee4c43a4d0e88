/**
 * A manifest turned into a service graph: the services to start (in start order), the parameters
 * and values they use, and every other resource with the reason it is not there. Rules:
 * - Cloud-only resources (azure.*), resources Aspire wrote without a type, and pre-GA servers
 *   that name no image are skipped; so is every service or value that uses a skipped resource,
 *   with the expression it used ("needs skipped resource pg via expression {pg.outputs.hostName}").
 * - Services reach each other by resource name on the target port (resolve.ts); a project's
 *   default http/https endpoint gets 8080 (endpoints.ts).
 * - A service starts after every other service its env, args or build refer to, directly or
 *   through values, except where the references go round (A refers to B, B to A): Aspire allows
 *   that, since URLs are read at run time, so such services start in manifest order and reach each
 *   other by name (`peers`); only a cycle of start-order dependencies would be refused.
 * - A parameter with no value and no default is an error only when a service needs it.
 */
import { endpointsOf } from "./endpoints.js";
import { AspireManifestError } from "./errors.js";
import { type AspireManifest, type Input, isServiceType, isValueType, type Resource, type ServiceResource, typeOf } from "./manifest.js";
import { cyclePeers } from "./cycles.js";
import { checkOptions, type GraphOptions } from "./options.js";
import { startOrder } from "./order.js";
import { missingMessage, parameterInfo } from "./parameters.js";
import { isDirect, type ParameterInfo, type Problem, type Resolved, Resolver } from "./resolve.js";
import { resolveService } from "./service.js";
import type { Endpoint, GraphParameter, GraphService, GraphValue, ServiceGraph, SkippedResource } from "./types.js";

export type { GraphOptions } from "./options.js";

/** The service graph of a manifest: services in start order, parameters, values, and every skipped resource with its reason. */
export function serviceGraph(manifest: AspireManifest, options: GraphOptions = {}): ServiceGraph {
  const file = options.file ?? "aspire-manifest.json";
  const names = Object.keys(manifest.resources);
  const typeOfName = (n: string) => typeOf(manifest.resources[n]);
  checkOptions(manifest, file, options);

  const staticallySkipped = new Map<string, string>();
  for (const name of names) {
    const reason = staticSkipReason(name, manifest.resources[name]);
    if (reason) staticallySkipped.set(name, reason);
  }

  // Endpoints first: other resources' strings refer to them.
  const endpoints = new Map<string, Endpoint[]>();
  const ownProblems = new Map<string, string[]>();
  for (const name of names) {
    const r = manifest.resources[name];
    if (!isServiceType(typeOf(r)) || staticallySkipped.has(name)) continue;
    const result = endpointsOf(r as ServiceResource);
    endpoints.set(name, result.endpoints);
    if (result.problems.length > 0) ownProblems.set(name, result.problems);
  }

  const parameters = new Map<string, ParameterInfo>();
  const parameter = (resource: string, input: string): ParameterInfo => {
    const key = `${resource}/${input}`;
    let p = parameters.get(key);
    if (!p) {
      p = parameterInfo(manifest, resource, input, options);
      parameters.set(key, p);
    }
    return p;
  };
  const resolver = new Resolver({ file, manifest, staticallySkipped, endpoints, parameter, dangling: options.dangling ?? "error" });

  // Every parameter is listed, used or not (inputs of skipped resources belong to them).
  for (const name of names) {
    const inputs = (manifest.resources[name] as { inputs?: Record<string, Input> }).inputs;
    if (inputs && !staticallySkipped.has(name)) for (const input of Object.keys(inputs)) parameter(name, input);
  }

  interface Pending {
    name: string;
    type: string;
    /** Everything this resource's strings resolved to, merged: for skipping and dependsOn. */
    all: Resolved;
  }
  const services: (Pending & { service: GraphService })[] = [];
  const values: (Pending & { value: GraphValue })[] = [];
  const skipped = new Map<string, SkippedResource>();
  for (const [name, reason] of staticallySkipped) skipped.set(name, { name, type: typeOfName(name), reason });

  for (const name of names) {
    if (staticallySkipped.has(name)) continue;
    const r = manifest.resources[name];
    const type = typeOf(r) as string;
    if (isServiceType(type)) {
      const { service, all } = resolveService(resolver, name, r as ServiceResource, endpoints.get(name) ?? [], options);
      services.push({ name, type, all, service });
    } else if (isValueType(type)) {
      // annotated.string has a value; value.v0 a connection string (or, rarely, a value); pre-GA databases and connections a connection string.
      const field = type === "annotated.string" || (type === "value.v0" && (r as { connectionString?: string }).connectionString === undefined) ? "value" : "connectionString";
      const all = resolver.field(name, field) ?? { parts: [], uses: new Map(), params: new Map(), problems: [] };
      values.push({ name, type, all, value: { name, type, parts: all.parts } });
    }
  }

  // A resource with its own problem (a dangling reference, when asked to skip those; an endpoint
  // without port) is skipped; then whatever uses a skipped resource, until nothing changes.
  const ownReasons = (p: Pending) => [...(ownProblems.get(p.name) ?? []), ...new Set(p.all.problems.filter((x) => x.kind === "dangling").map(danglingReason))];
  const usesSkipped = (p: Pending) => [...p.all.uses].filter(([used]) => used !== p.name && skipped.has(used));
  const dynamic = [...services, ...values].filter((p) => ownReasons(p).length > 0);
  for (const p of dynamic) skipped.set(p.name, { name: p.name, type: p.type, reason: "" });
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of [...services, ...values]) {
      if (skipped.has(p.name) || usesSkipped(p).length === 0) continue;
      skipped.set(p.name, { name: p.name, type: p.type, reason: "" });
      dynamic.push(p);
      changed = true;
    }
  }
  // Reasons once every skip is known: the resource's own problems, then the skipped resources its
  // own strings name (db1, whose reason says why db1 is skipped; not the pg that db1 refers to),
  // in manifest order.
  const position = new Map(names.map((n, i) => [n, i]));
  for (const p of dynamic) {
    const needs = usesSkipped(p).sort(([a], [b]) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const direct = needs.filter(([used, via]) => isDirect(used, via));
    const reasons = [...ownReasons(p), ...(direct.length > 0 ? direct : needs).map(([used, via]) => `needs skipped resource ${used} via expression ${via}`)];
    skipped.set(p.name, { name: p.name, type: p.type, reason: reasons.join("; ") });
  }

  // A parameter without a value is an error only where a running service needs it.
  const missing = services.filter((s) => !skipped.has(s.name)).flatMap((s) => s.all.problems.filter((x): x is Extract<Problem, { kind: "missing" }> => x.kind === "missing"));
  if (missing.length > 0) throw new AspireManifestError(file, missingMessage(missing));
  for (const v of values) {
    const unset = v.all.problems.find((x) => x.kind === "missing");
    if (unset && !skipped.has(v.name) && unset.kind === "missing") {
      skipped.set(v.name, { name: v.name, type: v.type, reason: `uses parameter ${unset.parameter} via expression ${unset.expression}, which has no value (no running service needs ${v.name})` });
    }
  }

  const running = services.filter((s) => !skipped.has(s.name));
  const runningNames = new Set(running.map((s) => s.name));
  const references = new Map(running.map((s) => [s.name, names.filter((n) => n !== s.name && runningNames.has(n) && s.all.uses.has(n))]));
  const peers = cyclePeers(
    running.map((s) => s.name),
    (n) => references.get(n) ?? [],
  );
  for (const s of running) {
    const own = peers.get(s.name) ?? [];
    s.service.dependsOn = (references.get(s.name) ?? []).filter((n) => !own.includes(n));
    if (own.length > 0) s.service.peers = own;
  }
  const ordered = startOrder(
    running.map((s) => s.service),
    (path) => new AspireManifestError(file, `start-order cycle: ${path.join(" → ")} (each service must start after the next)`),
  );
  const usedBy = (param: string) => running.filter((s) => s.all.params.has(param)).map((s) => s.name);
  return {
    file,
    services: ordered,
    parameters: [...parameters.values()].map((p): GraphParameter => ({ name: p.name, secret: p.secret, source: p.source, usedBy: usedBy(p.name) })),
    values: values.filter((v) => !skipped.has(v.name)).map((v) => v.value),
    // In manifest order, like the manifest the reader has open.
    skipped: names.filter((n) => skipped.has(n)).map((n) => skipped.get(n) as SkippedResource),
  };
}

/** Why a resource is never in the graph, whatever it refers to; undefined for one that may be. */
function staticSkipReason(name: string, r: Resource): string | undefined {
  const type = typeOf(r);
  if (type === null) {
    const error = (r as { error?: unknown }).error;
    return `Aspire wrote no type for it${typeof error === "string" ? ` ("${error}")` : ""}: the AppHost's resource (a Compose environment, a custom resource…) cannot be described in a manifest, so nothing here can run it`;
  }
  if (type.startsWith("azure.")) {
    return `${type} is an Azure resource: it exists only after a deployment to Azure, and its values ({${name}.outputs.*}, {${name}.secrets.*}) come from that deployment`;
  }
  if (/\.server\.v\d+$/.test(type) || type === "redis.v0") {
    return `${type} is a pre-GA resource that names no image, port or password (a deployment tool such as azd provisioned it); it cannot run from the manifest alone`;
  }
  if (type.startsWith("mongodb.database.")) {
    return `${type}: the manifest format does not say how a pre-GA MongoDB database's connection string is formed`;
  }
  return undefined;
}

/** A dangling reference as a skip reason. */
function danglingReason(p: Problem): string {
  return p.kind === "dangling" ? `${p.where}: dangling reference ${p.expression}: ${p.detail}` : "";
}
