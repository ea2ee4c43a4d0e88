/**
 * Our tag conventions. An image is published under the full git SHA of its commit (40 lowercase
 * hex, never `latest`) and under `in-<sha256 of its build inputs>` (64 lowercase hex: the whole
 * hash, since a shortened one that collides would reuse the wrong image). 67 characters, within
 * the 128 a tag may have, and never mistaken for a SHA tag or a version.
 */
import { InputError } from "../errors.js";

const SHA = /^[0-9a-f]{40}$/;
const INPUT_HASH = /^[0-9a-f]{64}$/;
/** Prefix of input-hash tags. */
export const INPUT_TAG_PREFIX = "in-";

/** The tag of an input hash (the hex SHA-256 of a component's build inputs): `in-<64 hex>`. */
export function inputTag(inputHash: string): string {
  if (!INPUT_HASH.test(inputHash)) throw new InputError(`input hash "${inputHash}": expected the hex SHA-256 of the build inputs, 64 lowercase hex digits`);
  return `${INPUT_TAG_PREFIX}${inputHash}`;
}

/** Check an input-hash tag (`in-` and 64 lowercase hex); returns it or throws an InputError. */
export function validateInputTag(tag: string): string {
  if (!tag.startsWith(INPUT_TAG_PREFIX) || !INPUT_HASH.test(tag.slice(INPUT_TAG_PREFIX.length)))
    throw new InputError(`input tag "${tag}": expected ${INPUT_TAG_PREFIX} and the 64 lowercase hex digits of the input hash, e.g. ${INPUT_TAG_PREFIX}${"0".repeat(64)}`);
  return tag;
}

/** Check a git SHA tag (the full commit SHA, 40 lowercase hex); returns it or throws an InputError. */
export function validateShaTag(tag: string): string {
  if (!SHA.test(tag)) throw new InputError(`SHA tag "${tag}": expected the full git commit SHA, 40 lowercase hex digits (git rev-parse HEAD)`);
  return tag;
}
