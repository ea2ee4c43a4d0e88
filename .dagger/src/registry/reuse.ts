/**
 * Skip the build of a component whose inputs did not change. Whether the registry has an image
 * tagged with the input hash, and which digest, is asked of the engine (`Container.from(…)
 * .imageRef()`, so the engine's registry mirrors, CA and plain-HTTP settings apply: issue 14,
 * item 14). Putting this commit's SHA tag on exactly that manifest is the one thing the engine's
 * API cannot do (0.21 can push an image, not retag a manifest byte for byte), so that write goes
 * through our registry client, by digest: the SHA tag names the very digest E2E tested (item 16).
 */
import type { RegistryClient } from "./client.js";
import { RegistryError } from "./errors.js";
import { formatReference, parseReference } from "./reference.js";
import { validateInputTag, validateShaTag } from "./tags.js";
import { InputError } from "../errors.js";

/**
 * The digest a reference names, as the engine resolves it (`sha256:…`), or undefined when the
 * registry has no such image. Built from `dag` in run/dagger-ports.ts.
 */
export type ImageLookup = (reference: string) => Promise<string | undefined>;

/** What tagReused needs: the client, the image repository, the digest found under the input tag, the input tag and the SHA tag. */
export interface RetagRequest {
  client: RegistryClient;
  /** The image without tag, e.g. registry.example.com/acme/webshop/backend. */
  repository: string;
  /** The digest the engine found under `inputTag` (the image that was pulled and tested). */
  digest: string;
  /** `in-<input hash>` (see inputTag), named in messages. */
  inputTag: string;
  /** The full git SHA of the commit being published. */
  shaTag: string;
}

/** The image published under a component's input tag, or undefined: `<repository>:<inputTag>@<digest>`. */
export async function findReusable(lookup: ImageLookup, repository: string, inputTag: string): Promise<string | undefined> {
  validateInputTag(inputTag);
  const image = imageRepository(repository);
  const ref = formatReference({ ...image, tag: inputTag });
  const digest = await lookup(ref);
  return digest === undefined ? undefined : `${ref}@${digest}`;
}

/**
 * Tag the manifest `digest` (found under `inputTag`) with `shaTag`, by PUTting its exact bytes;
 * returns the digest, unchanged. A SHA tag is never moved: when it already names another
 * manifest, this throws; when it names this one (a re-run), nothing is written.
 */
export async function tagReused({ client, repository, digest, inputTag, shaTag }: RetagRequest): Promise<string> {
  validateInputTag(inputTag);
  validateShaTag(shaTag);
  const image = imageRepository(repository);
  const published = await client.manifest({ ...image, digest });
  if (!published)
    throw new RegistryError(`registry ${image.registry}: ${image.repository}@${digest} (the image of ${inputTag}) is gone; it was there when this run looked it up: run again to build it`, 404);
  const shaRef = { ...image, tag: shaTag };
  const existing = await client.manifest(shaRef);
  if (existing && existing.digest !== published.digest)
    throw new RegistryError(
      `registry ${image.registry}: ${image.repository}:${shaTag} already names ${existing.digest}, not ${published.digest} (the image of ${inputTag}); a SHA tag is never moved: find out which build pushed it`,
    );
  if (existing) return existing.digest;
  return client.putManifest(shaRef, published);
}

/** A repository reference without tag or digest, or an InputError naming it. */
function imageRepository(repository: string) {
  const image = parseReference(repository);
  if (image.tag !== undefined || image.digest !== undefined)
    throw new InputError(`repository "${repository}": name the image without tag or digest, e.g. ${formatReference({ registry: image.registry, repository: image.repository })}`);
  return image;
}
