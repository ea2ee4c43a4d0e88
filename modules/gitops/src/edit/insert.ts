/**
 * Text for what the editors add: keys at the end of a mapping, an entry at the end of a list, a
 * new `key:` with a list under it. Block collections get lines indented like their neighbours,
 * flow collections get `, key: value` inside their brackets.
 */
import type { Node, YAMLMap, YAMLSeq } from "../vendor/yaml.js";
import { columnOf, endOf, entryPrefix, flowPadding, keyColumn, nextLineStart } from "./layout.js";
import { renderScalar } from "./scalar.js";
import type { Splice } from "./splice.js";

/** Keys and (string) values of a mapping to write, in order. */
export type Entry = [key: string, value: string][];

const pair = ([key, value]: [string, string]) => `${renderScalar(key, "PLAIN")}: ${renderScalar(value, "PLAIN")}`;
const flowMap = (entry: Entry, pad: string) => `{${pad}${entry.map(pair).join(", ")}${pad}}`;

/** Block lines of an entry: the first behind `prefix` (e.g. "  - "), the others at the prefix's width. */
function blockEntry(entry: Entry, prefix: string, eol: string): string {
  const indent = " ".repeat(prefix.length);
  return entry.map((p, i) => `${i === 0 ? prefix : indent}${pair(p)}${eol}`).join("");
}

/**
 * Insert block lines at the start of the line after `end`. A file without a final line break
 * keeps it that way: the lines then go after a line break instead of before one.
 */
function atNextLine(text: string, end: number, lines: string, eol: string, depth: number): Splice {
  const at = nextLineStart(text, end);
  const unterminated = at === text.length && at > 0 && !text.endsWith("\n");
  return { start: at, end: at, text: unterminated ? eol + lines.slice(0, -eol.length) : lines, depth };
}

/** Add pairs at the end of an existing (non-empty block, or flow) mapping. */
export function addPairs(text: string, eol: string, map: YAMLMap, entry: Entry, depth: number): Splice {
  if (map.flow) return intoFlow(text, map, entry.map(pair).join(", "), depth);
  const indent = " ".repeat(keyColumn(text, map));
  return atNextLine(text, endOf(map.items[map.items.length - 1]), entry.map((p) => `${indent}${pair(p)}${eol}`).join(""), eol, depth);
}

/** Append entries to a (non-empty block, or flow) list, in the style of its last entry. */
export function appendEntries(text: string, eol: string, seq: YAMLSeq, entries: Entry[], depth: number): Splice {
  const last = seq.items[seq.items.length - 1] as (Node & { flow?: boolean }) | undefined;
  const pad = last?.flow ? flowPadding(text, last) : "";
  if (seq.flow) return intoFlow(text, seq, entries.map((e) => flowMap(e, pad)).join(", "), depth);
  const prefix = entryPrefix(text, last as Node);
  const lines = entries.map((e) => (last?.flow ? `${prefix}${flowMap(e, pad)}${eol}` : blockEntry(e, prefix, eol))).join("");
  return atNextLine(text, endOf(last), lines, eol, depth);
}

/**
 * Add `key:` with a block list of entries at the end of a block mapping (or `key: [{…}]` in a
 * flow mapping); `listIndent` is how far the file indents lists under their key.
 */
export function addListPair(text: string, eol: string, map: YAMLMap, key: string, entries: Entry[], listIndent: number, depth: number): Splice {
  if (map.flow) return intoFlow(text, map, `${renderScalar(key, "PLAIN")}: ${flowList(entries)}`, depth);
  const column = map.items.length > 0 ? keyColumn(text, map) : 0;
  const prefix = `${" ".repeat(column + listIndent)}- `;
  const lines = `${" ".repeat(column)}${renderScalar(key, "PLAIN")}:${eol}${entries.map((e) => blockEntry(e, prefix, eol)).join("")}`;
  const end = map.items.length > 0 ? endOf(map.items[map.items.length - 1]) : (map as Node).range![1];
  return atNextLine(text, end, lines, eol, depth);
}

/** Block lines of entries under an existing `key:` whose value is empty (the key's column plus the file's list indent). */
export function entriesUnderKey(text: string, eol: string, key: Node, entries: Entry[], listIndent: number, depth: number): Splice {
  const prefix = `${" ".repeat(columnOf(text, key.range![0]) + listIndent)}- `;
  return atNextLine(text, key.range![1], entries.map((e) => blockEntry(e, prefix, eol)).join(""), eol, depth);
}

/** A flow list of entries, to replace an explicit null (`images: ~`). */
export const flowList = (entries: Entry[]) => `[${entries.map((e) => flowMap(e, "")).join(", ")}]`;

/** Insert an item into a flow collection: after its last item, or right after the opening bracket. */
function intoFlow(text: string, collection: YAMLMap | YAMLSeq, item: string, depth: number): Splice {
  const last = collection.items[collection.items.length - 1];
  const at = last === undefined ? (collection as Node).range![0] + 1 : endOf(last);
  return { start: at, end: at, text: last === undefined ? item : `, ${item}`, depth };
}
