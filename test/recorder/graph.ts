// Turns recorded queries into the graph a test asserts on: the rendered chain
// of every leaf in arrival order, plus summaries (containers, services, cache
// volumes, secrets, published addresses) that are sets, sorted, so that they do
// not depend on the order in which concurrent queries reached the recorder.
import { renderChain } from "./render.js";
import { isRef, type Call, type Chain, type RecordedQuery, type Value } from "./types.js";

/** An argument value in a summary: an ID argument is replaced by what names it (see `nameOfRef`). */
export type Summary = null | boolean | number | string | Summary[] | { [key: string]: Summary };

/** One container operation: the method as `op` (`withExec`, `withMountedCache`…), then its arguments. */
export type Op = { op: string } & { [arg: string]: Summary };

/** A container: its base image, its operations in order, and what was evaluated on it directly. */
export interface ContainerSummary {
  /** The address of `from(address)` when it is the first operation, else null (then `from` is an op). */
  from: string | null;
  ops: Op[];
  /** Leaf fields evaluated on this very container (`stdout`, `publish`, `sync`, `id`…), sorted. */
  evaluated: string[];
  /** Addresses passed to `publish` on this container, sorted. */
  published: string[];
  /** True when the container was turned into a service (`asService`). */
  asService: boolean;
}

/** A service: the rendered chain that makes it (as bindings refer to it), its image and ports, its aliases. */
export interface ServiceSummary {
  service: string;
  from: string | null;
  exposedPorts: number[];
  /** Aliases under which any container binds this service (`withServiceBinding(alias, service)`), sorted. */
  boundAs: string[];
}

/** The recorded graph: see README.md for the format. */
export interface Graph {
  leaves: string[];
  containers: ContainerSummary[];
  services: ServiceSummary[];
  cacheVolumes: string[];
  secrets: string[];
  published: string[];
}

// Container methods that return the same container type; any other call leaves the container.
const CONTAINER_OP = /^(from|with[A-Z]\w*|without[A-Z]\w*|experimentalWith\w*|terminal|pipeline)$/;

/** Builds the graph of `queries` (as recorded by the server, in arrival order). */
export function buildGraph(queries: RecordedQuery[]): Graph {
  const leafChains = queries.flatMap((q) => q.leaves);
  const chains = withReferencedChains(leafChains);
  const containers = summarizeContainers(chains);
  const services = summarizeServices(chains, containers);
  // Cache volumes and secrets are made by root fields; every ID argument was walked as its own chain.
  const roots = chains.map((c) => c.chain[0]).filter((c): c is Call => c !== undefined);
  return {
    leaves: leafChains.map(renderChain),
    containers: [...sortedByKey(containers)],
    services: [...sortedByKey(services)],
    cacheVolumes: sortedUnique(roots.filter((c) => c.field === "cacheVolume").map((c) => String(c.args.key))),
    secrets: sortedUnique(roots.flatMap(secretName)),
    published: sortedUnique(leafChains.flatMap((c) => publishedAddress(c.at(-1)))),
  };
}

interface Walked {
  chain: Chain;
  /** True for a leaf's chain; false for a chain an ID argument stands for (an object, never evaluated alone). */
  leaf: boolean;
}

// The leaves' chains, then every chain reachable through ID arguments, however deep (each once).
function withReferencedChains(leafChains: Chain[]): Walked[] {
  const out: Walked[] = [];
  const seen = new Set<string>();
  const visit = (chain: Chain, leaf: boolean): void => {
    out.push({ chain, leaf });
    for (const ref of chain.flatMap((call) => refsIn(Object.values(call.args)))) {
      const key = renderChain(ref);
      if (!seen.has(key)) {
        seen.add(key);
        visit(ref, false);
      }
    }
  };
  leafChains.forEach((chain) => visit(chain, true));
  return out;
}

function refsIn(values: Value[]): Chain[] {
  return values.flatMap((v): Chain[] => {
    if (isRef(v)) return [v.$ref];
    if (Array.isArray(v)) return refsIn(v);
    if (v !== null && typeof v === "object") return refsIn(Object.values(v));
    return [];
  });
}

