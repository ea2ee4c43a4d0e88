/**
 * Image references as our pipeline writes them: `host[:port]/path[:tag][@sha256:digest]`, e.g.
 * `registry.example.com/acme/webshop/backend:3f2c…`. The grammar is the strict reading of the one
 * the whole repository uses (lib/image-reference.ts, copied to ../vendor/): Docker Hub shorthand
 * (`acme/app`, `node`) is rejected rather than guessed, and so is the tag `latest` (images are
 * addressed by git SHA and digest). Here its errors become InputErrors (exit code 2).
 */
import { InputError } from "../errors.js";
import { formatImageReference, type ImageReference, ImageReferenceError, isRegistryHost, parseImageReference, parseImageReferenceStrict, tagProblem } from "../vendor/image-reference.js";

export type { ImageReference };

/** Parse an image reference; throws an InputError naming the input and what is valid. */
export function parseReference(input: string): ImageReference {
  try {
    return parseImageReferenceStrict(input);
  } catch (e) {
    throw e instanceof ImageReferenceError ? new InputError(e.message) : e;
  }
}

/** Check a tag we are about to use (not `latest`, valid characters); returns it or throws an InputError. */
export function validateTag(tag: string): string {
  const problem = tagProblem(tag);
  if (problem !== undefined) throw new InputError(problem);
  return tag;
}

/** Check a registry address (`host[:port]`, e.g. registry.example.com or 127.0.0.1:5000); returns it or throws an InputError. */
export function validateRegistry(address: string): string {
  if (!isRegistryHost(address)) throw new InputError(`registry address "${address}": expected host[:port] with a dot or a port in it (or localhost), e.g. registry.example.com or 127.0.0.1:5000`);
  return address;
}

/**
 * The digest of a reference pinned by one (ours, or one the engine resolved such as
 * `docker.io/library/node:22@sha256:…`); an InputError when it names none.
 */
export function digestOf(reference: string): string {
  const digest = parseImageReference(reference)?.digest;
  if (digest === undefined) throw new InputError(`image reference "${reference}": names no digest; expected …@sha256:<64 hex>`);
  return digest;
}

/** The reference as text: `registry/repository[:tag][@digest]`. */
export const formatReference = formatImageReference;

/** Whether a registry address (`host[:port]`) is on the loopback interface: 127.0.0.0/8, localhost or [::1]. */
export function isLoopback(registry: string): boolean {
  const host = registry.startsWith("[") ? registry.slice(0, registry.indexOf("]") + 1) : registry.replace(/:[0-9]+$/, "");
  return host === "localhost" || host === "[::1]" || /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(host);
}
