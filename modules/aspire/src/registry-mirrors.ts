/**
 * Registry mirrors for the images a manifest names: `registry=prefix` rules, as a Nexus or
 * Harbor proxy serves each upstream registry under its own repository (docker.io=nexus:8443/docker-hub,
 * mcr.microsoft.com=nexus:8443/mcr). An image from a registry with no rule is pulled as written.
 */
import { AspireManifestError } from "./errors.js";

/** One rule: images of `registry` are pulled from `prefix` with the same path. */
export interface RegistryMirror {
  registry: string;
  prefix: string;
}

/** Parse `registry=prefix` arguments; a malformed one is an error naming it. */
export function parseRegistryMirrors(rules: string[]): RegistryMirror[] {
  return rules.map((rule) => {
    const m = /^([a-z0-9.-]+(?::\d+)?)=([^\s=]+[^\s=/])$/i.exec(rule.trim());
    if (!m) throw new AspireManifestError("--registry-mirror", `"${rule}" is not registry=prefix, e.g. docker.io=nexus.example.com:8443/docker-hub`);
    return { registry: m[1].toLowerCase(), prefix: m[2] };
  });
}

/** The registry and path of an image reference, with Docker Hub's implicit parts written out. */
export function splitImage(ref: string): { registry: string; path: string } {
  const [first, ...rest] = ref.split("/");
  const hasRegistry = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return { registry: first === "index.docker.io" ? "docker.io" : first.toLowerCase(), path: rest.join("/") };
  // Docker Hub: a one-segment name is an official image under library/.
  return { registry: "docker.io", path: rest.length === 0 ? `library/${ref}` : ref };
}

/** The address to pull an image from, after the first rule for its registry. */
export function mirrored(ref: string, rules: string[] | RegistryMirror[]): string {
  const parsed = rules.length > 0 && typeof rules[0] === "string" ? parseRegistryMirrors(rules as string[]) : (rules as RegistryMirror[]);
  const { registry, path } = splitImage(ref);
  const rule = parsed.find((r) => r.registry === registry);
  return rule ? `${rule.prefix}/${path}` : ref;
}
