/**
 * `{resource.path}` expressions in manifest strings. Aspire does not escape literal braces (a YARP
 * route "/nuget/{**catchall}" is written as is), so only `{name.path}` with a resource-name-like
 * name and a dotted path is an expression; any other brace is text, as azd's EvalString treats an
 * expression it does not recognise.
 */

/** One expression: `{redis.bindings.tcp.port}` is resource "redis", path ["bindings", "tcp", "port"]. */
export interface Expression {
  resource: string;
  path: string[];
  /** The expression as written, braces included, for messages. */
  source: string;
}

/** A manifest string split into literal text and expressions. */
export type Token = { text: string } | { expression: Expression };

// Resource names are letters, digits and hyphens (Aspire validates them); paths add '_' and '--' (kv.secrets.connectionstrings--db).
const EXPRESSION = /\{([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\}/g;

/** Split a manifest string into text and expressions, in order. */
export function tokenize(value: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  for (const m of value.matchAll(EXPRESSION)) {
    if (m.index > at) tokens.push({ text: value.slice(at, m.index) });
    tokens.push({ expression: { resource: m[1], path: m[2].split("."), source: m[0] } });
    at = m.index + m[0].length;
  }
  if (at < value.length) tokens.push({ text: value.slice(at) });
  return tokens;
}
