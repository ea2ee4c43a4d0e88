/** A service graph as text for a CLI: services with their source and endpoints, parameters, and what was skipped and why. */
import type { Endpoint, GraphService, ServiceGraph, ServiceSource } from "./types.js";

/** One line per service, parameter and skipped resource; secrets are named, never shown. */
export function describeGraph(graph: ServiceGraph): string {
  const lines = [`${graph.file}: ${graph.services.length} service(s), ${graph.parameters.length} parameter(s), ${graph.values.length} value(s), ${graph.skipped.length} skipped`];
  if (graph.services.length > 0) lines.push("", "services (in start order):");
  for (const s of graph.services) {
    lines.push(
      `  ${s.name} (${s.type}): ${sourceText(s)}${s.dependsOn.length > 0 ? `, after ${s.dependsOn.join(", ")}` : ""}${s.peers ? `; refers to ${s.peers.join(", ")} and back (no start order between them)` : ""}`,
    );
    for (const e of s.endpoints) lines.push(`    ${endpointText(s.name, e)}`);
  }
  if (graph.parameters.length > 0) lines.push("", "parameters:");
  for (const p of graph.parameters) {
    const source = p.source.kind === "given" ? "given" : p.source.kind === "default" ? "default" : p.source.kind === "generate" ? "generated" : "unset";
    lines.push(`  ${p.name}${p.secret ? " (secret)" : ""}: ${source}${p.usedBy.length > 0 ? `, used by ${p.usedBy.join(", ")}` : ", unused"}`);
  }
  if (graph.skipped.length > 0) lines.push("", "skipped:");
  for (const s of graph.skipped) lines.push(`  ${s.name} (${s.type ?? "no type"}): ${s.reason}`);
  return `${lines.join("\n")}\n`;
}

function sourceText(s: GraphService): string {
  if (s.overridden) return `image ${s.overridden} (override)`;
  return sourceOf(s.source);
}

function sourceOf(source: ServiceSource): string {
  if ("image" in source) return `image ${source.image}`;
  if ("build" in source) return `build ${source.build.dockerfile} in ${source.build.context}`;
  if ("project" in source) return `project ${source.project} (to build, or pass its image)`;
  return `executable ${source.executable.command} in ${source.executable.workingDirectory}`;
}

function endpointText(service: string, e: Endpoint): string {
  const where = `${e.scheme}://${service}:${e.targetPort}`;
  return `${e.name}: ${where}${e.defaultedTargetPort ? " (default port)" : ""}${e.external ? `, external${e.port ? ` on host port ${e.port}` : ""}` : ""}`;
}
