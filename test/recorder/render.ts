// One-line text for chains, the form a test reads and writes by hand:
// container.from(address: "node:22").withExec(args: ["npm", "ci"]).stdout
import { isRef, type Call, type Chain, type Value } from "./types.js";

/** Renders a chain as dotted calls; an ID argument is rendered inline as the chain it stands for. */
export function renderChain(chain: Chain): string {
  return chain.map(renderCall).join(".");
}

/** Renders one call; a call without arguments has no parentheses, as in GraphQL. */
export function renderCall(call: Call): string {
  const args = Object.entries(call.args);
  if (args.length === 0) return call.field;
  return `${call.field}(${args.map(([k, v]) => `${k}: ${renderValue(v)}`).join(", ")})`;
}

/** Renders an argument value in GraphQL-like syntax (strings JSON-quoted). */
export function renderValue(value: Value): string {
  if (isRef(value)) return renderChain(value.$ref);
  if (Array.isArray(value)) return `[${value.map(renderValue).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${renderValue(v)}`)
      .join(", ")}}`;
  }
  return JSON.stringify(value);
}
