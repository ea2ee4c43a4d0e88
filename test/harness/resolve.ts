/**
 * Answers the SDK's GraphQL like an engine that runs our modules: a field naming one of our
 * modules constructs that module's own class, a function call runs its own code under the
 * engine's cache rules (engine.ts), and objects our code returns are read field by field; core
 * chains are evaluated by the core model (core.ts) or answered with the recorder's placeholders,
 * and every core leaf's answer passes through rules (d), (e), (g) (container-rules.ts).
 */
import { join } from "node:path";
import { dag } from "@dagger.io/dagger";
import { Kind, parse, type SelectionSetNode } from "graphql";
import { fromAst, toCall } from "../recorder/answer.js";
import { decodeId, mintId } from "../recorder/ids.js";
import { ID_LEAVES, LIST_FIELDS, leafAnswer } from "../recorder/leaves.js";
import { renderChain } from "../recorder/render.js";
import { type Call, type Chain, isRef, type Value } from "../recorder/types.js";
import type { ArgDef, TypeDef } from "../tiers/introspect.js";
import { ContainerRules } from "./container-rules.js";
import type { Core } from "./core.js";
import type { Engine } from "./engine.js";
import { CORE_OBJECTS, elementType, type HarnessModule } from "./modules.js";

/** A value reached by a chain: the query root, a core object (by its chain) or an object of one of our modules. */
type Node = { kind: "root" } | { kind: "core"; chain: Chain } | { kind: "object"; module: HarnessModule; type: string; value: Record<string, unknown>; chain: Chain };

/** Leaf answers a test chooses for core chains (e.g. a Playwright exit code), by the leaf's rendered chain (and the chain itself, leaf last). */
export type CoreStubs = (renderedLeaf: string, chain: Chain) => unknown;

/** Where defaultPath arguments resolve (rule (c)): the module's context directory, or the blueprint caller's repository. */
export interface Context {
  /** The directory the engine loads for `defaultPath: "/"`. */
  root: string;
}

const LOADS_BY_ID = /^(node|load[A-Z]\w*FromID)$/;

/** The resolver of one engine: our modules, the core model, and a test's stubs. */
export class Resolver {
  /** Engine rules (d), (e), (g) on the containers this resolver answers. */
  private readonly rules: ContainerRules;

  constructor(
    private readonly engine: Engine,
    private readonly core: Core,
    private readonly modules: Map<string, HarnessModule>,
    private readonly context: Context,
    private readonly stubs: CoreStubs = () => undefined,
  ) {
    this.rules = new ContainerRules(engine, (chain) => core.file(chain));
  }

