/** Base images through the organisation's registry mirror (Nexus docker group, Harbor proxy…). */
import { formatImageReference, parseImageReference } from "../vendor/image-reference.js";

/**
 * The mirrored address of an image reference. Docker Hub images keep their path under the
 * prefix (node:22-slim → <prefix>/library/node:22-slim, as a Nexus docker-group serves them);
 * images from another registry keep their host as the first path segment
 * (ghcr.io/acme/tool:1 → <prefix>/ghcr.io/acme/tool:1). Without a prefix, the reference is unchanged.
 * A text that is not an image reference is an error: passed through, it would bypass the mirror.
 */
export function mirrorImage(ref: string, prefix: string | undefined): string {
  if (!prefix) return ref;
  if (ref.startsWith(`${prefix}/`)) return ref;
  const image = parseImageReference(ref);
  if (image === undefined) throw new Error(`mirror: "${ref}" is not an image reference, so it cannot be pulled through the mirror ${prefix}`);
  // Docker Hub, however it is written (node, docker.io/node, index.docker.io/library/node), is under the prefix directly.
  const path = image.registry === "docker.io" ? image.repository : `${image.registry}/${image.repository}`;
  return formatImageReference({ ...image, registry: prefix, repository: path });
}

/** The base image each toolchain builds on when the config names none. */
export const DEFAULT_BASE_IMAGES = { node: "node:22-bookworm-slim", flyway: "flyway/flyway:11.20.3", dotnet: "mcr.microsoft.com/dotnet/aspnet:9.0", maven: "eclipse-temurin:21-jre" } as const;
