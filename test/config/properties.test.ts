// Property tests of pipeline.yaml loading (issue 16): random YAML-ish text, random bytes and
// mutations of the example's valid config are either accepted or refused with a ConfigError
// (exit 2) whose every line is `file[:line:col] path: message`; never a TypeError, a RangeError, a
// stack trace or a hang. Seeded, so a failure replays; bounded in runs and in time.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { ConfigError, formatProblem } from "../../.dagger/src/config/problems.js";
import { parse, stringify } from "../../.dagger/src/vendor/yaml.js";
import { ROOT } from "../tiers/modules.js";

const EXAMPLE = readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8");
/** Per test: the runs stop (and fail) rather than let a slow case stall the suite. */
const TIME_LIMIT_MS = 60_000;
const SETTINGS = { seed: 42, numRuns: 200, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: true };
/** Per input. */
const INPUT_LIMIT_MS = 1000;
/** One problem as printed: the file, maybe line:col, the field path (or "(document)"), ": ", a message. */
const PROBLEM_LINE = /^pipeline\.yaml(?::\d+:\d+)? (?:\(document\)|\S.*?): \S/;

/** The loader's answer to one input holds the contract: accepted, or a ConfigError of well-formed problems, in time. */
function loadsOrRefuses(input: string | Uint8Array): void {
  const start = performance.now();
  try {
    parseConfig(input);
  } catch (e) {
    if (!(e instanceof ConfigError)) assert.fail(`not a ConfigError: ${(e as Error)?.stack ?? String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.ok(e.problems.length > 0, "a ConfigError without problems");
    for (const p of e.problems) {
      assert.equal(typeof p.path, "string");
      assert.ok(typeof p.message === "string" && p.message.trim() !== "", `empty message at ${p.path}`);
      const line = formatProblem("pipeline.yaml", p);
      assert.match(line.split("\n")[0], PROBLEM_LINE);
      assert.doesNotMatch(line, /\n\s+at \S+ \(|TypeError|RangeError|undefined is not|Cannot read propert/);
    }
  }
  const ms = performance.now() - start;
  assert.ok(ms < INPUT_LIMIT_MS, `took ${Math.round(ms)} ms`);
}

/** Characters YAML gives meaning to, and a few that trouble readers. */
const YAML_CHARS = [..."abcdefgz019 :-?,[]{}&*!|>'\"%@`#\n\t\\./<=^~_", "\u0000", "\u00e9", "\u2028", "\uFEFF", "\uFFFD", "\u{1F680}"];

/** Tokens of pipeline.yaml and of YAML, so random text often gets past the parser to the schema. */
const TOKENS = [
  "name: shop\n",
  "components:\n",
  "  api:\n",
  "    kind: backend\n",
  "    toolchain: node\n",
  "    path: api\n",
  "registry: { address: registry.local/shop }\n",
  "environments:\n",
  "  dev: { on: push, path: d, format: helm }\n",
  "  qa: { on: manual, after: dev, path: d, format: helm }\n",
  "gitops: { repository: 'file:///g.git' }\n",
  "e2e: { path: e2e, target: db }\n",
  "&a ",
  "*a ",
  "<<: *a\n",
  "- ",
  "? ",
  ": ",
  "{",
  "}",
  "[",
  "]",
  "!!binary ",
  "!!set ",
  "%YAML 1.1\n---\n",
  "---\n",
  "...\n",
  "__proto__: ",
  "constructor: ",
  "'{db.url}'",
  '"\\x00"',
  "|\n  ",
  "  ",
  "\n",
];

/** An interesting scalar for a mutation: the kinds of value the probes tried, and arbitrary ones. */
const scalar = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "a b",
    "../x",
    "/abs",
    "./x/",
    "__proto__",
    "constructor",
    "main branch",
    "-x",
    "x.lock",
    "not a url",
    "https://u:p@h.example/x?token=t",
    "{db.url}",
    "{nothing.url}",
    "{x",
    "*",
    ">=1.0.0",
    "node:22-bookworm-slim@sha256:0",
    "push",
    "tag",
    "manual",
    "helm",
    "compose",
    "dev",
    "prod",
    "db",
    "backend",
    "frontend",
    "x".repeat(300),
  ),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) });
