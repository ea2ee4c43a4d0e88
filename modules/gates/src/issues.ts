/** zod issues as one line each: where in the document, what was expected, what was found. */
import type { z } from "./vendor/zod.js";

/** A path as written in JSON/YAML tooling: Results[0].Vulnerabilities[2].Severity ("(document)" for the root). */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  const s = path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), "");
  return s || "(document)";
}

/** The value at a path of a parsed document, or undefined when the path does not exist. */
export function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  return path.reduce<unknown>((v, seg) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined), raw);
}

/**
 * What a zod issue means for the person who wrote the file, without zod's "Invalid input" wording.
 * With `withhold` (why), the value found is never quoted: a secret scanner's finding may hold the secret.
 */
export function issueMessage(issue: z.core.$ZodIssue, raw: unknown, options: { withhold?: string } = {}): string {
  const value = valueAt(raw, issue.path);
  const got = (v: unknown) => (options.withhold ? `a value not shown (${options.withhold})` : show(v));
  switch (issue.code) {
    case "invalid_type":
      return value === undefined ? `is required (expected ${issue.expected})` : `expected ${issue.expected}, got ${got(value)}`;
    case "invalid_value": {
      const expected = issue.values.map((v) => JSON.stringify(v)).join(" or ");
      return value === undefined ? `is required (expected ${expected})` : `expected ${expected}, got ${got(value)}`;
    }
    case "unrecognized_keys":
      return `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}`;
    default:
      // Our own refinements carry a message written for people; show the value next to it, unless
      // it is a whole entry (the path already says which).
      return value === undefined || (typeof value === "object" && value !== null) ? issue.message : `${issue.message}, got ${got(value)}`;
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  // A whole object would drown the message; the path already says where.
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
