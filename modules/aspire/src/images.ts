/** Image references the caller passes (overrides, published project images), checked before they reach a runner. */

// registry[:port]/ path components / … [:tag] [@sha256:digest], as the distribution reference grammar spells them.
const REFERENCE = /^(?:(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*(?::[0-9]+)?)\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?<tag>:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?<digest>@sha256:[a-f0-9]{64})?$/;

/** True for an image reference that names a tag or a digest (a bare name would float to :latest). */
export function isPinnedImageRef(ref: string): boolean {
  const m = REFERENCE.exec(ref);
  return m !== null && (m.groups?.tag !== undefined || m.groups?.digest !== undefined);
}

/** What a valid image reference looks like, for messages. */
export const IMAGE_REF_FORM = "registry/name:tag or registry/name@sha256:<64 hex> (or both)";
