// Answers one GraphQL request without a schema: the response mirrors the
// selection set, every leaf gets a placeholder from leaves.ts, and every leaf's
// chain of calls is returned for recording.
import { Kind, parse, type FieldNode, type SelectionSetNode, type ValueNode } from "graphql";
import { decodeId, isRecordedId } from "./ids.js";
import { LIST_FIELDS, leafAnswer } from "./leaves.js";
import { renderChain } from "./render.js";
import { isRef, type Call, type Chain, type Value } from "./types.js";

/** The answer to one request: `data` shaped like the selection set, and the chain of each leaf answered. */
export interface Answer {
  data: Record<string, unknown>;
  leaves: Chain[];
}

/** Arguments never recorded, by field: the graph must not carry secret values (setSecret sends plaintext). */
const DROPPED_ARGS: Record<string, string[]> = { setSecret: ["plaintext"] };

// Root fields that load an object from an ID: the chain continues from that ID's chain.
const LOADS_BY_ID = /^(node|load[A-Z]\w*FromID)$/;

/**
 * Answers a test chose for particular leaves: given the leaf's rendered chain (e.g.
 * 'directory.file(path: "pipeline.yaml").contents'), what the engine would have returned, or
 * undefined for the default placeholder.
 */
export type Stubs = (renderedLeaf: string) => unknown;

/** Parses `query` and answers it; throws (and the server reports a GraphQL error) on anything unsupported. */
export function answerQuery(query: string, variables: Record<string, unknown> = {}, stubs: Stubs = () => undefined): Answer {
  const operations = parse(query).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0].operation !== "query") {
    throw new Error("recorder: expected exactly one query operation");
  }
  const leaves: Chain[] = [];
  const data = answerSelections(operations[0].selectionSet, [], leaves, variables, stubs);
  return { data, leaves };
}

function answerSelections(set: SelectionSetNode, chain: Chain, leaves: Chain[], variables: Record<string, unknown>, stubs: Stubs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const selection of set.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      // `node(id:) { ... on Container { stdout } }`: the fragment's fields belong to the same object.
      Object.assign(out, answerSelections(selection.selectionSet, chain, leaves, variables, stubs));
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      throw new Error("recorder: named fragments are not supported (the SDK does not send them)");
    }
    const call = toCall(selection, variables);
    const next = extend(chain, call);
    const key = selection.alias?.value ?? selection.name.value;
    if (selection.selectionSet && !LIST_FIELDS.has(call.field)) {
      out[key] = answerSelections(selection.selectionSet, next, leaves, variables, stubs);
    } else {
      // A leaf, or a list of objects (answered empty, so it is where evaluation stops).
      leaves.push(next);
      const stubbed = stubs(renderChain(next));
      out[key] = stubbed !== undefined ? stubbed : leafAnswer(call, chain);
    }
  }
  return out;
}

function extend(chain: Chain, call: Call): Chain {
  if (chain.length === 0 && LOADS_BY_ID.test(call.field)) {
    const id = call.args.id;
    // A test's objects all come from this recorder; any other ID means the code smuggled one in.
    if (id === undefined || !isRef(id)) {
      throw new Error(`recorder: ID ${JSON.stringify(id)} in ${call.field} was not minted by this recorder`);
    }
    return id.$ref;
  }
  return [...chain, call];
}

export function toCall(field: FieldNode, variables: Record<string, unknown>): Call {
  const name = field.name.value;
  const dropped = DROPPED_ARGS[name] ?? [];
  const args: Record<string, Value> = {};
  // Sorted so that the same call written with options in another order records identically.
  const sorted = [...(field.arguments ?? [])].sort((a, b) => byText(a.name.value, b.name.value));
  for (const arg of sorted) {
    if (!dropped.includes(arg.name.value)) args[arg.name.value] = fromAst(arg.value, variables);
  }
  return { field: name, args };
}

export function fromAst(node: ValueNode, variables: Record<string, unknown>): Value {
  switch (node.kind) {
    case Kind.STRING:
      return fromJson(node.value);
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map((v) => fromAst(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, fromAst(f.value, variables)]));
    case Kind.VARIABLE:
      return fromJson(variables[node.name.value] ?? null);
  }
}

// Strings that are IDs become refs to their chains, wherever they sit in the value.
function fromJson(value: unknown): Value {
  if (isRecordedId(value)) return { $ref: decodeId(value) };
  if (Array.isArray(value)) return value.map(fromJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(v)]));
  }
  return value as Value;
}

// Code-unit order, not localeCompare: the recording must not depend on the machine's locale.
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
