/**
 * Skip the build of a component whose inputs did not change: when the registry already has an
 * image tagged with the input hash, put this commit's SHA tag on that same manifest (no layers
 * move) and use it.
 */
import type { RegistryClient } from "./client.js";
import { RegistryError } from "./errors.js";
import { formatReference, parseReference } from "./reference.js";
import { validateInputTag, validateShaTag } from "./tags.js";
import { InputError } from "../errors.js";

/** What reuseIfPublished needs: the client, the image repository (`host[:port]/path`), the input tag and the SHA tag. */
export interface ReuseRequest {
  client: RegistryClient;
  /** The image without tag, e.g. registry.example.com/acme/webshop/backend. */
  repository: string;
  /** `in-<input hash>` (see inputTag). */
  inputTag: string;
  /** The full git SHA of the commit being built. */
  shaTag: string;
}

/** Whether an image was reused, and which manifest the SHA tag now names. */
export type ReuseResult = { reused: true; digest: string } | { reused: false };

/**
 * Tag the image published under `inputTag` with `shaTag` and report its digest, or report that
 * there is none to reuse. A SHA tag is never moved: when it already names another manifest, this throws.
 */
export async function reuseIfPublished({ client, repository, inputTag, shaTag }: ReuseRequest): Promise<ReuseResult> {
  validateInputTag(inputTag);
  validateShaTag(shaTag);
  const image = parseReference(repository);
  if (image.tag !== undefined || image.digest !== undefined)
    throw new InputError(`repository "${repository}": name the image without tag or digest, e.g. ${formatReference({ registry: image.registry, repository: image.repository })}`);
  const published = await client.manifest({ ...image, tag: inputTag });
  if (!published) return { reused: false };
  const shaRef = { ...image, tag: shaTag };
  const existing = await client.manifest(shaRef);
  if (existing && existing.digest !== published.digest)
    throw new RegistryError(
      `registry ${image.registry}: ${image.repository}:${shaTag} already names ${existing.digest}, not ${published.digest} (the image of ${inputTag}); a SHA tag is never moved: find out which build pushed it`,
    );
  if (existing) return { reused: true, digest: existing.digest };
  return { reused: true, digest: await client.putManifest(shaRef, published) };
}
