/**
 * Helm values files: each component's image goes to the dotted paths pipeline.yaml chooses for it
 * (environments.<env>.helm.<component>). A path must exist, except its last key when the mapping
 * above it exists (then the key is added there): a typo in a path must not quietly grow a new
 * tree the chart never reads.
 *
 * Charts that keep the registry in its own value (`image.registry` + `image.repository`, as
 * Bitnami's and most big charts do) render `<registry>/<repository>`: with a `registry` path the
 * registry and the name below it go to their own values; without one, a non-empty sibling
 * `registry` value is refused, since the chart would render `<its registry>/<our registry>/…`.
 * The digest is written as the chart reads it: `sha256:<hex>` or, with `digestFormat: bare`, the
 * hex alone (for templates that write `@sha256:{{ .digest }}`), and a value already of the
 * other shape is refused rather than doubled.
 */
import type { Node } from "../vendor/yaml.js";
import { GitopsEditError } from "./errors.js";
import { parseImage, validateUpdates } from "./reference.js";
import { EditSession } from "./session.js";
import { DIGEST_FORMATS, type EditResult, type HelmImagePaths, type ImageUpdate } from "./types.js";
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
    if (t.siblingRegistry !== undefined) {
      const registry = asScalar(ownPair(map, "registry")?.value);
      if (typeof registry?.value === "string" && registry.value.trim() !== "")
        throw session.error(
          document,
          [...mapPath, "registry"],
          registry,
          JSON.stringify(registry.value),
          `helm.${t.siblingRegistry}.registry: ${[...mapPath, "registry"].join(".")} in pipeline.yaml, so the registry goes there and ${t.path} gets the name below it`,
          `the chart keeps the registry in its own value and would render ${registry.value}/${t.value}`,
        );
    }
    if (pair === undefined) {
      merged(map, last, keys);
      session.addKey(document, mapPath, map, last, t.value);
      continue;
    }
    const scalar = asScalar(pair.value);
    if (!scalar || (scalar.value !== null && typeof scalar.value === "object"))
      throw session.error(document, keys, pair.value ?? (pair.key as Node), describe(pair.value), `a ${t.what} (a string)`, `is not a ${t.what}`);
    if (t.wrongShape && typeof scalar.value === "string" && t.wrongShape.test(scalar.value))
      throw session.error(document, keys, scalar, JSON.stringify(scalar.value), t.wrongShape.expected, t.wrongShape.problem);
    session.setScalar(document, keys, scalar, t.value);
  }
  return session.finish([]);
}

/** One value to write: its path, its value, and what to refuse finding there. */
interface Target {
  path: string;
  value: string;
  what: string;
  /** For the repository without a registry path: the component, to refuse a sibling registry value. */
  siblingRegistry?: string;
  /** A current value of the other digest format: refused, not overwritten (the chart reads the other one). */
  wrongShape?: { test: (current: string) => boolean; expected: string; problem: string };
}

/** The values to write for one update, with their paths checked. */
function pathsOf(file: string, u: ImageUpdate, index: number, paths: Record<string, HelmImagePaths>): Target[] {
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
  const format = p.digestFormat ?? "prefixed";
  if (!DIGEST_FORMATS.includes(format))
    throw new GitopsEditError({ file, path: `helm.${u.component}.digestFormat`, value: JSON.stringify(format), expected: `one of ${DIGEST_FORMATS.join(", ")}` }, "is not a digest format");
  // validateUpdates has checked the repository parses.
  const ref = parseImage(u.repository)!;
  const [registry, ...below] = ref.repository.split("/");
  const hex = u.digest.slice("sha256:".length);
  const out: Target[] = [
    p.registry === undefined ? { path: p.repository, value: u.repository, what: "repository", siblingRegistry: u.component } : { path: p.repository, value: below.join("/"), what: "repository" },
    ...(p.registry === undefined ? [] : [{ path: p.registry, value: registry!, what: "registry" }]),
    { path: p.tag, value: u.tag, what: "tag" },
    ...(p.digest === undefined
      ? []
      : [
          format === "prefixed"
            ? {
                path: p.digest,
                value: u.digest,
                what: "digest",
                wrongShape: {
                  test: (v: string) => /^[0-9a-f]{64}$/.test(v),
                  expected: `helm.${u.component}.digestFormat: bare, for a chart that reads the hex alone`,
                  problem: "holds a digest without sha256:",
                },
              }
            : {
                path: p.digest,
                value: hex,
                what: "digest",
                wrongShape: {
                  test: (v: string) => /^sha256:/.test(v),
                  expected: `helm.${u.component}.digestFormat: prefixed, for a chart that reads sha256:<hex>`,
                  problem: "holds a digest with sha256:",
                },
              },
        ]),
  ];
  for (const o of out)
    if (typeof o.path !== "string" || !DOTTED_PATH.test(o.path))
      throw new GitopsEditError({ file, path: `helm.${u.component}.${o.what}`, value: JSON.stringify(o.path), expected: PATH_SHAPE }, "is not a values path");
  return out.map((o) => ({ ...o, what: `${u.component} ${o.what}` }));
}
