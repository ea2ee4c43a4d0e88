/** One service's strings resolved to parts, and its source after overrides and published images. */
import type { ServiceResource } from "./manifest.js";
import type { GraphOptions } from "./options.js";
import type { Part } from "./parts.js";
import { type Resolved, type Resolver, recordUse } from "./resolve.js";
import type { BuildSource, Endpoint, GraphService, ServiceSource } from "./types.js";

/** One service resolved: its strings to parts, its source after overrides and published images. */
export function resolveService(resolver: Resolver, name: string, r: ServiceResource, endpoints: Endpoint[], options: GraphOptions): { service: GraphService; all: Resolved } {
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
  build: {
    context: string;
    dockerfile: string;
    stage?: string;
    args?: Record<string, string | null>;
    secrets?: Record<string, { type: "env"; value: string | null } | { type: "file"; source: string }>;
  },
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
