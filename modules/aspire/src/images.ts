/** Image references the caller passes (overrides, published project images) and the manifest names, checked before they reach a runner. */
import { AspireManifestError } from "./errors.js";
import { digestPinnedProblem, isPinned, parseImageReference } from "./vendor/image-reference.js";

/** True for an image reference that names a tag or a digest (a bare name would float to whatever the registry serves by default). */
export function isPinnedImageRef(ref: string): boolean {
  const parsed = parseImageReference(ref);
  return parsed !== undefined && isPinned(parsed);
}

/** True for a text that is an image reference at all (no white space, no control characters). */
export const isImageReference = (ref: string): boolean => parseImageReference(ref) !== undefined;

/** What a valid image reference looks like, for messages. */
export const IMAGE_REF_FORM = "registry/name:tag or registry/name@sha256:<64 hex> (or both)";

/**
 * `--override resource=image` entries as a record: each image pinned by sha256 digest (the
 * artefact under test; the same rule as the root's `integration --override`, lib/image-reference.ts).
 */
export function checkDigestPinned(overrides: Record<string, string>, flag: string): Record<string, string> {
  const problems = Object.entries(overrides).flatMap(([name, image]) => {
    const problem = digestPinnedProblem(image);
    return problem ? [`${name}: ${problem} (the artefact under test is named by digest, so the verdict is about exactly that image)`] : [];
  });
  if (problems.length > 0) throw new AspireManifestError(flag, problems.join("\n"));
  return overrides;
}
