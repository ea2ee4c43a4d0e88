/** The GitOps write-back editors behind one call: rewrite a deployment file's image references for a release. */
import { editCompose } from "./compose.js";
import { GitopsEditError } from "./errors.js";
import { editHelmValues, type HelmOptions } from "./helm.js";
import { editKustomization } from "./kustomize.js";
import { editManifests } from "./manifests.js";
import type { EditFormat, EditResult, ImageUpdate } from "./types.js";

/** The error and types callers of applyImageUpdates need. */
export { GitopsEditError } from "./errors.js";
export type { HelmOptions } from "./helm.js";
export type { EditFormat, EditResult, HelmImagePaths, ImageChange, ImageUpdate } from "./types.js";

/** Options of applyImageUpdates; `helm` is required for the helm format. */
export interface ApplyOptions {
  helm?: HelmOptions;
}

/** The formats there are editors for, for messages. */
const FORMATS: readonly EditFormat[] = ["kustomize", "helm", "compose", "manifests"];

/**
 * Apply image updates to one deployment file of the given format: the whole new text (equal to
 * the input when nothing changed) and the changes, or a GitopsEditError.
 */
export function applyImageUpdates(format: EditFormat, text: string, path: string, updates: readonly ImageUpdate[], options: ApplyOptions = {}): EditResult {
  switch (format) {
    case "kustomize":
      return editKustomization(text, path, updates);
    case "helm":
      if (!options.helm)
        throw new GitopsEditError(
          { file: path, path: "", value: "no Helm paths", expected: "options.helm.paths: the image paths of each component (environments.<env>.helm)" },
          "the helm format needs values paths",
        );
      return editHelmValues(text, path, updates, options.helm);
    case "compose":
      return editCompose(text, path, updates);
    case "manifests":
      return editManifests(text, path, updates);
    default:
      throw new GitopsEditError({ file: path, path: "", value: JSON.stringify(format), expected: `one of ${FORMATS.join(", ")}` }, "unknown deployment file format");
  }
}
