/**
 * Resource names and object keys a manifest may hold. A name is a hostname here (the Dagger
 * service alias and the Compose service name), and Aspire itself only writes names that follow its
 * ModelName rule; a key `__proto__` cannot be kept in a JavaScript object (zod drops it), so it is
 * refused rather than lost.
 */

/** Aspire's ModelName rule, which every name it writes follows. */
export const RESOURCE_NAME_RULE = "1-64 ASCII letters, digits and hyphens, starting with a letter, not ending with a hyphen, without two hyphens in a row (Aspire's rule)";

/** Why a resource name is not one Aspire writes, or undefined when it is. */
export function resourceNameProblem(name: string): string | undefined {
  const valid = name.length <= 64 && /^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$/.test(name) && !name.endsWith("-");
  return valid ? undefined : `${JSON.stringify(name)} is not a resource name: a name is ${RESOURCE_NAME_RULE}`;
}

/** The dotted path of the first own `__proto__` key in a parsed JSON value, or undefined when it has none. */
export function protoKeyPath(value: unknown, at: string): string | undefined {
  // Iterative: a deeply nested document must not overflow the stack.
  const todo: [unknown, string][] = [[value, at]];
  for (let item = todo.pop(); item !== undefined; item = todo.pop()) {
    const [v, path] = item;
    if (typeof v !== "object" || v === null) continue;
    if (!Array.isArray(v) && Object.hasOwn(v, "__proto__")) return `${path}.__proto__`;
    const entries = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x] as const) : Object.entries(v).map(([k, x]) => [`.${k}`, x] as const);
    for (const [k, x] of entries.reverse()) todo.push([x, `${path}${k}`]);
  }
  return undefined;
}
