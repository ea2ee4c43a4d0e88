/**
 * Preview environments: one Kustomize overlay per branch in the GitOps repository
 * (<previews.path>/<namespace>/), putting the branch's images into namespace preview-<branch>
 * (a DNS label unique to the branch: plan/preview.ts) over a shared base. Argo CD or Flux on
 * the K3s cluster deploys what the folder says; deleting the folder removes the preview.
 */
import { posix } from "node:path";
import { Document } from "../vendor/yaml.js";
import type { PipelineConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { DNS_LABEL, previewFolder, previewNamespace } from "../plan/preview.js";

/** One image of the preview: the component's repository with the branch build's tag and digest. */
export interface PreviewImage {
  repository: string;
  tag: string;
  digest: string;
}

/** The namespace and folder of a branch's preview. */
export function previewOf(config: PipelineConfig, branch: string): { namespace: string; folder: string } {
  if (!branch.trim()) throw new InputError("branch: a preview needs the branch name, e.g. feature/new-checkout");
  const namespace = previewNamespace(config.previews.namespace, branch);
  return { namespace, folder: previewFolder(config.previews.path, namespace) };
}

/**
 * The preview folders (names under previews.path) whose branch is gone: those that are no live
 * branch's namespace. Names that cannot be a preview's (not of the namespace template's shape,
 * e.g. a README) are never stale. No live branch at all is refused: a failed branch listing
 * must never delete every preview.
 */
export function stalePreviews(config: PipelineConfig, folders: string[], liveBranches: string[]): string[] {
  const live = liveBranches.map((b) => b.trim().replace(/^refs\/heads\//, "")).filter((b) => b !== "");
  if (live.length === 0) throw new InputError("branches: no live branch given; pass every branch of the repository (git ls-remote --heads), so only previews of deleted branches are removed");
  const keep = new Set(live.map((b) => previewOf(config, b).namespace));
  const [prefix = "", suffix = ""] = config.previews.namespace.split("{branch}");
  const preview = (f: string) => DNS_LABEL.test(f) && f.length > prefix.length + suffix.length && f.startsWith(prefix) && f.endsWith(suffix);
  return folders.filter((f) => preview(f) && !keep.has(f)).sort();
}

/** The Kustomize base previews overlay. */
export function previewBase(config: PipelineConfig): string {
  if (config.previews.base) return config.previews.base.replace(/\/+$/, "");
  const env = Object.values(config.environments).find((e) => e.on === "push" && e.format === "kustomize");
  if (!env) throw new InputError("previews.base: no kustomize environment is promoted on push to overlay; set previews.base to a Kustomize base in the GitOps repository");
  return env.path.replace(/\/+$/, "");
}

/** A Kubernetes label value for the branch (63 characters, alphanumerics at both ends). */
const labelValue = (branch: string) =>
  branch
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");

/** The preview's files: its Namespace and its kustomization over the base, with the branch's images. */
export function previewFiles(config: PipelineConfig, branch: string, images: PreviewImage[]): Record<string, string> {
  const { namespace, folder } = previewOf(config, branch);
  const base = posix.relative(folder, previewBase(config));
  const ns = new Document({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace, labels: { "app.kubernetes.io/part-of": config.name, "pipeline-as-code/preview": "true", "pipeline-as-code/branch": labelValue(branch) } },
  });
  const kustomization = new Document({
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    namespace,
    resources: ["namespace.yaml", base],
    images: images.map((i) => ({ name: i.repository, newName: i.repository, newTag: i.tag, digest: i.digest })),
  });
  kustomization.commentBefore = ` Preview of branch ${branch}, written by the pipeline; deleted with the branch.`;
  return { [`${folder}/namespace.yaml`]: ns.toString(), [`${folder}/kustomization.yaml`]: kustomization.toString() };
}
