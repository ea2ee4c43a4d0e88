/** What the GitOps write-back editors take and give: image updates in, new text and a change list out. */

/** One published image to roll out: where it lives, its git SHA tag and its digest. */
export interface ImageUpdate {
  /** Image repository without tag or digest, e.g. registry.example.com/acme/webshop/backend. */
  repository: string;
  /** The release's full git SHA (40 lowercase hex digits); never `latest`. */
  tag: string;
  /** The image manifest digest, sha256:<64 lowercase hex digits>. */
  digest: string;
  /** The pipeline.yaml component the image belongs to; Helm needs it, since its paths are chosen per component. */
  component?: string;
}

/** Dotted Helm values paths of one component's image, as in pipeline.yaml (environments.<env>.helm.<component>). */
export interface HelmImagePaths {
  /** Path of the image repository, e.g. backend.image.repository. */
  repository: string;
  /** Path of the tag (set to the git SHA), e.g. backend.image.tag. */
  tag: string;
  /** Path of the digest, when the chart takes one, e.g. backend.image.digest. */
  digest?: string;
  /**
   * Path of the registry, for charts that keep it in its own value (Bitnami's image.registry):
   * the registry goes there and the repository path gets the name below it.
   */
  registry?: string;
  /** What the digest path holds: `prefixed` sha256:<64 hex> (default; Bitnami), or `bare` hex for charts whose template writes @sha256:{{ .digest }}. */
  digestFormat?: DigestFormat;
}

/** How a chart wants its digest value. */
export type DigestFormat = "prefixed" | "bare";

/** The digest formats, for messages and checks. */
export const DIGEST_FORMATS: readonly DigestFormat[] = ["prefixed", "bare"];

/** One value an editor wrote. */
export interface ImageChange {
  /** The file, as given to the editor. */
  file: string;
  /** 0-based index of the YAML document in the file (manifests may hold several). */
  document: number;
  /** YAML path of the value, e.g. images[2].newTag or services.backend.image. */
  path: string;
  /** 1-based line of the value in the new text. */
  line: number;
  /** The value before, or null when the key was added. */
  old: string | null;
  /** The value written. */
  new: string;
}

/** An editor's answer: the whole new text (identical to the input when nothing changed) and what changed. */
export interface EditResult {
  text: string;
  changes: ImageChange[];
  /** Updates whose repository the file does not reference (compose, manifests; kustomize and helm always write). */
  unmatched: ImageUpdate[];
  /** The image references the file holds (compose, manifests), so a refusal can show what it found. */
  references?: string[];
}

/** The deployment file formats of pipeline.yaml (environments.<env>.format). */
export type EditFormat = "kustomize" | "helm" | "compose" | "manifests";
