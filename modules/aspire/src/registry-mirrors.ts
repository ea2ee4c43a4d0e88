/**
 * Registry mirrors for the images a manifest names: `registry=prefix` rules, as a Nexus or
 * Harbor proxy serves each upstream registry under its own repository (docker.io=nexus:8443/docker-hub,
 * mcr.microsoft.com=nexus:8443/mcr). An image from a registry with no rule is pulled as written.
 * References are read with the one image-reference grammar (./vendor/image-reference.ts).
 */
import { AspireManifestError } from "./errors.js";
import { formatImageReference, isRegistryHost, parseImageReference, REGISTRY_PREFIX_PATTERN } from "./vendor/image-reference.js";

/** One rule: images of `registry` are pulled from `prefix` with the same path. */
export interface RegistryMirror {
  registry: string;
  prefix: string;
}

/** Parse `registry=prefix` arguments; a malformed one is an error naming it. */
export function parseRegistryMirrors(rules: string[]): RegistryMirror[] {
  return rules.map((rule) => {
    const text = rule.trim();
    const eq = text.indexOf("=");
    const registry = text.slice(0, eq);
    const prefix = text.slice(eq + 1);
    if (eq <= 0 || !isRegistryHost(registry) || !REGISTRY_PREFIX_PATTERN.test(prefix))
      throw new AspireManifestError("--registry-mirror", `"${rule}" is not registry=prefix, e.g. docker.io=nexus.example.com:8443/docker-hub`);
    // The registry as the grammar names it: host names in lower case, index.docker.io is docker.io.
    return { registry: (parseImageReference(`${registry.toLowerCase()}/x`)?.registry ?? registry).toLowerCase(), prefix };
  });
}

/** The registry and path of an image reference, with Docker Hub's implicit parts written out; undefined when it is not a reference. */
export function splitImage(ref: string): { registry: string; path: string } | undefined {
  const image = parseImageReference(ref);
  if (image === undefined) return undefined;
  return { registry: image.registry.toLowerCase(), path: formatImageReference(image).slice(image.registry.length + 1) };
}

/** The address to pull an image from, after the first rule for its registry (a text that is not a reference is left for the engine to refuse). */
export function mirrored(ref: string, rules: string[] | RegistryMirror[]): string {
  const parsed = rules.length > 0 && typeof rules[0] === "string" ? parseRegistryMirrors(rules as string[]) : (rules as RegistryMirror[]);
  const image = splitImage(ref);
  const rule = image && parsed.find((r) => r.registry === image.registry);
  return rule && image ? `${rule.prefix}/${image.path}` : ref;
}
