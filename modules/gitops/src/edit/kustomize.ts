/**
 * The `images:` list of a kustomization.yaml
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/images/).
 *
 * For each update, the entry whose `name` names the repository is updated; when no entry's name
 * does, the entries whose `newName` does (the common `name: <placeholder in the base>,
 * newName: <real repository>` pattern, where matching by name alone would add an entry that
 * matches nothing in the base). Such an entry gets `newName` (kept when it already names the
 * repository), `newTag: <git sha>` and `digest: <sha256:…>`. A repository no entry names is
 * appended as a new entry; a kustomization without `images:` gets the key at its end.
 *
 * Both newTag and digest are written. The kustomization reference and the Image type's comment
 * still say the digest wins over the tag, but since kubernetes-sigs/kustomize PR #4406 (see issue
 * #5664) both are kept and the build says `<name>:<sha>@<digest>` (test/gitops/render.integration.ts
 * shows it with kustomize v5.8.2): the container runtime pulls by digest (byte-identical to what
 * was tested, R-BUILD-5) and people reading the manifest see the commit (R-BUILD-6). Kustomize
 * from before that change drops the tag (issue #2234) and still pulls the same digest.
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from "../vendor/yaml.js";
import type { Entry } from "./insert.js";
import { assertKustomization } from "./kustomization-kind.js";
import { namesRepository, validateUpdates } from "./reference.js";
import { EditSession } from "./session.js";
import type { EditResult, ImageUpdate } from "./types.js";
import { asMap, asScalar, asSeq, describe, ownPair, parseFile, singleDocument, type YamlPath } from "./yaml-doc.js";

/** What a kustomization looks like, for messages. */
const KUSTOMIZATION = "a kustomization: a mapping with resources, images, …";
/** What an images entry looks like, for messages. */
const ENTRY = "an images entry: a mapping with name and newName, newTag or digest";

/** The keys written for an update, in kustomize's documented order. */
const newEntry = (u: ImageUpdate): Entry => [
  ["name", u.repository],
  ["newName", u.repository],
  ["newTag", u.tag],
  ["digest", u.digest],
];

/** Point the kustomization's images at the updates; see the file comment for the rules. */
export function editKustomization(text: string, file: string, updates: readonly ImageUpdate[]): EditResult {
  validateUpdates(file, updates);
  const parsed = parseFile(file, text);
  const session = new EditSession(parsed);
  const found = singleDocument(parsed, KUSTOMIZATION);
  if (found === undefined) throw session.error(0, [], undefined, "an empty file", KUSTOMIZATION, "is not a kustomization");
  const { doc, index: document } = found;
  const root = asMap(doc.contents);
  if (!root) throw session.error(document, [], doc.contents, describe(doc.contents), KUSTOMIZATION, "is not a kustomization");
  assertKustomization(session, document, root);
  const imagesPair = ownPair(root, "images");
  const images = imagesPair?.value;
  if (imagesPair !== undefined && images !== null && !isSeq(images) && !(isScalar(images) && images.value === null))
    throw session.error(document, ["images"], images, describe(images), "a list of images entries", "is not a list");
  const entries = asSeq(images)?.items ?? [];
  entries.forEach((entry, i) => {
    if (!isMap(entry)) throw session.error(document, ["images", i], entry, describe(entry), ENTRY, "is not an images entry");
    for (const key of ["name", "newName"]) {
      const value = ownPair(entry, key)?.value;
      if (value !== undefined && !(isScalar(value) && typeof value.value === "string"))
        throw session.error(document, ["images", i, key], value, describe(value), "an image name (a string)", "is not an image name");
    }
    if (!ownPair(entry, "name") && !ownPair(entry, "newName")) throw session.error(document, ["images", i], entry, "an entry without name", ENTRY, "names no image");
  });
  const maps = entries as YAMLMap[];
  const field = (entry: YAMLMap, key: string) => asScalar(ownPair(entry, key)?.value)?.value as string | undefined;

  const toAppend: ImageUpdate[] = [];
  for (const u of updates) {
    const byName = maps.flatMap((m, i) => (namesRepository(field(m, "name") ?? "", u.repository) ? [i] : []));
    if (byName.length > 1)
      throw session.error(
        document,
        ["images", byName[1]!, "name"],
        maps[byName[1]!],
        JSON.stringify(field(maps[byName[1]!]!, "name")),
        `one entry per image (images[${byName[0]}] names it too)`,
        "names the same image twice",
      );
    const matched = byName.length > 0 ? byName : maps.flatMap((m, i) => (namesRepository(field(m, "newName") ?? "", u.repository) ? [i] : []));
    if (matched.length === 0) toAppend.push(u);
    for (const i of matched) updateEntry(session, document, ["images", i], maps[i]!, u);
  }
  const appended = toAppend.map(newEntry);
  const seq = asSeq(images);
  if (seq && seq.items.length > 0) session.appendEntries(document, ["images"], seq, appended);
  else session.addList(document, [], root, "images", appended, imagesPair && { key: imagesPair.key as Node, value: images as Node });
  return session.finish([]);
}

/** Set newName (unless it already names the repository), newTag and digest of one entry. */
function updateEntry(session: EditSession, document: number, path: YamlPath, entry: YAMLMap, u: ImageUpdate): void {
  const set = (key: string, value: string, keep?: (current: string) => boolean) => {
    const pair = ownPair(entry, key);
    if (pair === undefined) return session.addKey(document, path, entry, key, value);
    const scalar = asScalar(pair.value);
    if (!scalar || (scalar.value !== null && typeof scalar.value !== "string" && typeof scalar.value !== "number"))
      throw session.error(document, [...path, key], pair.value, describe(pair.value), "a string", `is not a ${key}`);
    if (keep && typeof scalar.value === "string" && keep(scalar.value)) return;
    session.setScalar(document, [...path, key], scalar, value);
  };
  set("newName", u.repository, (current) => namesRepository(current, u.repository));
  set("newTag", u.tag);
  set("digest", u.digest);
}
