/** A graph with no service to run is refused, saying why each resource is not there, rather than giving an empty environment. */
import { AspireManifestError } from "./errors.js";
import type { ServiceGraph } from "./types.js";

/** Throws when the graph has no service; `what` says what cannot be done (e.g. "nothing to test"). */
export function requireServices(graph: ServiceGraph, what: string): void {
  if (graph.services.length > 0) return;
  if (graph.skipped.length > 0) {
    const reasons = graph.skipped.map((s) => `  ${s.name} (${s.type ?? "no type"}): ${s.reason}`);
    throw new AspireManifestError(graph.file, `${what}: every service of the manifest is skipped:\n${reasons.join("\n")}`);
  }
  const others = [...graph.parameters.map((p) => p.name), ...graph.values.map((v) => v.name)];
  throw new AspireManifestError(
    graph.file,
    `${what}: the manifest has no service (container, project, executable or Dockerfile resource)${others.length > 0 ? `, only parameters and values: ${others.join(", ")}` : ", no resource at all"}`,
  );
}
