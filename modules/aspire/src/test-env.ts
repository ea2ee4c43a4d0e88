/**
 * What the tests see of the graph, spelled as Aspire spells it for a resource that references
 * others (WithReference): `services__<name>__<endpoint>__0` with each endpoint's URL (.NET service
 * discovery reads these) and `ConnectionStrings__<name>` for each connection string.
 */
import { AspireManifestError } from "./errors.js";
import { type Expression, tokenize } from "./expressions.js";
import type { Part } from "./parts.js";
import { BINDING_PROPERTIES, bindingProperty } from "./resolve.js";
import type { ServiceGraph } from "./types.js";

/** Environment variables the test container gets, as parts (a connection string may carry a secret). */
export function testEnvironment(graph: ServiceGraph): Record<string, Part[]> {
  const env: Record<string, Part[]> = {};
  for (const s of graph.services) {
    for (const e of s.endpoints) env[`services__${s.name}__${e.name}__0`] = [{ text: bindingProperty(s.name, e, "url") }];
    if (s.connectionString) env[`ConnectionStrings__${s.name}`] = s.connectionString;
  }
  for (const v of graph.values) env[`ConnectionStrings__${v.name}`] = v.parts;
  return env;
}

/**
 * The caller's extra test variables (NAME=value, the value may use the manifest's expressions
 * such as {frontend.bindings.http.url}), resolved against the graph as the services see it.
 */
export function testEnvironmentOverrides(graph: ServiceGraph, file: string, env: Record<string, string>): Record<string, Part[]> {
  const out: Record<string, Part[]> = {};
  for (const [name, value] of Object.entries(env)) out[name] = tokenize(value).flatMap((t) => ("text" in t ? [t] : resolveForTests(graph, file, name, t.expression)));
  return out;
}

/** One expression of a test variable: a binding property, a connection string or a parameter's value. */
function resolveForTests(graph: ServiceGraph, file: string, variable: string, e: Expression): Part[] {
  const fail = (why: string): never => {
    throw new AspireManifestError(
      file,
      `--test-env ${variable}: ${e.source} ${why}; valid: {<service>.bindings.<endpoint>.<${BINDING_PROPERTIES.join("|")}>}, {<resource>.connectionString}, {<parameter>.value}`,
    );
  };
  const service = graph.services.find((s) => s.name === e.resource);
  const [head, endpointName, property] = e.path;
  if (head === "bindings") {
    if (!service) return fail(`names no service of the graph (services: ${graph.services.map((s) => s.name).join(", ")})`);
    const endpoint = service.endpoints.find((p) => p.name === endpointName);
    if (!endpoint) return fail(`names no endpoint of ${service.name} (endpoints: ${service.endpoints.map((p) => p.name).join(", ") || "none"})`);
    if (e.path.length !== 3 || !(BINDING_PROPERTIES as readonly string[]).includes(property)) return fail("names no binding property");
    return [{ text: bindingProperty(service.name, endpoint, property as (typeof BINDING_PROPERTIES)[number]) }];
  }
  if (head === "connectionString" && e.path.length === 1) {
    const parts = service?.connectionString ?? graph.values.find((v) => v.name === e.resource)?.parts;
    return parts ?? fail("names no resource with a connection string in the graph");
  }
  if (head === "value" && e.path.length === 1) {
    const p = graph.parameters.find((x) => x.name === e.resource);
    if (!p) return fail("names no parameter of the graph");
    if (p.secret) return [{ secret: p.name }];
    const value = "value" in p.source ? p.source.value : undefined;
    return value === undefined ? fail("has no value: pass it with --parameter") : [{ text: value }];
  }
  return fail("is not an expression the tests can use");
}
