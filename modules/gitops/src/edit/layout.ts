/**
 * Where new lines go and how they are indented, read from the file itself so that added keys
 * and list entries look like their neighbours: the key column of a mapping, the `- ` prefix of a
 * list's entries, the line ending (LF or CRLF).
 */
import { isMap, isPair, isScalar, isSeq, type Node, type YAMLMap } from "../vendor/yaml.js";

/** The file's line ending: CRLF when its first line ends so, otherwise LF. */
export function lineEnding(text: string): string {
  const lf = text.indexOf("\n");
  return lf > 0 && text[lf - 1] === "\r" ? "\r\n" : "\n";
}

/** Offset where the line holding `offset` starts. */
export const lineStart = (text: string, offset: number) => text.lastIndexOf("\n", offset - 1) + 1;

/** Column (0-based) of an offset. */
export const columnOf = (text: string, offset: number) => offset - lineStart(text, offset);

/**
 * The start of the line after the one where a node ends (a block collection's range already
 * ends after its last line break). At the end of a file without a final line break, the text
 * length, and the caller must write a line break first.
 */
export function nextLineStart(text: string, end: number): number {
  if (end > 0 && text[end - 1] === "\n") return end;
  const lf = text.indexOf("\n", end);
  return lf < 0 ? text.length : lf + 1;
}

/** Offset where a node's value ends (a pair: its value, or its key when the value is missing). */
export function endOf(node: unknown): number {
  const target = isPair(node) ? (node.value ?? node.key) : node;
  const range = (target as Node | null)?.range;
  if (!range) throw new Error("internal: a parsed node has no source range");
  return range[1];
}

/** Column of the first key of a block mapping (where added keys go). */
export function keyColumn(text: string, map: YAMLMap): number {
  const first = map.items[0]?.key as Node | undefined;
  if (!first?.range) throw new Error("internal: keyColumn of an empty mapping");
  return columnOf(text, first.range[0]);
}

/**
 * The `- ` prefix of a block list entry (indentation, dash, spaces up to the content), as written
 * in the file; falls back to the dash's column plus "- " when the entry starts on its own line or
 * behind an anchor.
 */
export function entryPrefix(text: string, entry: Node): string {
  if (!entry.range) throw new Error("internal: entryPrefix of a node without a source range");
  const start = entry.range[0];
  const before = text.slice(lineStart(text, start), start);
  if (/^ *- +$/.test(before)) return before;
  let dash = start - 1;
  while (dash >= 0 && text[dash] !== "-") dash--;
  return `${" ".repeat(Math.max(0, columnOf(text, dash)))}- `;
}

/**
 * How far the file indents a block list under its key (`key:\n- a` is 0, `key:\n  - a` is 2),
 * read from the first such list in the document; 0 when there is none, as `kustomize edit` writes.
 */
export function listIndent(text: string, root: unknown): number {
  const visit = (node: unknown): number | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const value = pair.value;
        if (isSeq(value) && !value.flow && value.items.length > 0 && isScalar(pair.key) && (pair.key as Node).range) {
          const dashColumn = entryPrefix(text, value.items[0] as Node).indexOf("-");
          return Math.max(0, dashColumn - columnOf(text, (pair.key as Node).range![0]));
        }
        const inner = visit(value);
        if (inner !== undefined) return inner;
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        const inner = visit(item);
        if (inner !== undefined) return inner;
      }
    }
    return undefined;
  };
  return visit(root) ?? 0;
}

/** Whether a flow collection writes spaces inside its brackets (`{ a: 1 }` rather than `{a: 1}`). */
export function flowPadding(text: string, node: Node): string {
  const range = node.range;
  if (!range) return "";
  return text[range[0] + 1] === " " ? " " : "";
}
