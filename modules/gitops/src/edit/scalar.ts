/** How a new string value is written: in the style the old value had, plain only when that reads back as the same string. */
import { parse, type Scalar } from "../vendor/yaml.js";

/** Characters that never need quoting in block or flow context (no indicators, no spaces). */
const PLAIN_CHARACTERS = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$/;

/**
 * Whether the value may be written plain: only safe characters, and both YAML 1.2 (kustomize,
 * Helm, this package) and YAML 1.1 readers (docker-compose v1's PyYAML) read it as this very
 * string. A git SHA of only digits, or digits around one `e`, would otherwise become a number.
 */
export function isPlainSafe(value: string): boolean {
  if (!PLAIN_CHARACTERS.test(value) || value.endsWith(":")) return false;
  return parse(value, { schema: "core" }) === value && parse(value, { schema: "yaml-1.1" }) === value;
}

/** The value as YAML source in the given style; plain falls back to double quotes when it is not safe. */
export function renderScalar(value: string, style: Scalar.Type | undefined): string {
  if (style === "QUOTE_SINGLE") return `'${value.replaceAll("'", "''")}'`;
  if (style === "QUOTE_DOUBLE" || !isPlainSafe(value)) return JSON.stringify(value);
  return value;
}
