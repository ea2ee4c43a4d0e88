/**
 * The harness: an engine model the SDK talks to (as to `dagger`'s session: DAGGER_SESSION_PORT/TOKEN),
 * which runs calls into our modules through their own code under the engine's rules. It is not an
 * engine: containers do not run (their leaves are the recorder's placeholders or a test's stubs),
 * except a `node` script the chain wrote (core.ts). Never say something "runs in Dagger" from here.
 *
 *   const h = new Harness({ context: ROOT });
 *   const summary = await h.call("pipeline", {}, "ci", { revision }, "summary");
 *   h.engine.count("gitops", "push") // executions of the push function
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { connection } from "@dagger.io/dagger";
import { forbidEngineProvisioning } from "../recorder/guard.js";
import { bindDependency } from "../tiers/bindings.js";
import { Core } from "./core.js";
import { Engine, ENGINE_RULES, type EngineRules } from "./engine.js";
import { harnessModules, type HarnessModule } from "./modules.js";
import type { MemoryRegistry } from "./registry.js";
import { type Context, type CoreStubs, Resolver } from "./resolve.js";

forbidEngineProvisioning();

/** What a harness is set up with. */
export interface HarnessOptions extends Context {
  /** Leaf answers for core chains a test chooses (container outputs the model does not compute). */
  stubs?: CoreStubs;
  /** The engine's rules; a mutant test switches one off. */
  rules?: EngineRules;
  /** The registry pushes go to (publish leaves on its address push a manifest there). */
  registry?: MemoryRegistry;
  /** Remote URLs whose repositories are folders here (for git reads). */
  remotes?: Record<string, string>;
  /** Where the modules' code is loaded from: this repository, or a mutant's copy (test/tiers/mutant.ts). */
  sources?: string;
}

let running = false;

/** An engine model whose cache outlives its sessions (each `call` or `session` is one `dagger call`). */
export class Harness {
  readonly engine: Engine;
  readonly modules: Map<string, HarnessModule>;
  /** Every query our code sent, in order (for a failing test's message). */
  readonly queries: string[] = [];
  private readonly resolver: Resolver;

  constructor(options: HarnessOptions) {
    this.engine = new Engine(options.rules ?? ENGINE_RULES);
    this.modules = harnessModules(options.sources);
    this.resolver = new Resolver(this.engine, new Core(this.engine, options.registry, options.remotes), this.modules, { root: options.root }, options.stubs);
    // The generated client of each dependency module (dag.gitops() …), from its introspection.
    for (const m of this.modules.values()) if (m.field !== "pipeline") bindDependency(m.info.name, m.api);
  }

  /** One session: the SDK's `dag` connected to this engine model for the duration of fn. */
  async session<T>(fn: (query: (q: string) => Promise<Record<string, unknown>>) => Promise<T>): Promise<T> {
    if (running) throw new Error("harness: sessions must not overlap (the SDK's connection is process-global)");
    running = true;
    this.engine.newSession();
    const token = randomBytes(16).toString("hex");
    const server = await this.listen(token);
    const saved = { port: process.env.DAGGER_SESSION_PORT, token: process.env.DAGGER_SESSION_TOKEN };
    try {
      process.env.DAGGER_SESSION_PORT = String((server.address() as AddressInfo).port);
      process.env.DAGGER_SESSION_TOKEN = token;
      const box: { result?: T } = {};
      await connection(async () => {
        box.result = await fn((q) => this.query(q));
      });
      return box.result as T;
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      for (const [k, v] of [
        ["DAGGER_SESSION_PORT", saved.port],
        ["DAGGER_SESSION_TOKEN", saved.token],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      running = false;
    }
  }

  /**
   * What `dagger call <function> [args] <leaf>` does: one session, one query that selects the
   * function on the module's main object and then the leaf (a field of the returned object, or
   * nothing for a scalar). Arguments are GraphQL literals built from JS values.
   */
  async call(module: string, ctor: Record<string, unknown>, fn: string, args: Record<string, unknown>, ...leaves: string[]): Promise<unknown> {
    const sel = leaves.reduceRight((inner, f) => `${f}${inner ? ` { ${inner} }` : ""}`, "");
    return this.session(async (query) => {
      const data = await query(`query { ${module}${literalArgs(ctor)} { ${fn}${literalArgs(args)}${sel ? ` { ${sel} }` : ""} } }`);
      let v: unknown = (data as Record<string, Record<string, unknown>>)[module][fn];
      for (const l of leaves) v = (v as Record<string, unknown>)[l];
      return v;
    });
  }

  /** Answer a query directly (what the CLI sends), within a session. */
  async query(q: string): Promise<Record<string, unknown>> {
    this.queries.push(q);
    return this.resolver.answer(q);
  }

  private listen(token: string): Promise<Server> {
    const expected = `Basic ${Buffer.from(`${token}:`).toString("base64")}`;
    const server = createServer((req, res) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query: string; variables?: Record<string, unknown> };
        this.queries.push(body.query);
        this.resolver.answer(body.query, body.variables ?? {}).then(
          (data) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data })),
          (e: Error) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: null, errors: [{ message: e.message }] })),
        );
      });
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(server));
    });
  }
}

/** `(a: "x", b: [1, 2])` from an object; empty for no arguments. IDs are passed as strings. */
export function literalArgs(args: Record<string, unknown>): string {
  const entries = Object.entries(args).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "";
  const lit = (v: unknown): string => (Array.isArray(v) ? `[${v.map(lit).join(", ")}]` : JSON.stringify(v));
  return `(${entries.map(([k, v]) => `${k}: ${lit(v)}`).join(", ")})`;
}
