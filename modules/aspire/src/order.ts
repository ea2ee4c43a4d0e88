/** Start order of services: dependencies first, manifest order otherwise; a cycle is refused with its path. */

/** Services in an order where each comes after those it depends on; ties keep the input order. Throws `cycle(path)` on a cycle. */
export function startOrder<T extends { name: string; dependsOn: string[] }>(services: T[], cycle: (path: string[]) => Error): T[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: T[] = [];
  // Depth-first from each service in input order: dependencies are emitted before the service,
  // and the path on the stack is exactly the cycle to report when a service reappears on it.
  const visit = (s: T, path: string[]) => {
    if (done.has(s.name)) return;
    const at = path.indexOf(s.name);
    if (at >= 0) throw cycle([...path.slice(at), s.name]);
    for (const d of s.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep, [...path, s.name]);
    }
    done.add(s.name);
    out.push(s);
  };
  for (const s of services) visit(s, []);
  return out;
}
