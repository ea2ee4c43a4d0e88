/**
 * Reading deployment files: parsing with the `yaml` package's composer (every node keeps its
 * source range, which is what lets the editors splice the original text instead of re-printing
 * it), YAML paths for messages, and lookups that follow aliases and merge keys (`<<: *base`).
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseAllDocuments, type Scalar, visit, type YAMLMap, type YAMLSeq } from "../vendor/yaml.js";
import { GitopsEditError } from "./errors.js";

/** A parsed file: its documents (with source ranges) and a line counter for messages. */
export interface ParsedFile {
  file: string;
  text: string;
  documents: Document.Parsed[];
  lines: LineCounter;
}

/** Keys and sequence indices from a document's root to a node. */
export type YamlPath = (string | number)[];

/**
 * Parse every document of the file. `uniqueKeys` (the default) turns duplicate keys into errors,
 * `merge` reads `<<` as a merge key as Kubernetes' and Compose's YAML readers do.
 */
export function parseFile(file: string, text: string): ParsedFile {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { merge: true, lineCounter: lines, prettyErrors: false });
  // An empty stream comes back as an EmptyStream (an array-like without documents).
  const documents = Array.isArray(parsed) ? parsed : [];
  for (const [document, doc] of documents.entries()) {
    const error = doc.errors[0];
    if (error === undefined) continue;
    if (error.code === "DUPLICATE_KEY") {
      // The reported offset may sit on the white space before the key.
      const at = error.pos[0] + (/^\s*/.exec(text.slice(error.pos[0]))?.[0].length ?? 0);
      const key = keyAt(doc, at) ?? text.slice(at, error.pos[1]);
      const line = lines.linePos(at).line;
      throw new GitopsEditError({ file, path: "", value: `key ${JSON.stringify(key)} twice in one mapping`, expected: "each key once per mapping", line, document }, "duplicate key");
    }
    const line = lines.linePos(error.pos[0]).line;
    throw new GitopsEditError({ file, path: "", value: error.message.split("\n")[0] ?? error.code, expected: "valid YAML", line, document }, "is not valid YAML");
  }
  return { file, text, documents, lines };
}

/** The text of the mapping key that starts at an offset (where the parser reports a duplicate key). */
function keyAt(doc: Document.Parsed, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as Node | null;
      if (isScalar(key) && key.range?.[0] === offset) {
        found = String(key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Whether a document holds nothing (an empty file, a lone `---`, only comments). */
export const isEmptyDocument = (doc: Document.Parsed) => doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === "");

/** The one document of a single-document format (kustomize, helm, compose); empty documents around it are allowed. */
export function singleDocument(parsed: ParsedFile, what: string): { doc: Document.Parsed; index: number } | undefined {
  const used = parsed.documents.map((doc, index) => ({ doc, index })).filter(({ doc }) => !isEmptyDocument(doc));
  if (used.length > 1) {
    const second = used[1]!;
    throw new GitopsEditError(
      {
        file: parsed.file,
        path: "",
        value: `${used.length} YAML documents`,
        expected: `one document: ${what}`,
        line: lineOf(parsed, second.doc.contents?.range?.[0] ?? second.doc.range[0]),
        document: second.index,
      },
      "has more than one document",
    );
  }
  return used[0];
}

/** 1-based line of an offset. */
export const lineOf = (parsed: { lines: LineCounter }, offset: number) => parsed.lines.linePos(offset).line;

/** A path for messages: images[2].newTag, services["my.app"].image. */
export function formatPath(path: YamlPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z0-9_-]+$/.test(p) ? `${i === 0 ? "" : "."}${p}` : `[${JSON.stringify(p)}]`)).join("");
}

/** A short description of a node for messages: the scalar's text, or its kind. */
export function describe(node: unknown): string {
  if (node === undefined) return "nothing";
  if (isAlias(node)) return `an alias *${node.source}`;
  if (isScalar(node)) return node.value === null ? "null" : JSON.stringify(node.value);
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  return String(node);
}

/** Follow an alias to its anchored node (a non-alias comes back as it is). */
export function resolve(doc: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** The pair of a mapping whose key is the string, without merge keys. */
export function ownPair(map: YAMLMap, key: string): Pair<unknown, unknown> | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<unknown, unknown> | undefined;
}

/**
 * A key's value as a YAML reader sees it: the mapping's own pair first, then the merge sources in
 * order (`<<: *a` or `<<: [*a, *b]`). Aliases are resolved; `via` says whether a merge or alias was
 * followed, since then the node found is shared with other parts of the file.
 */
export function lookup(doc: Document.Parsed, map: YAMLMap, key: string): { node: unknown; via: boolean } | undefined {
  const own = ownPair(map, key);
  if (own) return { node: resolve(doc, own.value), via: isAlias(own.value) };
  for (const pair of map.items) {
    if (!isMergeKey(pair.key)) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const target = resolve(doc, source);
      if (!isMap(target)) continue;
      const found = lookup(doc, target, key);
      if (found) return { node: found.node, via: true };
    }
  }
  return undefined;
}

/** Whether a key is the merge key `<<` (with merge: true the yaml package gives a plain `<<` a symbol value). */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol";
}

/** The path from the document root to a node, following no alias (so the path of where its bytes are). */
export function pathTo(doc: Document.Parsed, target: Node): YamlPath | undefined {
  const walk = (node: unknown, path: YamlPath): YamlPath | undefined => {
    if (node === target) return path;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        const segment = typeof key === "symbol" ? "<<" : String(key);
        if (pair.key === target) return path;
        const found = walk(pair.value, [...path, segment]);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const found = walk(item, [...path, i]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []);
}

/** The node at a path, following no alias; undefined when a step is missing. */
export function nodeAt(doc: Document.Parsed, path: YamlPath): unknown {
  let node: unknown = doc.contents;
  for (const step of path) {
    if (typeof step === "number" && isSeq(node)) node = node.items[step];
    else if (typeof step === "string" && isMap(node)) node = step === "<<" ? node.items.find((p) => isMergeKey(p.key))?.value : ownPair(node, step)?.value;
    else return undefined;
  }
  return node;
}

/** Narrowing helpers for the parsed node kinds the editors expect. */
export const asMap = (node: unknown): YAMLMap.Parsed | undefined => (isMap(node) ? (node as YAMLMap.Parsed) : undefined);
/** Narrowing helper: a parsed sequence or undefined. */
export const asSeq = (node: unknown): YAMLSeq.Parsed | undefined => (isSeq(node) ? (node as YAMLSeq.Parsed) : undefined);
/** Narrowing helper: a parsed scalar or undefined. */
export const asScalar = (node: unknown): Scalar.Parsed | undefined => (isScalar(node) ? (node as Scalar.Parsed) : undefined);
