/**
 * The module's edit functions without the engine: their string arguments parsed and checked, the
 * editors run on every deployment file of an environment, and a write that would deploy nothing
 * refused. An editor reports an image it cannot find (`${REGISTRY}/app` in Compose, a component
 * the file does not run) as unmatched; dropping that silently let promotion commit the new state
 * with the old images running, so every image must be named by at least one of the files.
 */
import { applyImageUpdates, type EditFormat, GitopsEditError, type HelmImagePaths, type ImageUpdate } from "./edit/index.js";
import { DIGEST_FORMATS } from "./edit/types.js";
import { isSha256Digest, parseImageReference } from "./vendor/image-reference.js";

/** One deployment file: its path in the repository and its text. */
export interface DeploymentFile {
  path: string;
  text: string;
}

/** The keys of a component's Helm paths, for checking the JSON argument. */
const HELM_KEYS = ["repository", "tag", "digest", "registry", "digestFormat"] as const;

/** registry/name=<tag>@sha256:<digest> as an image update (the repository as written; the editors check the rest). */
export function parseUpdate(arg: string): ImageUpdate {
  const eq = arg.indexOf("=");
  // registry/name=<tag>@<digest> is the reference registry/name:<tag>@<digest>, written so that the repository stands alone.
  const ref = eq > 0 ? parseImageReference(`${arg.slice(0, eq)}:${arg.slice(eq + 1)}`) : undefined;
  if (ref?.tag === undefined || ref.digest === undefined || !isSha256Digest(ref.digest)) throw new Error(`updates: "${arg}" is not registry/name=<tag>@sha256:<64 hex>`);
  return { repository: arg.slice(0, eq), tag: ref.tag, digest: ref.digest };
}

/** The helmPaths argument: JSON of {"<registry/name>": {repository, tag, digest?, registry?, digestFormat?}}, checked. */
export function parseHelmPaths(json: string): Record<string, HelmImagePaths> {
  const shape = `JSON of {"<registry/name>": {"repository": "<path>", "tag": "<path>", "digest"?: "<path>", "registry"?: "<path>", "digestFormat"?: "${DIGEST_FORMATS.join('" | "')}"}}`;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`helmPaths: is not JSON (${(e as Error).message}); expected ${shape}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`helmPaths: ${JSON.stringify(value)} is not an object; expected ${shape}`);
  for (const [image, paths] of Object.entries(value)) {
    if (typeof paths !== "object" || paths === null || Array.isArray(paths)) throw new Error(`helmPaths.${image}: ${JSON.stringify(paths)} is not an object; expected ${shape}`);
    for (const [key, v] of Object.entries(paths)) {
      if (!(HELM_KEYS as readonly string[]).includes(key)) throw new Error(`helmPaths.${image}.${key}: unknown key; expected one of ${HELM_KEYS.join(", ")}`);
      if (typeof v !== "string") throw new Error(`helmPaths.${image}.${key}: ${JSON.stringify(v)} is not a string`);
    }
    for (const key of ["repository", "tag"]) if (!(key in paths)) throw new Error(`helmPaths.${image}.${key}: missing; expected ${shape}`);
  }
  return value as Record<string, HelmImagePaths>;
}

/**
 * Every deployment file of one environment with the updates applied (in the same order), or a
 * GitopsEditError: for no update at all, and for an update no file names (the message names the
 * files, the image and the image references the files do hold). Files that name none of the
 * images (a Service next to the Deployment) come back unchanged.
 */
export function editDeploymentFiles(format: EditFormat, files: readonly DeploymentFile[], updates: readonly ImageUpdate[], helm: Record<string, HelmImagePaths> = {}): DeploymentFile[] {
  const where = files.map((f) => f.path).join(", ") || "(no file)";
  if (files.length === 0) throw new GitopsEditError({ file: where, path: "", value: "no deployment file", expected: "at least one file to write the images to" }, "nothing to edit");
  if (updates.length === 0)
    throw new GitopsEditError({ file: where, path: "updates", value: "none", expected: "at least one image as registry/name=<tag>@sha256:<digest>" }, "a write must change an image");
  // Helm paths are chosen per image: the repository stands for the component.
  const withComponents = updates.map((u) => ({ ...u, component: u.component ?? u.repository }));
  const results = files.map((f) => ({ path: f.path, result: applyImageUpdates(format, f.text, f.path, withComponents, format === "helm" ? { helm: { paths: helm } } : {}) }));
  const unmatched = withComponents.filter((u) => results.every(({ result }) => result.unmatched.some((x) => x.repository === u.repository)));
  if (unmatched.length > 0) {
    const found = [...new Set(results.flatMap(({ result }) => result.references ?? []))];
    const images = unmatched.map((u) => u.repository);
    throw new GitopsEditError(
      {
        file: where,
        path: "",
        value: found.length ? `the images ${found.join(", ")}` : "no image",
        expected: `an image field naming ${images.join(" and ")} literally, with or without tag and digest (a variable such as \${REGISTRY}/app names nothing the pipeline can match: write the repository out)`,
      },
      `no ${format === "compose" ? "service" : "container"} image names ${images.join(", ")}, so promotion would deploy nothing for ${images.length === 1 ? "it" : "them"}`,
    );
  }
  return results.map(({ path, result }) => ({ path, text: result.text }));
}
