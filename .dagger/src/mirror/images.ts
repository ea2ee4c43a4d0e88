/** Base images through the organisation's registry mirror (Nexus docker group, Harbor proxy…). */

/**
 * The mirrored address of an image reference. Docker Hub images keep their path under the
 * prefix (node:22-slim → <prefix>/library/node:22-slim, as a Nexus docker-group serves them);
 * images from another registry keep their host as the first path segment
 * (ghcr.io/acme/tool:1 → <prefix>/ghcr.io/acme/tool:1). Without a prefix, the reference is unchanged.
 */
export function mirrorImage(ref: string, prefix: string | undefined): string {
  if (!prefix) return ref;
  if (ref.startsWith(`${prefix}/`)) return ref;
  const [first, ...rest] = ref.split("/");
  // Docker Hub written out in full is still Docker Hub.
  if (first === "docker.io" || first === "index.docker.io") return mirrorImage(rest.join("/"), prefix);
  const hasRegistryHost = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistryHost) return `${prefix}/${ref}`;
  return rest.length === 0 ? `${prefix}/library/${ref}` : `${prefix}/${ref}`;
}

/** The base image each toolchain builds on when the config names none. */
export const DEFAULT_BASE_IMAGES = { node: "node:22-bookworm-slim", flyway: "flyway/flyway:11.20.3", dotnet: "mcr.microsoft.com/dotnet/aspnet:9.0", maven: "eclipse-temurin:21-jre" } as const;
