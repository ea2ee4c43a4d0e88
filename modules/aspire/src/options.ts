/** What the caller decides about a manifest, and the check that it names what the manifest has. */
import { AspireManifestError } from "./errors.js";
import type { RandomInt } from "./generate.js";
import { IMAGE_REF_FORM, isPinnedImageRef } from "./images.js";
import { type AspireManifest, isServiceType, resourceNamed, typeOf } from "./manifest.js";
import { parameterNames } from "./parameters.js";

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

/** Overrides, images and parameters name resources of the manifest and hold what they should. */
export function checkOptions(manifest: AspireManifest, file: string, options: GraphOptions): void {
  const problems: string[] = [];
  const services = Object.keys(manifest.resources).filter((n) => isServiceType(typeOf(manifest.resources[n])));
  const projects = services.filter((n) => typeOf(manifest.resources[n])?.startsWith("project."));
  const check = (option: "overrides" | "images", allowed: string[], what: string) => {
    for (const [name, ref] of Object.entries(options[option] ?? {})) {
      const r = resourceNamed(manifest, name);
      if (!r) problems.push(`${option}.${name}: no resource is named "${name}"; ${what}: ${allowed.join(", ") || "none"}`);
      else if (!allowed.includes(name)) problems.push(`${option}.${name}: ${name} is a ${typeOf(r) ?? "resource without type"}, and ${option} are for ${what}: ${allowed.join(", ") || "none"}`);
      else if (!isPinnedImageRef(ref)) problems.push(`${option}.${name}: ${JSON.stringify(ref)} is not an image reference with a tag or digest (${IMAGE_REF_FORM})`);
    }
  };
  check("overrides", services, "services (containers, projects, executables)");
  check("images", projects, "project resources");
  const names = parameterNames(manifest);
  for (const name of [...Object.keys(options.parameters ?? {}), ...(options.secrets ?? [])]) {
    if (!names.includes(name)) problems.push(`parameters: no parameter is named "${name}"; parameters: ${names.join(", ") || "none"}`);
  }
  if (problems.length > 0) throw new AspireManifestError(file, problems.join("\n"));
}