// Keyed by the rendered chain up to the end of the container, so the same container reached
// from several leaves (stdout, publish, sync) is one entry.
function summarizeContainers(chains: Walked[]): Map<string, ContainerSummary> {
  const containers = new Map<string, ContainerSummary>();
  for (const { chain, leaf } of chains) {
    let i = 0;
    while (i < chain.length) {
      if (!startsContainer(chain, i)) {
        i++;
        continue;
      }
      let end = i + 1;
      while (end < chain.length && CONTAINER_OP.test(chain[end].field)) end++;
      const key = renderChain(chain.slice(0, end));
      const summary = containers.get(key) ?? newContainer(chain, i, end);
      containers.set(key, summary);
      const exit = chain[end];
      if (exit?.field === "asService") summary.asService = true;
      if (leaf && exit && end === chain.length - 1) {
        summary.evaluated = sortedUnique([...summary.evaluated, exit.field]);
        summary.published = sortedUnique([...summary.published, ...publishedAddress(exit)]);
      }
      i = end;
    }
  }
  return containers;
}

// `container` at the root, or a Dockerfile build of a directory.
function startsContainer(chain: Chain, i: number): boolean {
  return (i === 0 && chain[0].field === "container") || chain[i].field === "dockerBuild";
}

function newContainer(chain: Chain, start: number, end: number): ContainerSummary {
  const root = chain[start];
  const rest = chain.slice(start + 1, end);
  const ops: Op[] = [];
  if (root.field === "dockerBuild") {
    ops.push({ op: "dockerBuild", context: renderChain(chain.slice(0, start)), ...summarizeArgs(root.args) });
  } else if (Object.keys(root.args).length > 0) {
    ops.push(toOp(root)); // container(platform: ...)
  }
  let from: string | null = null;
  if (ops.length === 0 && rest[0]?.field === "from") {
    from = String(rest[0].args.address);
    rest.shift();
  }
  ops.push(...rest.map(toOp));
  return { from, ops, evaluated: [], published: [], asService: false };
}

function summarizeServices(chains: Walked[], containers: Map<string, ContainerSummary>): Map<string, ServiceSummary> {
  const services = new Map<string, ServiceSummary>();
  const serviceFor = (key: string, container?: ContainerSummary): ServiceSummary => {
    const found = services.get(key) ?? {
      service: key,
      from: container?.from ?? null,
      exposedPorts: (container?.ops ?? []).filter((o) => o.op === "withExposedPort").map((o) => Number(o.port)),
      boundAs: [],
    };
    services.set(key, found);
    return found;
  };
  for (const { chain } of chains) {
    const at = chain.findIndex((c) => c.field === "asService");
    if (at < 0) continue;
    // The service object is `asService` plus any Service.with* calls after it (withHostname…).
    let end = at + 1;
    while (end < chain.length && /^with[A-Z]/.test(chain[end].field)) end++;
    serviceFor(renderChain(chain.slice(0, end)), containers.get(renderChain(chain.slice(0, at))));
  }
  for (const container of containers.values()) {
    for (const op of container.ops.filter((o) => o.op === "withServiceBinding")) {
      // Services not made by asService (e.g. host tunnels) still appear, without image or ports.
      const service = serviceFor(String(op.service));
      service.boundAs = sortedUnique([...service.boundAs, String(op.alias)]);
    }
  }
  return services;
}

function toOp(call: Call): Op {
  // No Dagger argument is named `op`, so spreading the arguments after it cannot clobber it.
  return { op: call.field, ...summarizeArgs(call.args) };
}

function summarizeArgs(args: Record<string, Value>): Record<string, Summary> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, summarize(v)]));
}

function summarize(value: Value): Summary {
  if (isRef(value)) return nameOfRef(value.$ref);
  if (Array.isArray(value)) return value.map(summarize);
  if (value !== null && typeof value === "object") return summarizeArgs(value);
  return value;
}

// What identifies an object passed as an argument: a cache volume by its key, a secret by its
// name (or its URI, a reference and not a value), anything else by its rendered chain.
function nameOfRef(chain: Chain): string {
  const last = chain.at(-1);
  if (chain.length === 1 && last?.field === "cacheVolume") return String(last.args.key);
  if (chain.length === 1 && last && secretName(last).length > 0) return secretName(last)[0];
  return renderChain(chain);
}

function secretName(call: Call): string[] {
  if (call.field === "setSecret") return [String(call.args.name)];
  if (call.field === "secret") return [String(call.args.uri)];
  return [];
}

function publishedAddress(call: Call | undefined): string[] {
  return call?.field === "publish" ? [String(call.args.address)] : [];
}

function sortedByKey<T>(map: Map<string, T>): T[] {
  return [...map.keys()].sort().map((k) => map.get(k) as T);
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