const key = fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "after", "on", "path", "kind", "requires", "env", "target", "db", "dev", ""), fc.string({ maxLength: 8 }));

/** One change to a parsed config: at the index-th path of the document, delete, replace, rename or add a key. */
const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom("delete", "replace", "rename", "add"), key, value });
type Mutation = { at: number; op: string; key: string; value: unknown };

/** Every [parent, key] of a document, parents first. */
function slots(doc: unknown): [Record<string, unknown>, string][] {
  const out: [Record<string, unknown>, string][] = [];
  const walk = (v: unknown) => {
    if (v === null || typeof v !== "object") return;
    for (const k of Object.keys(v)) {
      out.push([v as Record<string, unknown>, k]);
      walk((v as Record<string, unknown>)[k]);
    }
  };
  walk(doc);
  return out;
}

/** The document after the mutations (a copy). */
function mutate(doc: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(doc);
  for (const m of mutations) {
    const all = slots(copy);
    if (all.length === 0) break;
    const [parent, k] = all[m.at % all.length];
    if (m.op === "delete") delete parent[k];
    else if (m.op === "replace") parent[k] = m.value;
    else if (m.op === "rename") {
      Object.defineProperty(parent, m.key, { value: parent[k], enumerable: true, writable: true, configurable: true });
      if (m.key !== k) delete parent[k];
    } else {
      const child = parent[k];
      if (child !== null && typeof child === "object" && !Array.isArray(child)) Object.defineProperty(child, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      else parent[k] = m.value;
    }
  }
  return copy;
}

describe("pipeline.yaml loading, for any input", () => {
  it("random YAML-ish text is accepted or refused with path: message", { timeout: TIME_LIMIT_MS + 10_000 }, () => {
    const text = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.constantFrom(...YAML_CHARS)), { maxLength: 60 }).map((parts) => parts.join(""));
    fc.assert(fc.property(text, loadsOrRefuses), SETTINGS);
  });

  it("random bytes are accepted or refused with path: message", { timeout: TIME_LIMIT_MS + 10_000 }, () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(fc.nat({ max: EXAMPLE.length }), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([at, junk]) => {
        const b = new TextEncoder().encode(EXAMPLE);
        return new Uint8Array([...b.subarray(0, at), ...junk, ...b.subarray(at)]);
      }),
    );
    fc.assert(fc.property(bytes, loadsOrRefuses), SETTINGS);
  });

  it("the example's text with characters inserted, deleted or replaced", { timeout: TIME_LIMIT_MS + 10_000 }, () => {
    const edit = fc.record({
      at: fc.nat({ max: EXAMPLE.length }),
      drop: fc.nat({ max: 8 }),
      insert: fc.oneof(fc.constantFrom(...TOKENS), fc.constantFrom(...YAML_CHARS), fc.string({ maxLength: 6 })),
    });
    const edited = fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce((t, e) => t.slice(0, e.at) + e.insert + t.slice(e.at + e.drop), EXAMPLE));
    fc.assert(fc.property(edited, loadsOrRefuses), SETTINGS);
  });

  it("the example's config with keys deleted, renamed, added or given other values", { timeout: TIME_LIMIT_MS + 10_000 }, () => {
    const doc: unknown = parse(EXAMPLE);
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => loadsOrRefuses(stringify(mutate(doc, mutations)))),
      SETTINGS,
    );
  });

  it("the unmutated example is accepted (so the properties above exercise the acceptance path too)", () => {
    assert.equal(parseConfig(stringify(parse(EXAMPLE))).name, "webshop");
  });
});
