/**
 * Helm values files: each component's image goes to the dotted paths pipeline.yaml chooses for it
 * (environments.<env>.helm.<component>). A path must exist, except its last key when the mapping
 * above it exists (then the key is added there): a typo in a path must not quietly grow a new
 * tree the chart never reads.
 */
import type { Node } from "../vendor/yaml.js";
import { GitopsEditError } from "./errors.js";
import { validateUpdates } from "./reference.js";
import { EditSession } from "./session.js";
import type { EditResult, HelmImagePaths, ImageUpdate } from "./types.js";
import { asMap, asScalar, describe, lookup, ownPair, parseFile, singleDocument, type YamlPath } from "./yaml-doc.js";

/** Options of the Helm editor: the image paths of each component, keyed by component name. */
export interface HelmOptions {
  paths: Record<string, HelmImagePaths>;
}

/** The rule pipeline.yaml applies to a values path. */
const DOTTED_PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
/** What a values path looks like, for messages. */
const PATH_SHAPE = "a dotted values path such as backend.image.tag";

/** Write each update's repository, tag and (when a path is given) digest to its component's values paths. */
export function editHelmValues(text: string, file: string, updates: readonly ImageUpdate[], options: HelmOptions): EditResult {
  validateUpdates(file, updates);
  const targets = updates.flatMap((u, i) => pathsOf(file, u, i, options.paths));
  const seen = new Map<string, string>();
  for (const t of targets) {
    const before = seen.get(t.path);
    if (before !== undefined) throw new GitopsEditError({ file, path: t.path, value: `${before} and ${t.what}`, expected: "a distinct values path for each value" }, "is the target of two values");
    seen.set(t.path, t.what);
  }
  const parsed = parseFile(file, text);
  const session = new EditSession(parsed);
  const found = singleDocument(parsed, "Helm values (a mapping)");
  const document = found?.index ?? 0;
  const root = asMap(found?.doc.contents);
  if (!root) throw session.error(document, [], found?.doc.contents, found ? describe(found.doc.contents) : "an empty file", "Helm values: a mapping", "is not a values mapping");
  for (const t of targets) {
    const keys = t.path.split(".");
    let map = root;
    const merged = (m: typeof root, key: string, at: YamlPath) => {
      // Through `<<: *anchor` the value is shared with every mapping merging the anchor: editing it there would move them too.
      if (found && lookup(found.doc, m, key))
        throw session.error(document, at, m, "a value merged in with <<", `${t.path} written out in this mapping`, `values path ${t.path} comes from a merge key`);
    };
    for (const [depth, key] of keys.slice(0, -1).entries()) {
      const at: YamlPath = keys.slice(0, depth + 1);
      const pair = ownPair(map, key);
      if (pair === undefined) {
        merged(map, key, at);
        throw session.error(
          document,
          keys.slice(0, depth),
          map,
          `no key ${JSON.stringify(key)}`,
          `an existing mapping at ${keys.slice(0, -1).join(".")} (only the last key of a path is added)`,
          `values path ${t.path} does not exist`,
        );
      }
      const next = asMap(pair.value);
      if (!next) throw session.error(document, at, pair.value, describe(pair.value), `a mapping (the path ${t.path} goes through it)`, "is not a mapping");
      map = next;
    }
    const last = keys[keys.length - 1]!;
    const pair = ownPair(map, last);
    const mapPath = keys.slice(0, -1);
    if (pair === undefined) {
      merged(map, last, keys);
      session.addKey(document, mapPath, map, last, t.value);
      continue;
    }
    const scalar = asScalar(pair.value);
    if (!scalar || (scalar.value !== null && typeof scalar.value === "object"))
      throw session.error(document, keys, pair.value ?? (pair.key as Node), describe(pair.value), `a ${t.what} (a string)`, `is not a ${t.what}`);
    session.setScalar(document, keys, scalar, t.value);
  }
  return session.finish([]);
}

/** The values to write for one update, with their paths checked. */
function pathsOf(file: string, u: ImageUpdate, index: number, paths: Record<string, HelmImagePaths>): { path: string; value: string; what: string }[] {
  const components = Object.keys(paths);
  if (u.component === undefined)
    throw new GitopsEditError(
      { file, path: `updates[${index}].component`, value: "nothing", expected: `the component whose Helm paths to use (${components.join(", ") || "none configured"})` },
      "Helm values need the update's component",
    );
  const p = Object.hasOwn(paths, u.component) ? paths[u.component] : undefined;
  if (p === undefined)
    throw new GitopsEditError(
      {
        file,
        path: `helm.${u.component}`,
        value: "no paths",
        expected: `paths for each updated component (configured: ${components.join(", ") || "none"}), e.g. ${u.component}: { repository: ${u.component}.image.repository, tag: ${u.component}.image.tag }`,
      },
      `no Helm values paths for component ${u.component}`,
    );
  const out = [
    { path: p.repository, value: u.repository, what: "repository" },
    { path: p.tag, value: u.tag, what: "tag" },
    ...(p.digest === undefined ? [] : [{ path: p.digest, value: u.digest, what: "digest" }]),
  ];
  for (const o of out)
    if (typeof o.path !== "string" || !DOTTED_PATH.test(o.path))
      throw new GitopsEditError({ file, path: `helm.${u.component}.${o.what}`, value: JSON.stringify(o.path), expected: PATH_SHAPE }, "is not a values path");
  return out.map((o) => ({ ...o, what: `${u.component} ${o.what}` }));
}
