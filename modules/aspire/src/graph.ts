/**
 * A manifest turned into a service graph: the services to start (in start order), the parameters
 * and values they use, and every other resource with the reason it is not there. Rules:
 * - Cloud-only resources (azure.*), resources Aspire wrote without a type, and pre-GA servers
 *   that name no image are skipped; so is every service or value that uses a skipped resource,
 *   with the expression it used ("needs skipped resource pg via expression {pg.outputs.hostName}").
 * - A project's default http/https endpoint has no targetPort in the manifest ("it will get one
 *   from the deployment tool", ManifestPublishingContext): we give it 8080, what azd gives a
 *   project's ingress (buildAcaIngress(project.Bindings, 8080)) and what .NET 8+ container images
 *   listen on (ASPNETCORE_HTTP_PORTS=8080). http and https share it, as azd groups them.
 * - A service depends on every other service its env, args or build refer to, directly or
 *   through values; a cycle among them is refused, since a service must start after those it uses.
 * - A parameter with no value and no default is an error only when a service needs it.
 */
import { AspireManifestError } from "./errors.js";
import { generateValue, type RandomInt } from "./generate.js";
import { IMAGE_REF_FORM, isPinnedImageRef } from "./images.js";
import type { AspireManifest, Binding, Input, Resource, ServiceResource } from "./manifest.js";
import { startOrder } from "./order.js";
import type { Part } from "./parts.js";
import { isDirect, type ParameterInfo, type Problem, type Resolved, Resolver, recordUse, typeOf } from "./resolve.js";
import type { BuildSource, Endpoint, GraphParameter, GraphService, GraphValue, ServiceGraph, ServiceSource, SkippedResource } from "./types.js";

/** What the caller decides about a manifest. */
export interface GraphOptions {
  /** The manifest's file name, for messages (default "aspire-manifest.json"). */
  file?: string;
  /** Images that replace a resource's source (image, build, project or executable), keeping its env, args and endpoints. */
  overrides?: Record<string, string>;
  /** Published images of project resources; a project with neither stays `{ project: path }` for the caller to build. */
  images?: Record<string, string>;
  /** Parameter values by parameter name; a secret's value here is taken as "given" and never copied into the graph. */
  parameters?: Record<string, string>;
  /** Secret parameters whose values the runner supplies (e.g. as Dagger secrets); their values never enter the graph. */
  secrets?: string[];
  /** A reference to nothing: "error" (default) refuses the manifest; "skip" skips the resources that hold one. */
  dangling?: "error" | "skip";
  /** Random integers for generated non-secret values (default: node:crypto's randomInt). */
  random?: RandomInt;
}

/** The target port a project's default http/https endpoint gets (see the module comment). */
export const DEFAULT_PROJECT_PORT = 8080;

