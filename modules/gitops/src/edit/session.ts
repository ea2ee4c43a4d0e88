/**
 * One edit of one file: the editors record what to set and add, and `finish` turns that into
 * splices of the original text, applies them all at once, re-parses the result and checks that
 * every value is where it should be. Either the whole new text comes back or an error: never a
 * partly edited file.
 */
import { isScalar, isSeq, type Node, type Scalar, type YAMLMap, type YAMLSeq } from "../vendor/yaml.js";
import { GitopsEditError } from "./errors.js";
import { addListPair, addPairs, appendEntries, type Entry, entriesUnderKey, flowList } from "./insert.js";
import { lineEnding, listIndent } from "./layout.js";
import { renderScalar } from "./scalar.js";
import { applySplices, type Splice } from "./splice.js";
import type { EditResult, ImageChange, ImageUpdate } from "./types.js";
import { formatPath, lineOf, nodeAt, type ParsedFile, parseFile, type YamlPath } from "./yaml-doc.js";

/** A value the new text must hold, checked after splicing. */
interface Expected {
  document: number;
  path: YamlPath;
  old: string | null;
  value: string;
}

/** Collects the edits of one file and applies them together. */
export class EditSession {
  private readonly splices: Splice[] = [];
  private readonly expected: Expected[] = [];
  private readonly touched = new Map<number, string>();
  private readonly added = new Map<YAMLMap, { document: number; path: YamlPath; entry: Entry }>();
  /** The file's line ending, used for every line added. */
  readonly eol: string;

  constructor(readonly parsed: ParsedFile) {
    this.eol = lineEnding(parsed.text);
  }

  /** An error about a node of this file, with its line. */
  error(document: number, path: YamlPath, node: unknown, value: string, expected: string, problem: string): GitopsEditError {
    const range = (node as Node | undefined)?.range;
    return new GitopsEditError({ file: this.parsed.file, path: formatPath(path), value, expected, document, ...(range ? { line: lineOf(this.parsed, range[0]) } : {}) }, problem);
  }

  /** Set an existing scalar to a string, keeping its quoting; nothing happens when it already holds that string. */
  setScalar(document: number, path: YamlPath, node: Scalar.Parsed, value: string): void {
    const [start, end] = node.range;
    const before = this.touched.get(start);
    if (before !== undefined) {
      if (before === value) return;
      throw this.error(document, path, node, JSON.stringify(before), "each value set once", `two updates write this value (${JSON.stringify(value)} too)`);
    }
    this.touched.set(start, value);
    if (node.value === value) return;
    if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") throw this.error(document, path, node, "a block scalar (| or >)", "a one-line value", "cannot rewrite a block scalar in place");
    let text = renderScalar(value, node.type);
    if (start === end) {
      // An empty value (`tag:`): the range sits after the colon, maybe right before a comment.
      const source = this.parsed.text;
      if (start > 0 && !/\s/.test(source[start - 1] ?? "")) text = ` ${text}`;
      if (source[start] === "#") text = `${text} `;
    }
    this.splices.push({ start, end, text, depth: path.length });
    this.expected.push({ document, path, old: oldValue(node), value });
  }

  /** Add a key to an existing mapping (keys added to the same mapping are written together, in order). */
  addKey(document: number, mapPath: YamlPath, map: YAMLMap, key: string, value: string): void {
    const pending = this.added.get(map) ?? { document, path: mapPath, entry: [] };
    pending.entry.push([key, value]);
    this.added.set(map, pending);
    this.expected.push({ document, path: [...mapPath, key], old: null, value });
  }

  /** Append entry mappings to an existing non-empty list, in the style of its last entry. */
  appendEntries(document: number, seqPath: YamlPath, seq: YAMLSeq, entries: Entry[]): void {
    if (entries.length === 0) return;
    this.splices.push(appendEntries(this.parsed.text, this.eol, seq, entries, seqPath.length + 1));
    this.expectEntries(document, seqPath, seq.items.length, entries);
  }

  /**
   * Give a mapping a list of entries under `key`: a new key when `current` is undefined, else the
   * key's current value, which is empty (`images:`), an empty flow list (`images: []`) or null (`images: ~`).
   */
  addList(document: number, mapPath: YamlPath, map: YAMLMap, key: string, entries: Entry[], current?: { key: Node; value: Node | null }): void {
    if (entries.length === 0) return;
    const { text } = this.parsed;
    const indent = listIndent(text, this.parsed.documents[document]?.contents);
    const depth = mapPath.length + 1;
    const value = current?.value;
    if (current === undefined) this.splices.push(addListPair(text, this.eol, map, key, entries, indent, mapPath.length));
    else if (isSeq(value)) this.splices.push(appendEntries(text, this.eol, value, entries, depth));
    else if (!map.flow && (value == null || (isScalar(value) && (value as Scalar.Parsed).source === ""))) this.splices.push(entriesUnderKey(text, this.eol, current.key, entries, indent, depth));
    else this.splices.push({ start: value!.range![0], end: value!.range![1], text: flowList(entries), depth });
    this.expectEntries(document, [...mapPath, key], 0, entries);
  }

  private expectEntries(document: number, seqPath: YamlPath, first: number, entries: Entry[]): void {
    entries.forEach((entry, i) => {
      for (const [key, value] of entry) this.expected.push({ document, path: [...seqPath, first + i, key], old: null, value });
    });
  }

  /** Apply everything, re-parse, check each value, and report the changes with their lines in the new text. */
  finish(unmatched: ImageUpdate[]): EditResult {
    const { file, text } = this.parsed;
    const splices = [...this.splices];
    for (const [map, { path, entry }] of this.added) splices.push(addPairs(text, this.eol, map, entry, path.length + 1));
    if (splices.length === 0) return { text, changes: [], unmatched };
    const next = applySplices(text, splices);
    let reparsed: ParsedFile;
    try {
      reparsed = parseFile(file, next);
    } catch (e) {
      throw new Error(`internal: editing ${file} produced YAML that does not parse (${(e as Error).message})`);
    }
    if (reparsed.documents.length !== this.parsed.documents.length) throw new Error(`internal: editing ${file} changed the number of YAML documents`);
    const changes: ImageChange[] = this.expected.map(({ document, path, old, value }) => {
      const node = nodeAt(reparsed.documents[document]!, path);
      if (!isScalar(node) || node.value !== value)
        throw new Error(`internal: after editing ${file}, ${formatPath(path)} holds ${JSON.stringify(isScalar(node) ? node.value : typeof node)} instead of ${JSON.stringify(value)}`);
      return { file, document, path: formatPath(path), line: lineOf(reparsed, (node as Node).range![0]), old, new: value };
    });
    // In file order, as a reviewer reads the diff.
    changes.sort((a, b) => a.document - b.document || a.line - b.line);
    return { text: next, changes, unmatched };
  }
}

/** The value before, as text: strings as they are, other scalars as written, null as null. */
function oldValue(node: Scalar.Parsed): string | null {
  if (node.value === null || node.value === undefined) return null;
  return typeof node.value === "string" ? node.value : node.source;
}