  /** Answer one GraphQL query. */
  async answer(query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const op = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!op || op.kind !== Kind.OPERATION_DEFINITION) throw new Error("harness: no operation in the query");
    return this.selections(op.selectionSet, { kind: "root" }, variables);
  }

  private async selections(set: SelectionSetNode, node: Node, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        Object.assign(out, await this.selections(s.selectionSet, node, variables));
        continue;
      }
      if (s.kind !== Kind.FIELD) throw new Error("harness: named fragments are not supported");
      // setSecret's plaintext is kept by the engine (for plaintext reads and scrubbing) and dropped from the chain.
      if (node.kind === "root" && s.name.value === "setSecret") {
        const arg = (n: string) => s.arguments?.find((a) => a.name.value === n);
        const name = arg("name");
        const plaintext = arg("plaintext");
        if (name && plaintext) this.engine.setSecret(String(fromAst(name.value, variables)), String(fromAst(plaintext.value, variables)));
      }
      const call = toCall(s, variables);
      const key = s.alias?.value ?? s.name.value;
      if (s.selectionSet && !LIST_FIELDS.has(call.field)) {
        const next = await this.step(node, call);
        if (!isNode(next)) throw new Error(`harness: ${call.field} has a selection but returned a scalar`);
        out[key] = await this.selections(s.selectionSet, next, variables);
      } else out[key] = await this.leaf(node, call);
    }
    return out;
  }

  /** One call on a node: the next node, or a scalar. */
  private async step(node: Node, call: Call): Promise<Node | unknown> {
    if (node.kind === "root") {
      if (LOADS_BY_ID.test(call.field)) {
        const id = call.args.id;
        if (!id || !isRef(id)) throw new Error(`harness: ID ${JSON.stringify(id)} was not minted here`);
        return this.walk(id.$ref);
      }
      const mod = this.modules.get(call.field);
      if (mod) return this.construct(mod, call);
      return { kind: "core", chain: [call] };
    }
    if (node.kind === "core") return { kind: "core", chain: [...node.chain, call] };
    return this.invoke(node, call);
  }

  /** Walk a chain from the root (an ID loaded back): module calls run again under their cache policies. */
  async walk(chain: Chain): Promise<Node> {
    let node: Node = { kind: "root" };
    for (const call of chain) {
      const next = await this.step(node, call);
      if (!isNode(next)) throw new Error(`harness: ${renderChain(chain)} does not reach an object`);
      node = next;
    }
    return node;
  }

  private async leaf(node: Node, call: Call): Promise<unknown> {
    if (node.kind === "core") {
      // Whichever answers (a test's stub, the core model, the placeholder), rules (d), (e), (g) apply to it.
      return this.rules.leaf(node.chain, call, async () => {
        const rendered = renderChain([...node.chain, call]);
        const stubbed = this.stubs(rendered, [...node.chain, call]);
        if (stubbed !== undefined) return stubbed;
        const modelled = await this.core.leaf(node.chain, call);
        return modelled !== undefined ? modelled : leafAnswer(call, node.chain);
      });
    }
    if (node.kind === "object" && ID_LEAVES.has(call.field) && !hasMember(node, call.field)) return mintId(node.chain);
    const value = await this.step(node, call);
    if (isNode(value)) return value.kind === "root" ? null : mintId(value.chain);
    return value;
  }

  /** A module's main object, constructed with its arguments (defaultPath ones resolved by the context). */
  private async construct(mod: HarnessModule, call: Call): Promise<Node> {
    const exports = await mod.exports();
    const Cls = exports[mod.main] as new (...args: unknown[]) => Record<string, unknown>;
    const main = mod.api.objects[mod.main];
    // `constructor` is also every object's own JS property: only the introspection's own key counts.
    const defs = Object.hasOwn(main, "constructor") ? (main.constructor?.arguments ?? {}) : {};
    const args = await this.arguments(mod, defs, call.args, true);
    return { kind: "object", module: mod, type: mod.main, value: new Cls(...args), chain: [call] };
  }

  /** A function or a field of one of our objects: a function runs under its cache policy, counted. */
  private async invoke(node: Extract<Node, { kind: "object" }>, call: Call): Promise<Node | unknown> {
    const def = node.module.api.objects[node.type];
    const method = def?.methods[call.field];
    const chain = [...node.chain, call];
    if (!method) {
      const property = def?.properties?.[call.field];
      if (!property) throw new Error(`harness: ${node.type} has no function or field ${call.field}`);
      return this.toNode(node.module, property.type, node.value[call.field], chain);
    }
    const policy = node.module.policies[node.type]?.[call.field] ?? "";
    const args = await this.arguments(node.module, method.arguments, call.args, false);
    return this.engine.call(policy, { module: node.module.info.name, object: node.type, fn: call.field, key: renderChain(chain) }, async () => {
      const fn = node.value[call.field] as (...a: unknown[]) => unknown;
      return this.toNode(node.module, method.returnType, await fn.apply(node.value, args), chain);
    });
  }

  /** Positional arguments from the query's named ones, typed by the API (IDs become SDK objects). */
  private async arguments(mod: HarnessModule, defs: Record<string, ArgDef>, given: Record<string, Value>, constructor: boolean): Promise<unknown[]> {
    return Promise.all(
      Object.values(defs).map(async (d) => {
        let v = given[d.name];
        const defaultPath = (d as { defaultPath?: string }).defaultPath;
        if ((v === undefined || v === null) && constructor && defaultPath !== undefined) {
          // Rule (c): the engine loads defaultPath from the module's context directory (see Context).
          v = {
            $ref: [
              { field: "host", args: {} },
              { field: "directory", args: { path: join(this.context.root, defaultPath), exclude: ((d as { ignore?: string[] }).ignore ?? []) as Value } },
            ],
          };
        }
        return v === undefined || v === null ? undefined : this.toJs(mod, d.type, v);
      }),
    );
  }

  private async toJs(mod: HarnessModule, type: TypeDef, v: Value): Promise<unknown> {
    if (type.kind === "LIST_KIND" && Array.isArray(v)) return Promise.all(v.map((x) => this.toJs(mod, elementType(type), x)));
    if (type.kind === "OBJECT_KIND" && isRef(v)) {
      const name = type.name as string;
      if (CORE_OBJECTS.has(name)) return (dag as unknown as Record<string, (id: string) => unknown>)[`load${name}FromID`](mintId(v.$ref));
      const loaded = await this.walk(v.$ref);
      return loaded.kind === "object" ? loaded.value : undefined;
    }
    return v;
  }

  /** A value our code returned, as a node (objects) or a scalar. */
  private async toNode(mod: HarnessModule, type: TypeDef, value: unknown, chain: Chain): Promise<Node | unknown> {
    if (value === undefined || value === null) return null;
    if (type.kind === "LIST_KIND" && Array.isArray(value)) return Promise.all(value.map((x, i) => this.toNode(mod, elementType(type), x, [...chain, { field: "__item", args: { index: i } }])));
    if (type.kind !== "OBJECT_KIND") return value;
    const name = type.name as string;
    if (mod.api.objects[name]) return { kind: "object", module: mod, type: name, value: value as Record<string, unknown>, chain };
    // A core object our code built: its own chain, as the SDK reports it by ID.
    const id = await (value as { id(): Promise<string> }).id();
    return { kind: "core", chain: decodeId(id) };
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && "kind" in v && ["root", "core", "object"].includes((v as Node).kind);
}

function hasMember(node: Extract<Node, { kind: "object" }>, field: string): boolean {
  const def = node.module.api.objects[node.type];
  return Boolean(def?.methods[field] || def?.properties?.[field]);
}
