/**
 * Compose files: every service whose `image` names an updated repository (Docker Hub shorthand,
 * registry ports, tag and digest all understood) gets `image: <repository>:<sha>@<digest>`. Images
 * that are not plain references (`${IMAGE}:${TAG}`) match nothing and stay as they are.
 */
import { editImageField } from "./image-field.js";
import { validateUpdates } from "./reference.js";
import { EditSession } from "./session.js";
import type { EditResult, ImageUpdate } from "./types.js";
import { asMap, describe, lookup, parseFile, singleDocument } from "./yaml-doc.js";

/** What a Compose file looks like, for messages. */
const COMPOSE = "a Compose file: a mapping with a services mapping";

/** Pin every service image of an updated repository to the update's tag and digest. */
export function editCompose(text: string, file: string, updates: readonly ImageUpdate[]): EditResult {
  validateUpdates(file, updates);
  const parsed = parseFile(file, text);
  const session = new EditSession(parsed);
  const found = singleDocument(parsed, COMPOSE);
  const document = found?.index ?? 0;
  const root = asMap(found?.doc.contents);
  if (!found || !root) throw session.error(document, [], found?.doc.contents, found ? describe(found.doc.contents) : "an empty file", COMPOSE, "is not a Compose file");
  const services = lookup(found.doc, root, "services");
  const map = asMap(services?.node);
  if (!map)
    throw session.error(document, ["services"], services?.node ?? root, services ? describe(services.node) : "no services key", "a mapping of service names to services", "is not a services mapping");
  const matched = new Set<ImageUpdate>();
  const references: string[] = [];
  for (const pair of map.items) {
    const name = String((pair.key as { value?: unknown } | null)?.value);
    const update = editImageField(session, found.doc, document, ["services", name], pair.value, updates, "service", references);
    if (update) matched.add(update);
  }
  return { ...session.finish(updates.filter((u) => !matched.has(u))), references };
}
