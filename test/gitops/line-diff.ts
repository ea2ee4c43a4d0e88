/**
 * A line diff (Myers' O(ND) shortest edit script) for the write-back tests: which lines of the
 * old text were removed and which lines of the new text were added. Lines keep their "\r", so a
 * line whose ending changed counts as changed.
 */

/** A line of a text: 1-based number and content (without "\n"). */
export interface DiffLine {
  line: number;
  text: string;
}

/** Removed lines (numbered in the old text) and added lines (numbered in the new text). */
export interface LineDiff {
  removed: DiffLine[];
  added: DiffLine[];
}

/** Split into lines on "\n" only, keeping "\r". */
export const splitLines = (text: string) => text.split("\n");

/** The shortest line diff of two texts. */
export function lineDiff(before: string, after: string): LineDiff {
  const a = splitLines(before);
  const b = splitLines(after);
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let done = false;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
  }
  // Walk the trace back from (n, m) to (0, 0), collecting the non-diagonal steps.
  const removed: DiffLine[] = [];
  const added: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
    }
    if (x === prevX) added.push({ line: prevY + 1, text: b[prevY]! });
    else removed.push({ line: prevX + 1, text: a[prevX]! });
    x = prevX;
    y = prevY;
  }
  return { removed: removed.reverse(), added: added.reverse() };
}
