/**
 * Names of preview environments. A branch name becomes part of a Kubernetes namespace, which
 * must be an RFC 1123 DNS label: lowercase alphanumerics and '-', alphanumeric at both ends, at
 * most 63 characters. Every branch name git allows must get its own namespace (and folder):
 * removing one branch's preview must never remove another's.
 */
import { createHash } from "node:crypto";
import { InputError } from "../errors.js";

/** The longest namespace Kubernetes accepts. */
export const DNS_LABEL_MAX = 63;
/** An RFC 1123 DNS label. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Hex digits of the branch hash a lossy slug ends in. */
const HASH_LENGTH = 8;
/** A slug ending like a hash; a branch named so is hashed too, so it cannot take a hashed slug's place. */
const HASH_LIKE_END = new RegExp(`(^|-)[0-9a-f]{${HASH_LENGTH}}$`);

/** The namespace for a branch: the template with {branch} replaced by a DNS-safe slug unique to the branch. */
export function previewNamespace(template: string, branch: string): string {
  const fixed = template.replace("{branch}", "");
  const namespace = template.replace("{branch}", branchSlug(branch, DNS_LABEL_MAX - fixed.length));
  // The schema keeps the template valid; this guards callers that bypass it.
  if (!DNS_LABEL.test(namespace))
    throw new InputError(
      `previews.namespace: "${template}" gives the namespace "${namespace}", which is not a DNS label (a-z, 0-9 and '-', alphanumeric at both ends, at most ${DNS_LABEL_MAX} characters)`,
    );
  return namespace;
}

/** The folder of a preview in the GitOps repository: <previews.path>/<namespace>. */
export const previewFolder = (previewsPath: string, namespace: string): string => `${previewsPath.replace(/\/+$/, "")}/${namespace}`;

/**
 * A DNS-safe form of a branch name within `max` characters (at least 9). A branch that is
 * already such a label is kept as it is; any other (upper case, '/', '_', '.', non-Latin letters,
 * too long) is lossy, and gets '-' and the first 8 hex digits of the SHA-256 of the exact name, so
 * `feature/x`, `feature-x`, `Feature/X` and `feature/ø` all differ. A name with nothing
 * readable is the hash alone.
 */
export function branchSlug(branch: string, max = DNS_LABEL_MAX): string {
  if (max < HASH_LENGTH + 1) throw new InputError(`previews.namespace: leaves ${max} characters for the branch; at least ${HASH_LENGTH + 1} are needed (a namespace has at most ${DNS_LABEL_MAX})`);
  const readable = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (readable === branch && readable.length <= max && !HASH_LIKE_END.test(readable)) return readable;
  const hash = createHash("sha256").update(branch, "utf8").digest("hex").slice(0, HASH_LENGTH);
  const head = readable.slice(0, max - HASH_LENGTH - 1).replace(/-+$/, "");
  return head ? `${head}-${hash}` : hash;
}
