/**
 * Names of preview environments. A branch name becomes part of a Kubernetes namespace, which
 * must be a DNS label: lowercase alphanumerics and '-', at most 63 characters.
 */
import { createHash } from "node:crypto";

const DNS_LABEL_MAX = 63;

/** The namespace for a branch: the template with {branch} replaced by a DNS-safe slug. */
export function previewNamespace(template: string, branch: string): string {
  const fixed = template.replace("{branch}", "").length;
  return template.replace("{branch}", branchSlug(branch, DNS_LABEL_MAX - fixed));
}

/**
 * A DNS-safe form of a branch name within `max` characters. Long names are cut and given a
 * short hash of the full name, so two long branches that share a prefix never share a namespace.
 */
export function branchSlug(branch: string, max = DNS_LABEL_MAX): string {
  const slug = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length <= max) return slug;
  const hash = createHash("sha256").update(branch).digest("hex").slice(0, 7);
  return `${slug.slice(0, max - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}
