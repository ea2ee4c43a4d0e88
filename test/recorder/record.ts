// Runs code that uses the SDK's global `dag` against the recorder.
//
// How the SDK connects (0.21.9): `dag` is a Client whose Context uses the module
// singleton `globalConnection` (common/graphql/connection.js), which holds no
// GraphQL client until `connection(fn)` (connect.js) sets one for the duration
// of fn and resets it afterwards. `connection` builds that client from
// DAGGER_SESSION_PORT / DAGGER_SESSION_TOKEN, read at the moment it is called.
// So sequential record() calls in one process each get a fresh client for
// their own server; concurrent ones would share the env and the singleton, so
// they are refused.
import { connection } from "@dagger.io/dagger";
import { buildGraph, type Graph } from "./graph.js";
import { forbidEngineProvisioning } from "./guard.js";
import type { Stubs } from "./answer.js";
import { startRecorder } from "./server.js";
import type { RecordedQuery } from "./types.js";

// On import, so that nothing in a process that records can start an engine, even outside record().
forbidEngineProvisioning();

/** What one recorded run produced: fn's result, every query the SDK sent, and their graph. */
export interface Recording<T> {
  result: T;
  queries: RecordedQuery[];
  graph: Graph;
  /** Most requests in flight at once (meaningful with holdMs > 0). */
  maxInFlight: number;
}

const SESSION_ENV = ["DAGGER_SESSION_PORT", "DAGGER_SESSION_TOKEN"] as const;

let running = false;

/**
 * Runs `fn` with the global `dag` connected to a fresh recorder; restores the environment afterwards.
 * `stubs` answers chosen leaves with what the engine would have returned: an object keyed by the
 * leaf's rendered chain, or a function of it (undefined keeps the placeholder).
 * `holdMs` delays each answer so that concurrent calls overlap and show in maxInFlight.
 */
export async function record<T>(fn: () => Promise<T>, stubs: Record<string, unknown> | Stubs = {}, holdMs = 0): Promise<Recording<T>> {
  if (running) {
    throw new Error("record() is already running: the SDK's connection is process-global, so record() calls must not overlap");
  }
  running = true;
  const saved = SESSION_ENV.map((name) => [name, process.env[name]] as const);
  try {
    const recorder = await startRecorder(undefined, typeof stubs === "function" ? stubs : (leaf) => stubs[leaf], holdMs);
    try {
      process.env.DAGGER_SESSION_PORT = String(recorder.port);
      process.env.DAGGER_SESSION_TOKEN = recorder.token;
      const box: { result?: T } = {};
      // connection() returns nothing, so the result leaves through the box.
      await connection(async () => {
        box.result = await fn();
      });
      const queries = [...recorder.queries];
      return { result: box.result as T, queries, graph: buildGraph(queries), maxInFlight: recorder.maxInFlight };
    } finally {
      await recorder.close();
    }
  } catch (e) {
    throw explain(e);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    running = false;
  }
}

// The one failure with a non-obvious cause: the code under test imported another copy of the SDK,
// whose own globalConnection record() never connected.
function explain(e: unknown): unknown {
  if (e instanceof Error && e.message.includes("GraphQL client is not set")) {
    return new Error(
      "the code under test used a `dag` that record() did not connect: it must import the same " + "@dagger.io/dagger module instance as test/recorder/record.ts (one node_modules copy)",
      { cause: e },
    );
  }
  return e;
}
