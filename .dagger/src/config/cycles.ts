/**
 * Circles in a directed graph of names (components that need each other, environments that follow
 * each other). Iterative and linear in nodes plus edges: pipeline.yaml is input, and a long
 * `after:` chain or a dense web of references must neither overflow the stack nor take exponential time.
 */

/** The first circle found, e.g. [a, b, a], searching from the nodes and along the edges in the order given; or undefined. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  // 1: on the current path, 2: finished (no circle through it); each node is entered once.
  const state = new Map<string, 1 | 2>();
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const next: number[] = [0];
    state.set(start, 1);
    while (path.length > 0) {
      const at = path[path.length - 1];
      const out = edges.get(at) ?? [];
      const i = next[next.length - 1]++;
      if (i >= out.length) {
        state.set(at, 2);
        path.pop();
        next.pop();
        continue;
      }
      const to = out[i];
      const seen = state.get(to);
      if (seen === 1) return [...path.slice(path.indexOf(to)), to];
      if (seen === undefined) {
        state.set(to, 1);
        path.push(to);
        next.push(0);
      }
    }
  }
  return undefined;
}