const SERVICE_TYPES = ["container.v0", "container.v1", "dockerfile.v0", "project.v0", "project.v1", "executable.v0"];
const VALUE_TYPES = ["value.v0", "annotated.string"];
const isService = (type: string | null) => type !== null && SERVICE_TYPES.includes(type);
const isValue = (type: string | null) => type !== null && (VALUE_TYPES.includes(type) || /\.(database|connection)\.v\d+$/.test(type));

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
    if (!isService(typeOf(r)) || staticallySkipped.has(name)) continue;
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
    if (isService(type)) {
      const { service, all } = resolveService(resolver, name, r as ServiceResource, endpoints.get(name) ?? [], options);
      services.push({ name, type, all, service });
    } else if (isValue(type)) {
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
  for (const s of running) {
    s.service.dependsOn = names.filter((n) => n !== s.name && runningNames.has(n) && s.all.uses.has(n));
  }
  const ordered = startOrder(
    running.map((s) => s.service),
    (path) => new AspireManifestError(file, `cycle: ${path.join(" → ")} (each service refers to the next; a service must start after the services it refers to)`),
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

/** A service's endpoints, with the target port each is reached on; problems for a binding without any port. */
function endpointsOf(r: ServiceResource): { endpoints: Endpoint[]; problems: string[] } {
  const endpoints: Endpoint[] = [];
  const problems: string[] = [];
  for (const [name, b] of Object.entries(r.bindings ?? {}) as [string, Binding][]) {
    let targetPort = b.targetPort ?? b.containerPort;
    let defaulted = false;
    if (targetPort === undefined && r.type.startsWith("project.") && (b.scheme === "http" || b.scheme === "https")) {
      targetPort = DEFAULT_PROJECT_PORT;
      defaulted = true;
    }
    // Aspire gives a container without targetPort its exposed port (ManifestPublishingContext.WriteBindings).
    targetPort ??= b.port;
    if (targetPort === undefined) {
      problems.push(`binding ${name} (${b.scheme}) has no targetPort and no port, so nothing says where the process listens`);
      continue;
    }
    endpoints.push({
      name,
      scheme: b.scheme,
      protocol: b.protocol,
      transport: b.transport ?? b.scheme,
      targetPort,
      ...(defaulted ? { defaultedTargetPort: true as const } : {}),
      ...(b.port !== undefined ? { port: b.port } : {}),
      external: b.external,
    });
  }
  return { endpoints, problems };
}

/** One service resolved: its strings to parts, its source after overrides and published images. */
function resolveService(resolver: Resolver, name: string, r: ServiceResource, endpoints: Endpoint[], options: GraphOptions): { service: GraphService; all: Resolved } {
  const all: Resolved = { parts: [], uses: new Map(), params: new Map(), problems: [] };
  const take = (res: Resolved): Part[] => {
    for (const [k, v] of res.uses) recordUse(all.uses, k, v);
    for (const [k, v] of res.params) if (!all.params.has(k)) all.params.set(k, v);
    all.problems.push(...res.problems);
    return res.parts;
  };
  const overridden = options.overrides?.[name];
  const published = options.images?.[name];
  let source: ServiceSource;
  if (overridden) source = { image: overridden };
  else if (published) source = { image: published };
  else if (r.type === "project.v0" || r.type === "project.v1") source = { project: r.path };
  else if (r.type === "executable.v0") source = { executable: { command: r.command, workingDirectory: r.workingDirectory } };
  else if (r.type === "dockerfile.v0") source = { build: resolveBuild(resolver, name, { context: r.context, dockerfile: r.path, args: r.buildArgs }, take) };
  else {
    // container.v0/v1: the schema holds exactly one of image and build.
    const c = r as { image?: string; build?: Parameters<typeof resolveBuild>[2] };
    source = c.image !== undefined ? { image: c.image } : { build: resolveBuild(resolver, name, c.build as Parameters<typeof resolveBuild>[2], take) };
  }

  const env = Object.fromEntries(Object.entries(r.env ?? {}).map(([k, v]) => [k, take(resolver.template(v, `${name}.env.${k}`))]));
  const args = (r.args ?? []).map((a, i) => take(resolver.template(a, `${name}.args[${i}]`)));
  // A connection string is for the services that use it: what it refers to is not this service's dependency.
  const connection = r.connectionString !== undefined ? resolver.template(r.connectionString, `${name}.connectionString`) : undefined;
  if (connection) all.problems.push(...connection.problems.filter((p) => p.kind === "dangling"));
  const container = r.type === "container.v0" || r.type === "container.v1" ? r : undefined;
  const service: GraphService = {
    name,
    type: r.type,
    source,
    ...(overridden ? { overridden } : {}),
    ...(container?.entrypoint ? { entrypoint: container.entrypoint } : {}),
    args,
    env,
    endpoints,
    volumes: (container?.volumes ?? []).map((v) => ({ ...(v.name ? { name: v.name } : {}), target: v.target, readOnly: v.readOnly })),
    bindMounts: (container?.bindMounts ?? []).map((m) => ({ source: m.source, target: m.target, readOnly: m.readOnly })),
    dependsOn: [],
    ...(connection ? { connectionString: connection.parts } : {}),
    ...("deployment" in r && r.deployment ? { deployment: r.deployment.type } : {}),
  };
  return { service, all };
}

/** A Dockerfile build with its arguments and secrets resolved. */
function resolveBuild(
  resolver: Resolver,
  name: string,
  build: { context: string; dockerfile: string; stage?: string; args?: Record<string, string | null>; secrets?: Record<string, { type: "env"; value: string | null } | { type: "file"; source: string }> },
  take: (r: Resolved) => Part[],
): BuildSource {
  return {
    context: build.context,
    dockerfile: build.dockerfile,
    ...(build.stage ? { stage: build.stage } : {}),
    args: Object.fromEntries(Object.entries(build.args ?? {}).map(([k, v]) => [k, v === null ? null : take(resolver.template(v, `${name}.build.args.${k}`))])),
    secrets: Object.fromEntries(
      Object.entries(build.secrets ?? {}).map(([k, s]) => [
        k,
        s.type === "file" ? s : { type: "env" as const, value: s.value === null ? null : take(resolver.template(s.value, `${name}.build.secrets.${k}`)) },
      ]),
    ),
  };
}

/** A parameter's name and where its value comes from. */
function parameterInfo(manifest: AspireManifest, resource: string, input: string, options: GraphOptions): ParameterInfo {
  const r = manifest.resources[resource];
  const spec = ((r as { inputs?: Record<string, Input> }).inputs ?? {})[input];
  // parameter.v0 has one input, "value": the parameter is the resource. A pre-GA input of another
  // resource ({postgres2.inputs.password}) is named resource.input: '.' is not allowed in resource names.
  const name = typeOf(r) === "parameter.v0" && input === "value" ? resource : `${resource}.${input}`;
  const secret = spec.secret;
  const given = options.parameters?.[name];
  let source: ParameterInfo["source"];
  if (given !== undefined || (secret && options.secrets?.includes(name))) source = secret ? { kind: "given" } : { kind: "given", value: given as string };
  else if (spec.default && "value" in spec.default) source = { kind: "default", value: spec.default.value };
  else if (spec.default && "generate" in spec.default) {
    const g = spec.default.generate;
    source = secret ? { kind: "generate", spec: g } : { kind: "generate", spec: g, value: generateValue(g, options.random) };
  } else source = { kind: "unset" };
  return { name, resource, input, secret, source };
}

/** What to say about parameters a running service needs but that have no value. */
function missingMessage(missing: Extract<Problem, { kind: "missing" }>[]): string {
  const byParameter = new Map<string, Extract<Problem, { kind: "missing" }>[]>();
  for (const m of missing) byParameter.set(m.parameter, [...(byParameter.get(m.parameter) ?? []), m]);
  return [...byParameter]
    .map(([name, uses]) => {
      const how = uses[0].secret
        ? `declare it with secrets: ["${name}"] and give the runner its value, or pass parameters: {"${name}": "…"}`
        : `pass parameters: {"${name}": "…"}`;
      return `parameter ${name} has no value and no default, and ${uses.map((u) => `${u.where} uses ${u.expression}`).join(", ")}: ${how} (the AppHost reads it from Parameters:${name})`;
    })
    .join("\n");
}

/** A dangling reference as a skip reason. */
function danglingReason(p: Problem): string {
  return p.kind === "dangling" ? `${p.where}: dangling reference ${p.expression}: ${p.detail}` : "";
}

/** Overrides, images and parameters name resources of the manifest and hold what they should. */
function checkOptions(manifest: AspireManifest, file: string, options: GraphOptions): void {
  const problems: string[] = [];
  const services = Object.keys(manifest.resources).filter((n) => isService(typeOf(manifest.resources[n])));
  const projects = services.filter((n) => typeOf(manifest.resources[n])?.startsWith("project."));
  const check = (option: "overrides" | "images", allowed: string[], what: string) => {
    for (const [name, ref] of Object.entries(options[option] ?? {})) {
      const r = manifest.resources[name];
      if (!r) problems.push(`${option}.${name}: no resource is named "${name}"; ${what}: ${allowed.join(", ") || "none"}`);
      else if (!allowed.includes(name)) problems.push(`${option}.${name}: ${name} is a ${typeOf(r) ?? "resource without type"}, and ${option} are for ${what}: ${allowed.join(", ") || "none"}`);
      else if (!isPinnedImageRef(ref)) problems.push(`${option}.${name}: ${JSON.stringify(ref)} is not an image reference with a tag or digest (${IMAGE_REF_FORM})`);
    }
  };
  check("overrides", services, "services (containers, projects, executables)");
  check("images", projects, "project resources");
  const parameterNames = Object.entries(manifest.resources).flatMap(([n, r]) =>
    Object.keys((r as { inputs?: Record<string, unknown> }).inputs ?? {}).map((i) => (typeOf(r) === "parameter.v0" && i === "value" ? n : `${n}.${i}`)),
  );
  for (const name of [...Object.keys(options.parameters ?? {}), ...(options.secrets ?? [])]) {
    if (!parameterNames.includes(name)) problems.push(`parameters: no parameter is named "${name}"; parameters: ${parameterNames.join(", ") || "none"}`);
  }
  if (problems.length > 0) throw new AspireManifestError(file, problems.join("\n"));
}
