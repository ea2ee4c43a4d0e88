/** Image references the caller passes (overrides, published project images), checked before they reach a runner. */
import { isPinned, parseImageReference } from "./vendor/image-reference.js";

/** True for an image reference that names a tag or a digest (a bare name would float to whatever the registry serves by default). */
export function isPinnedImageRef(ref: string): boolean {
  const parsed = parseImageReference(ref);
  return parsed !== undefined && isPinned(parsed);
}

/** What a valid image reference looks like, for messages. */
export const IMAGE_REF_FORM = "registry/name:tag or registry/name@sha256:<64 hex> (or both)";
