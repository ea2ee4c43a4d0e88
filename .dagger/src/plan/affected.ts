/**
 * Which components a set of changed files touches. Errs on the side of building too much:
 * a file that belongs to no component (pipeline.yaml, a shared script) affects all of them.
 */
import picomatch from "../vendor/picomatch.js";
import type { PipelineConfig } from "../config/schema.js";

/** The components a change touches, and why, in config order. */
export interface Affected {
  affected: string[];
  unchanged: string[];
  /** Whether E2E specs changed (they belong to no component but still matter). */
  e2eChanged: boolean;
  /** Why everything is affected, when it is. */
  reason?: string;
}

/** Attribute changed files (relative to the folder of pipeline.yaml) to components. */
export function affectedComponents(config: PipelineConfig, changed: string[] | undefined): Affected {
  const all = Object.keys(config.components);
  if (changed === undefined) return { affected: all, unchanged: [], e2eChanged: true, reason: "the changed files are unknown" };
  const ignored = picomatch(config.ignore, { dot: true });
  const hit = new Set<string>();
  let e2eChanged = false;
  for (const file of changed) {
    if (ignored(file)) continue;
    const owner = ownerOf(config, file);
    if (owner === "e2e") e2eChanged = true;
    else if (owner) hit.add(owner);
    else return { affected: all, unchanged: [], e2eChanged: true, reason: `${file} belongs to no component` };
  }
  return { affected: all.filter((c) => hit.has(c)), unchanged: all.filter((c) => !hit.has(c)), e2eChanged };
}

/** The component whose folder holds the file (the deepest one), "e2e", or undefined. */
function ownerOf(config: PipelineConfig, file: string): string | undefined {
  const folders: [string, string][] = Object.entries(config.components).map(([name, c]) => [name, c.path]);
  if (config.e2e) folders.push(["e2e", config.e2e.path]);
  let best: [string, number] | undefined;
  for (const [name, folder] of folders) {
    const prefix = folder.replace(/\/+$/, "");
    const inside = prefix === "." || file === prefix || file.startsWith(`${prefix}/`);
    if (inside && (!best || prefix.length > best[1])) best = [name, prefix.length];
  }
  return best?.[0];
}
