/**
 * Reads pipeline.yaml: YAML syntax, the schema and the cross-references, all problems at once,
 * each located at its line so an editor or a CI log points straight at it.
 */
import { isNode, LineCounter, parseDocument, type Document } from "../vendor/yaml.js";
import type { z } from "../vendor/zod.js";
import { ConfigError, dottedPath, type Problem } from "./problems.js";
import { referenceProblems } from "./references.js";
import { PipelineConfig } from "./schema.js";

/** Parse and validate pipeline.yaml text; throws ConfigError listing every problem. */
export function parseConfig(text: string, file = "pipeline.yaml"): PipelineConfig {
  const lines = new LineCounter();
  // uniqueKeys (default) makes a duplicated key an error instead of silently keeping the last.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax: Problem[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { path: "", message: `YAML: ${e.message.split("\n")[0]}`, line: pos.line, col: pos.col };
  });
  if (syntax.length > 0) throw new ConfigError(file, syntax);

  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) throw new ConfigError(file, [{ path: "", message: "is empty; it needs at least name, components and registry" }]);
  const parsed = PipelineConfig.safeParse(raw);
  const problems = [...(parsed.success ? [] : parsed.error.issues.flatMap((i) => fromIssue(i, raw))), ...referenceProblems(raw)];
  if (problems.length > 0) {
    const located = problems.map((p) => locate(p, doc, lines));
    // File order reads like the file itself; problems without a line (missing keys) go last.
    located.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) || a.path.localeCompare(b.path));
    throw new ConfigError(file, located);
  }
  return parsed.data as PipelineConfig;
}

/** One zod issue as problems; an unknown-keys issue becomes one problem per key so each is located. */
function fromIssue(issue: z.core.$ZodIssue, raw: unknown): Problem[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ path: dottedPath([...path, key]), message: `is not a known key here; known keys: ${knownKeys(path)}`, value: valueAt(raw, [...path, key]) }));
  }
  if (issue.code === "invalid_key") {
    return [{ path: dottedPath(path), message: `name ${issue.issues[0]?.message ?? "is invalid"}`, value: path[path.length - 1] }];
  }
  const value = valueAt(raw, path);
  const message = value === undefined && issue.code === "invalid_type" ? "is required" : issue.message;
  return [{ path: dottedPath(path), message, value }];
}

/** Known keys at a path of the schema, for "did you mean" style help. */
function knownKeys(path: PropertyKey[]): string {
  let schema: z.ZodType = PipelineConfig;
  for (const seg of path) {
    const def = unwrap(schema);
    if ("shape" in def) schema = (def.shape as Record<string, z.ZodType>)[String(seg)];
    else if ("valueType" in def) schema = def.valueType as z.ZodType;
    if (!schema) return "?";
  }
  const def = unwrap(schema);
  return "shape" in def ? Object.keys(def.shape as object).join(", ") : "?";
}

/** Strip default/optional/prefault wrappers to reach the object or record inside. */
function unwrap(schema: z.ZodType): Record<string, unknown> {
  let def = (schema as unknown as { def: Record<string, unknown> }).def;
  while (def.innerType) def = (def.innerType as { def: Record<string, unknown> }).def;
  return def;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((v, seg) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined), raw);
}

/** Attach the line/column of the deepest node of the path that exists in the document. */
function locate(p: Problem, doc: Document, lines: LineCounter): Problem {
  const segs =
    p.path === ""
      ? []
      : p.path
          .split(/\.|\[(\d+)\]/)
          .filter((s) => s !== undefined && s !== "")
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = segs.length; n > 0; n--) {
    const node = doc.getIn(segs.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(keyOffset(doc, segs.slice(0, n)) ?? node.range[0]);
      return { ...p, line: pos.line, col: pos.col };
    }
  }
  return p;
}

/** Offset of the key of a map entry (so a bad mapping points at its key, not its first child). */
function keyOffset(doc: Document, segs: (string | number)[]): number | undefined {
  const parent = segs.length === 1 ? doc.contents : doc.getIn(segs.slice(0, -1), true);
  const items = (parent as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null)?.items;
  const key = items?.find((i) => i.key?.value === segs[segs.length - 1])?.key;
  return key?.range?.[0];
}
