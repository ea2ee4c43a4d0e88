/**
 * Whether a file is a kustomization at all, before `images:` is written to it: a Deployment or a
 * Helm values file given as the environment's kustomization must be refused, not grown an
 * `images:` list nothing reads.
 */
import type { YAMLMap } from "../vendor/yaml.js";
import type { EditSession } from "./session.js";
import { asScalar, ownPair } from "./yaml-doc.js";

/** The kinds kustomize builds from (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/). */
const KINDS = ["Kustomization", "Component"];
/** The API group of both kinds. */
const API_GROUP = "kustomize.config.k8s.io/";
/** The fields of a kustomization (kustomize's api/types/kustomization.go), for files without apiVersion and kind. */
const FIELDS = new Set([
  "resources",
  "bases",
  "components",
  "crds",
  "images",
  "replicas",
  "replacements",
  "vars",
  "namespace",
  "namePrefix",
  "nameSuffix",
  "commonLabels",
  "labels",
  "commonAnnotations",
  "patches",
  "patchesStrategicMerge",
  "patchesJson6902",
  "configMapGenerator",
  "secretGenerator",
  "generatorOptions",
  "helmCharts",
  "helmGlobals",
  "helmChartInflationGenerator",
  "configurations",
  "generators",
  "transformers",
  "validators",
  "openapi",
  "buildMetadata",
  "sortOptions",
]);

/** Throw unless the root mapping is a kustomization: kind Kustomization or Component, or (both omitted) a kustomization field. */
export function assertKustomization(session: EditSession, document: number, root: YAMLMap): void {
  const expected = `a kustomization (kind: Kustomization or Component, apiVersion: ${API_GROUP}…, or without both, fields such as resources and images)`;
  const kindPair = ownPair(root, "kind");
  if (kindPair !== undefined) {
    const kind = asScalar(kindPair.value)?.value;
    if (typeof kind !== "string" || !KINDS.includes(kind)) throw session.error(document, ["kind"], kindPair.value ?? root, JSON.stringify(kind ?? null), expected, "is not a kustomization");
  }
  const apiPair = ownPair(root, "apiVersion");
  if (apiPair !== undefined) {
    const api = asScalar(apiPair.value)?.value;
    if (typeof api !== "string" || !api.startsWith(API_GROUP)) throw session.error(document, ["apiVersion"], apiPair.value ?? root, JSON.stringify(api ?? null), expected, "is not a kustomization");
  }
  if (kindPair !== undefined || apiPair !== undefined) return;
  const keys = root.items.map((p) => String(asScalar(p.key)?.value));
  if (!keys.some((k) => FIELDS.has(k))) throw session.error(document, [], root, keys.length === 0 ? "an empty mapping" : `the keys ${keys.slice(0, 5).join(", ")}`, expected, "is not a kustomization");
}
