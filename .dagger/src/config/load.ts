/**
 * Reads pipeline.yaml: YAML syntax, the schema and the cross-references, all problems at once,
 * each located at its line so an editor or a CI log points straight at it.
 */
import { isAlias, isCollection, isNode, isPair, LineCounter, type Node, parseDocument, type Document, visit } from "../vendor/yaml.js";
import type { z } from "../vendor/zod.js";
import { ConfigError, dottedPath, type Problem } from "./problems.js";
import { referenceProblems } from "./references.js";
import { PipelineConfig } from "./schema.js";
import { configText } from "./text.js";

/**
 * Nodes an alias may stand for, counted as the yaml library does (each alias times the aliases
 * inside what it repeats): a "billion laughs" document expands a few lines into gigabytes.
 */
const MAX_ALIAS_COUNT = 200;

/**
 * Parse and validate pipeline.yaml (its bytes, or its text as read); throws ConfigError listing
 * every problem, never a stack trace: the file is input, and a mistake in it is the user's to fix.
 */
export function parseConfig(input: string | Uint8Array, file = "pipeline.yaml"): PipelineConfig {
  const text = configText(input, file);
  const lines = new LineCounter();
  // uniqueKeys (default) makes a duplicated key an error instead of silently keeping the last;
  // YAML 1.2's core schema only: no 1.1 merge keys, sets, binaries or timestamps to surprise the schema.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, version: "1.2", schema: "core", merge: false });
  const at = (offset: number) => lines.linePos(offset);
  // Warnings too (an unknown tag such as !foo is dropped silently otherwise): the file is ours to read exactly.
  const syntax: Problem[] = [...doc.errors, ...doc.warnings]
    .map((e) => ({ path: "", message: `YAML: ${yamlMessage(e.message)}`, ...at(e.pos[0]) }))
    // The library reports its stack overflow once per level it unwinds; once is enough.
    .filter((p, i, all) => p.message !== TOO_DEEP || all.findIndex((q) => q.message === TOO_DEEP) === i);
  if (syntax.length > 0) throw new ConfigError(file, syntax);
  const nodes = nodeProblems(doc);
  if (nodes.length > 0)
    throw new ConfigError(
      file,
      nodes.map(({ offset, ...p }) => ({ ...p, ...at(offset) })),
    );

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The library's refusal of an alias bomb is a ReferenceError; anything else is ours to fix.
    if (!(e instanceof ReferenceError)) throw e;
    throw new ConfigError(file, [{ path: "", message: `YAML: aliases expand to more than ${MAX_ALIAS_COUNT} nodes (${e.message}); write the values out, or repeat fewer of them` }]);
  }
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

const TOO_DEEP = "YAML: nested too deeply to read (pipeline.yaml needs a handful of levels)";

/** The library's message, first line only; its own stack overflow on deep nesting said as what it is. */
function yamlMessage(message: string): string {
  const first = message.split("\n")[0];
  return /call stack/i.test(first) ? TOO_DEEP.slice("YAML: ".length) : first;
}

/**
 * What no JSON value can hold: aliases that name no anchor before them or stand inside the node
 * they repeat (a circle), and keys that are lists or mappings. One walk in document order.
 */
function nodeProblems(doc: Document): (Problem & { offset: number })[] {
  const anchors = new Map<string, Node>();
  const problems: (Problem & { offset: number })[] = [];
  visit(doc, (_key, node, path) => {
    if (isAlias(node)) {
      const source = anchors.get(node.source);
      const offset = node.range?.[0] ?? 0;
      if (source === undefined) problems.push({ path: "", message: `YAML: alias *${node.source} names no anchor before it; define &${node.source} first`, offset });
      else if (path.includes(source))
        problems.push({ path: "", message: `YAML: alias *${node.source} stands inside the node anchored &${node.source}, a circle no configuration value can hold`, offset });
    } else if (isPair(node) && (isCollection(node.key) || isAlias(node.key))) {
      const offset = isNode(node.key) ? (node.key.range?.[0] ?? 0) : 0;
      problems.push({ path: "", message: "YAML: a key is a list, a mapping or an alias; keys of pipeline.yaml are plain names", offset });
    } else if (isNode(node) && "anchor" in node && typeof node.anchor === "string") anchors.set(node.anchor, node);
  });
  return problems;
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
