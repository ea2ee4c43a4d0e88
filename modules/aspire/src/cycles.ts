/**
 * Reference cycles among services. Aspire lets two services refer to each other (A's env holds B's
 * URL and B's holds A's): each reads the other's URL at run time, so neither has to start first.
 * Such services form a strongly connected component of the reference graph; a reference inside one
 * is no start-order dependency, a reference to a service outside it is.
 */

/**
 * The strongly connected components of a graph, as a map from each node to the other nodes of its
 * component (empty for a node in no cycle), each list in input order. Tarjan's algorithm, iterative
 * so that a long chain of references cannot overflow the stack.
 */
export function cyclePeers(nodes: string[], edges: (node: string) => string[]): Map<string, string[]> {
  const position = new Map(nodes.map((n, i) => [n, i]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, string[]>();
  let next = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    // Each frame: a node and the position of the next edge to follow from it.
    const frames: { node: string; targets: string[]; at: number }[] = [];
    const enter = (node: string) => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, targets: edges(node).filter((t) => position.has(t)), at: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame.at < frame.targets.length) {
        const target = frame.targets[frame.at++];
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const members: string[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack.delete(member);
        members.push(member);
        if (member === frame.node) break;
      }
      members.sort((a, b) => (position.get(a) as number) - (position.get(b) as number));
      for (const m of members) component.set(m, members.length > 1 ? members.filter((x) => x !== m) : []);
    }
  }
  return component;
}
