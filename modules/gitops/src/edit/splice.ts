/**
 * Text splices: the only way the editors change a file. Every byte outside a splice is copied
 * from the input, which is what keeps comments, quoting, blank lines and line endings as they were.
 */

/** Replace text[start, end) with `text`; an insertion has start === end. */
export interface Splice {
  start: number;
  end: number;
  text: string;
  /** Nesting depth of what is inserted; at the same offset the deeper insertion goes first (an entry's keys before the next entry). */
  depth: number;
}

/** Apply non-overlapping splices; overlapping ones are our bug, never silently merged. */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const sorted = [...splices].sort((a, b) => a.start - b.start || b.depth - a.depth);
  let out = "";
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) throw new Error(`internal: overlapping edits at offset ${s.start}`);
    out += text.slice(at, s.start) + s.text;
    at = s.end;
  }
  return out + text.slice(at);
}
