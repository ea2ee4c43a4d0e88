/**
 * Image references as they appear in other people's deployment files: Docker Hub shorthand
 * (`nginx`, `bitnami/redis`), registries with ports (`localhost:5000/x:tag`), tag and digest
 * together. Only used to decide whether a reference names one of our repositories, so anything
 * that is not a plain reference (`${IMAGE}:${TAG}`, placeholders in capitals) simply matches nothing.
 */
import { GitopsEditError } from "./errors.js";
import type { ImageUpdate } from "./types.js";

/** A reference split into its canonical repository name and its tag and digest. */
export interface ParsedImage {
  /** Canonical repository: host always present, Docker Hub as docker.io, official images under library/. */
  repository: string;
  tag?: string;
  digest?: string;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Names Docker Hub answers to; all mean docker.io. */
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** The tag every update carries: a full git SHA, which also keeps `latest` out of every file we write. */
export const SHA = /^[0-9a-f]{40}$/;
/** The digest every update carries. */
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** name (the first component may carry a port), then an optional :tag and @digest. */
const REFERENCE = /^((?:[^/\s$]+\/)*[^/:@\s$]+)(?::([^@\s]+))?(?:@(\S+))?$/;
/** Compose interpolation (`${TAG}`, `${TAG:-1.0}`), allowed in the tag or digest only. */
const INTERPOLATED = /\$/;

/**
 * Split and canonicalise a reference; undefined when it is not a plain image reference. A tag or
 * digest that is a Compose variable (`registry/x:${TAG}`) leaves the repository readable, so
 * the reference still names it (and is replaced by the pinned one); a variable in the name
 * (`${IMAGE}:1.0`) names nothing we could know.
 */
export function parseImage(reference: string): ParsedImage | undefined {
  const m = REFERENCE.exec(reference);
  if (!m) return undefined;
  const [, name = "", tag, digest] = m;
  if (tag !== undefined && !INTERPOLATED.test(tag) && !TAG.test(tag)) return undefined;
  if (digest !== undefined && !INTERPOLATED.test(digest) && !ANY_DIGEST.test(digest)) return undefined;
  const repository = canonicalRepository(name);
  if (repository === undefined) return undefined;
  return { repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** Docker's rule: the first component is a registry host when it has a dot or a port, or is localhost. */
function canonicalRepository(name: string): string | undefined {
  const parts = name.split("/");
  const first = parts[0] ?? "";
  const hasHost = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("["));
  let host = hasHost ? first.toLowerCase() : "docker.io";
  const path = hasHost ? parts.slice(1) : parts;
  if (hasHost && !HOST.test(first)) return undefined;
  if (path.length === 0 || !path.every((c) => PATH_COMPONENT.test(c))) return undefined;
  if (DOCKER_HUB.has(host)) {
    host = "docker.io";
    if (path.length === 1) path.unshift("library");
  }
  return `${host}/${path.join("/")}`;
}

/** Whether a reference (with or without tag and digest) names the repository; false for anything unparsable. */
export function namesRepository(reference: string, repository: string): boolean {
  const a = parseImage(reference);
  const b = parseImage(repository);
  return a !== undefined && b !== undefined && a.repository === b.repository;
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
    const at = (field: string, value: string, expected: string, problem: string) =>
      new GitopsEditError({ file, path: `updates[${i}].${field}`, value: JSON.stringify(value), expected }, problem);
    const parsed = parseImage(String(u.repository));
    if (parsed === undefined || parsed.tag !== undefined || parsed.digest !== undefined)
      throw at("repository", u.repository, "host[:port]/path without tag or digest, e.g. registry.example.com/acme/webshop/backend", "is not an image repository");
    if (u.tag === "latest") throw at("tag", u.tag, "the release's full git SHA (40 lowercase hex digits)", "the tag latest is never written");
    if (!SHA.test(String(u.tag))) throw at("tag", u.tag, "the release's full git SHA (40 lowercase hex digits)", "is not a git SHA");
    if (!SHA256_DIGEST.test(String(u.digest))) throw at("digest", u.digest, "sha256: followed by 64 lowercase hex digits", "is not an image digest");
    const before = seen.get(parsed.repository);
    if (before !== undefined)
      throw at("repository", u.repository, `each repository once (updates[${before}] names it too)`, "names the same repository twice");
    seen.set(parsed.repository, i);
  });
}
