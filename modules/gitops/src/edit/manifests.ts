/**
 * Plain Kubernetes manifests (any number of documents): `containers[*].image` and
 * `initContainers[*].image` of the Pod spec of each workload kind below get
 * `<repository>:<sha>@<digest>` when they name an updated repository. Other kinds are left alone.
 */
import type { Document, YAMLMap } from "../vendor/yaml.js";
import { editImageField } from "./image-field.js";
import { validateUpdates } from "./reference.js";
import { EditSession } from "./session.js";
import type { EditResult, ImageUpdate } from "./types.js";
import { asMap, asScalar, asSeq, describe, isEmptyDocument, lookup, parseFile, type YamlPath } from "./yaml-doc.js";

/** Where each workload kind keeps its Pod spec. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Pin the images of every workload's containers and init containers that name an updated repository. */
export function editManifests(text: string, file: string, updates: readonly ImageUpdate[]): EditResult {
  validateUpdates(file, updates);
  const parsed = parseFile(file, text);
  const session = new EditSession(parsed);
  const matched = new Set<ImageUpdate>();
  const references: string[] = [];
  parsed.documents.forEach((doc, document) => {
    if (isEmptyDocument(doc)) return;
    const root = asMap(doc.contents);
    if (!root) throw session.error(document, [], doc.contents, describe(doc.contents), "a Kubernetes object: a mapping with apiVersion and kind", "is not a Kubernetes object");
    const kind = asScalar(lookup(doc, root, "kind")?.node)?.value;
    if (typeof kind !== "string") throw session.error(document, ["kind"], root, describe(lookup(doc, root, "kind")?.node), "the object's kind, e.g. Deployment", "has no kind");
    const specPath = POD_SPEC_PATHS[kind];
    if (specPath === undefined) return;
    const spec = podSpec(session, doc, document, root, kind, specPath);
    for (const field of ["containers", "initContainers"]) {
      const list = lookup(doc, spec, field);
      if (list === undefined && field === "initContainers") continue;
      const seq = asSeq(list?.node);
      const listPath: YamlPath = [...specPath, field];
      if (!seq)
        throw session.error(document, listPath, list?.node ?? spec, list ? describe(list.node) : `no ${field}`, `a list of containers (the Pod spec of a ${kind})`, `is not a list of containers`);
      seq.items.forEach((container, i) => {
        const update = editImageField(session, doc, document, [...listPath, i], container, updates, "container", references);
        if (update) matched.add(update);
      });
    }
  });
  return { ...session.finish(updates.filter((u) => !matched.has(u))), references };
}

/** The Pod spec mapping of a workload, or an error naming the first missing step. */
function podSpec(session: EditSession, doc: Document.Parsed, document: number, root: YAMLMap.Parsed, kind: string, path: readonly string[]): YAMLMap.Parsed {
  let map = root;
  for (const [i, key] of path.entries()) {
    const next = lookup(doc, map, key);
    const nextMap = asMap(next?.node);
    if (!nextMap)
      throw session.error(
        document,
        path.slice(0, i + 1),
        next?.node ?? map,
        next ? describe(next.node) : "nothing",
        `a mapping: a ${kind} keeps its Pod spec at ${path.join(".")}`,
        "is not a mapping",
      );
    map = nextMap;
  }
  return map;
}
