/**
 * An `image:` field of a Compose service or a Kubernetes container: when its repository is one
 * of the updates', it becomes `<repository>:<sha>@<digest>`. Aliases are followed to the anchored
 * value (which then changes for every user of the anchor; they all name the same image).
 */
import type { Document } from "../vendor/yaml.js";
import { namesRepository, pinnedReference } from "./reference.js";
import type { EditSession } from "./session.js";
import type { ImageUpdate } from "./types.js";
import { asMap, asScalar, describe, lookup, pathTo, type YamlPath } from "./yaml-doc.js";

/** Rewrite the `image` of a service or container mapping if it names an updated repository; returns the update it matched (and adds the reference to `seen`). */
export function editImageField(
  session: EditSession,
  doc: Document.Parsed,
  document: number,
  ownerPath: YamlPath,
  owner: unknown,
  updates: readonly ImageUpdate[],
  what: string,
  seen?: string[],
): ImageUpdate | undefined {
  const map = asMap(owner);
  if (!map) throw session.error(document, ownerPath, owner, describe(owner), `${what}: a mapping`, `is not a ${what}`);
  const found = lookup(doc, map, "image");
  if (found === undefined) return undefined;
  const scalar = asScalar(found.node);
  if (scalar && scalar.value === null) return undefined;
  const at = scalar ? (pathTo(doc, scalar) ?? [...ownerPath, "image"]) : [...ownerPath, "image"];
  if (!scalar || typeof scalar.value !== "string")
    throw session.error(document, at, found.node, describe(found.node), "an image reference (a string such as registry.example.com/acme/app:<tag>)", "is not an image reference");
  const reference = scalar.value;
  seen?.push(reference);
  const update = updates.find((u) => namesRepository(reference, u.repository));
  if (update) session.setScalar(document, at, scalar, pinnedReference(update));
  return update;
}
