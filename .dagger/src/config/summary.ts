/** A short human summary of a valid config: what the pipeline will handle. */
import type { PipelineConfig } from "./schema.js";

/** One paragraph naming the components, their requirements and the environment chain. */
export function summarise(config: PipelineConfig): string {
  const components = Object.entries(config.components).map(([name, c]) => {
    const needs = Object.entries(c.requires).map(([other, range]) => `${other} ${range}`);
    return `  ${name} (${c.kind}, ${c.toolchain}, ${c.path})${needs.length ? ` requires ${needs.join(", ")}` : ""}`;
  });
  const environments = Object.entries(config.environments).map(
    ([name, e]) => `  ${name}: on ${e.on}${e.after ? ` after ${e.after}` : ""}, ${e.writeBack}${e.approvals ? ` with ${e.approvals} approval(s)` : ""}, ${e.format} at ${e.path}`,
  );
  return `${[`${config.name}: valid`, "Components:", ...components, "Environments:", ...(environments.length ? environments : ["  (none)"])].join("\n")}\n`;
}
