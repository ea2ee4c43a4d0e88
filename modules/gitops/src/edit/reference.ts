/**
 * Image references as they appear in other people's deployment files: Docker Hub shorthand
 * (`nginx`, `bitnami/redis`), registries with ports (`localhost:5000/x:tag`), tag and digest
 * together. Only used to decide whether a reference names one of our repositories, so anything
 * that is not a plain reference (`${IMAGE}:${TAG}`, placeholders in capitals) simply matches nothing.
 * The grammar is the lenient reading of the one the whole repository uses (../vendor/image-reference.ts,
 * generated from lib/image-reference.ts).
 */
import { formatRepository, isSha256Digest, parseImageReference, sameRepository } from "../vendor/image-reference.js";
import { GitopsEditError } from "./errors.js";
import type { ImageUpdate } from "./types.js";

/** A reference split into its canonical repository name and its tag and digest. */
export interface ParsedImage {
  /** Canonical repository: host always present, Docker Hub as docker.io, official images under library/. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** The tag every update carries: a full git SHA, which also keeps `latest` out of every file we write. */
export const SHA = /^[0-9a-f]{40}$/;

/**
 * Split and canonicalise a reference; undefined when it is not a plain image reference. A tag or
 * digest that is a Compose variable (`registry/x:${TAG}`) leaves the repository readable, so
 * the reference still names it (and is replaced by the pinned one); a variable in the name
 * (`${IMAGE}:1.0`) names nothing we could know.
 */
export function parseImage(reference: string): ParsedImage | undefined {
  const ref = parseImageReference(reference, { variables: true });
  if (ref === undefined) return undefined;
  // Host names are case-insensitive: the canonical name has the host in lower case.
  const repository = formatRepository({ registry: ref.registry.toLowerCase(), repository: ref.repository });
  return { repository, ...(ref.tag === undefined ? {} : { tag: ref.tag }), ...(ref.digest === undefined ? {} : { digest: ref.digest }) };
}

/** Whether a reference (with or without tag and digest) names the repository; false for anything unparsable. */
export function namesRepository(reference: string, repository: string): boolean {
  const a = parseImageReference(reference, { variables: true });
  const b = parseImageReference(repository, { variables: true });
  return a !== undefined && b !== undefined && sameRepository(a, b);
}

/** The reference compose files and manifests get: repository, SHA tag for people, digest for the runtime. */
export const pinnedReference = (u: ImageUpdate) => `${u.repository}:${u.tag}@${u.digest}`;

/**
 * Check the updates before touching anything: a repository without tag or digest, a full git SHA
 * (so never `latest`), a sha256 digest, and no repository twice.
 */
export function validateUpdates(file: string, updates: readonly ImageUpdate[]): void {
  const seen = new Map<string, number>();
  updates.forEach((u, i) => {
    const at = (field: string, value: string, expected: string, problem: string) => new GitopsEditError({ file, path: `updates[${i}].${field}`, value: JSON.stringify(value), expected }, problem);
    const parsed = parseImage(String(u.repository));
    if (parsed === undefined || parsed.tag !== undefined || parsed.digest !== undefined)
      throw at("repository", u.repository, "host[:port]/path without tag or digest, e.g. registry.example.com/acme/webshop/backend", "is not an image repository");
    if (u.tag === "latest") throw at("tag", u.tag, "the release's full git SHA (40 lowercase hex digits)", "the tag latest is never written");
    if (!SHA.test(String(u.tag))) throw at("tag", u.tag, "the release's full git SHA (40 lowercase hex digits)", "is not a git SHA");
    if (!isSha256Digest(String(u.digest))) throw at("digest", u.digest, "sha256: followed by 64 lowercase hex digits", "is not an image digest");
    const before = seen.get(parsed.repository);
    if (before !== undefined) throw at("repository", u.repository, `each repository once (updates[${before}] names it too)`, "names the same repository twice");
    seen.set(parsed.repository, i);
  });
}
