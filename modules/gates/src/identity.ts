/**
 * Whether a Trivy report is a scan of the image a release promotes. Content addresses decide,
 * never names or tags: a report counts when its RepoDigests hold the release's manifest digest
 * (Trivy writes <repository>@<digest> when it pulls by reference), or when its ImageID (the
 * config digest) equals the image's config digest given by the caller. The repository part of
 * RepoDigests is ignored: the same digest in a mirror or under another name is the same bytes.
 * A report without either (a repository or filesystem scan, or an image scanned from a tarball
 * with --input, which has no RepoDigests) cannot be tied to the image and is refused: the gate
 * fails closed rather than trust a report that may describe something else.
 */
import type { TrivyReport } from "./trivy.js";
import { isSha256Digest, parseImageReference } from "./vendor/image-reference.js";

/** The sha256 manifest digest of an image reference (registry/name:tag@sha256:…), or undefined when it carries none or is no reference. */
export function digestOf(reference: string): string | undefined {
  const digest = parseImageReference(reference)?.digest;
  return digest !== undefined && isSha256Digest(digest) ? digest : undefined;
}

/** Whether a string is a sha256 digest as registries write it. */
export const isDigest = (s: string): boolean => isSha256Digest(s);

/** Short form of a digest for messages: sha256: and the first 12 hex digits. */
export const shortDigest = (digest: string): string => digest.slice(0, "sha256:".length + 12);

/** Why `report` cannot be taken as a scan of the image with manifest `digest` (and config `imageId`), or undefined when it can. */
export function reportMismatch(report: TrivyReport, file: string, digest: string, imageId?: string): string | undefined {
  const repoDigests = report.Metadata?.RepoDigests ?? [];
  const configId = report.Metadata?.ImageID;
  if (repoDigests.some((r) => parseImageReference(r)?.digest === digest)) return undefined;
  if (imageId !== undefined && configId === imageId) return undefined;
  if (repoDigests.length > 0) return `${file} is a report of ${repoDigests.join(", ")}, not of ${digest}`;
  if (configId === undefined) return `${file} is a scan of a ${report.ArtifactType} (${report.ArtifactName}), not of an image: it cannot show what ${digest} contains`;
  if (imageId !== undefined) return `${file} is a report of the image with config ${configId}, not of ${digest} (config ${imageId})`;
  return `${file} names no registry digest (Trivy scanned ${report.ArtifactName}, ${report.ArtifactType}, without RepoDigests), so nothing ties it to ${digest}: scan the pushed image by digest (trivy image <repository>@${digest}) or give the image's config digest`;
}
