/**
 * Engine rule (b): module function caching, Dagger v0.21.9 (see source.ts for the exact commit).
 *
 * Read in dagger/dagger:
 * - core/modfunc.go, const `MaxFunctionCacheTTLSeconds = 7 * 24 * 60 * 60`, and
 *   `(*ModuleFunction).cacheImplicitInputs`: policy Never adds `dagql.PerCallInput`, PerSession adds
 *   `dagql.PerSessionInput`, Default adds nothing.
 * - core/typedef.go `(*Function).FieldSpec`: Default is persistable with `spec.TTL` = the function's
 *   own TTL (`cache: "5m"`) or the 7-day maximum; Never and PerSession are not persistable.
 *   `(*Function).derivedCachePolicy`: Default becomes PerSession only for old modules that set
 *   DisableDefaultFunctionCaching.
 * - dagql/cache_inputs.go: `PerCallInput` mixes `identity.NewID()` (a random value) into the call
 *   ID, `PerSessionInput` the session ID.
 * - dagql/objects.go `ObjectResult.preselect`: the cache request is the ResultCall {Field, Receiver,
 *   Module, Args, ImplicitInputs} with `TTL` and `IsPersistable` from the field spec: the cache key is
 *   the module, the receiver object, the function, the arguments and the implicit inputs.
 * - sdk/typescript/src/common/context.ts `Context.execute`: every leaf read sends one query with the
 *   whole chain, so the chain (and any function call on it) is resolved again for each leaf.
 *
 * Behaviour: without `cache`, a call with the same inputs is served from cache, in the same or a
 * later session, until its TTL (at most 7 days) runs out; `"session"` is served from cache within
 * one session only; `"never"` runs again on every resolution, i.e. once per query that selects
 * through it.
 */

/** A function's cache policy as written in `@func({ cache })`: absent ("default"), "session", "never" or a duration like "5m". */
export type CachePolicy = "default" | "session" | "never" | `${number}${"s" | "m" | "h"}`;

/** The engine's maximum function cache TTL: 7 days, in seconds (core/modfunc.go). */
export const MAX_FUNCTION_CACHE_TTL_SECONDS = 7 * 24 * 60 * 60;

/** What identifies a function call to the cache (the ResultCall of dagql/objects.go, without implicit inputs). */
export interface CallKey {
  module: string;
  /** The receiver object, e.g. its constructor arguments. */
  receiver: unknown;
  fn: string;
  args: unknown;
}

/** A wrong model, used by the mutant tests to show the real tests catch it. */
export type FunctionCacheMutant = "never-cached-per-session" | "default-cached-per-session" | "ttl-ignored";

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** The TTL in seconds a policy gets, or undefined when the result is not persisted across sessions. */
export function ttlSeconds(policy: CachePolicy): number | undefined {
  if (policy === "never" || policy === "session") return undefined;
  if (policy === "default") return MAX_FUNCTION_CACHE_TTL_SECONDS;
  const m = /^(\d+)([smh])$/.exec(policy);
  if (!m) throw new Error(`cache policy "${policy}": expected "never", "session" or a duration such as 5m`);
  return Math.min(Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"], MAX_FUNCTION_CACHE_TTL_SECONDS);
}

/** The engine's function cache: serves or runs a call and counts executions per call key. */
export class FunctionCache {
  readonly #entries = new Map<string, Entry>();
  readonly #executions = new Map<string, number>();
  #perCall = 0;

  /**
   * @param now Clock in seconds (tests move it to cross the TTL).
   * @param mutant A deliberately wrong rule, for mutant tests only.
   */
  constructor(
    private readonly now: () => number = () => 0,
    private readonly mutant?: FunctionCacheMutant,
  ) {}

  /** Resolve one call: the cached value when the policy allows it, else `run()` (counted). */
  call<T>(key: CallKey, policy: CachePolicy, sessionId: string, run: () => T): T {
    const id = this.#cacheId(key, policy, sessionId);
    const hit = this.#entries.get(id);
    if (hit && (this.mutant === "ttl-ignored" || hit.expiresAt > this.now())) return hit.value as T;
    const base = keyText(key);
    this.#executions.set(base, (this.#executions.get(base) ?? 0) + 1);
    const value = run();
    const ttl = ttlSeconds(policy) ?? Number.POSITIVE_INFINITY; // session/never entries live as long as their implicit input matches
    this.#entries.set(id, { value, expiresAt: this.now() + ttl });
    return value;
  }

  /** How many times the call with this key (any session, any policy) actually ran. */
  executions(key: CallKey): number {
    return this.#executions.get(keyText(key)) ?? 0;
  }

  #cacheId(key: CallKey, policy: CachePolicy, sessionId: string): string {
    let implicit: string;
    if (policy === "never") implicit = this.mutant === "never-cached-per-session" ? `session:${sessionId}` : `call:${++this.#perCall}`;
    else if (policy === "session") implicit = `session:${sessionId}`;
    else implicit = this.mutant === "default-cached-per-session" ? `session:${sessionId}` : "";
    return `${keyText(key)}|${implicit}`;
  }
}

/**
 * What the TypeScript SDK does when code reads several leaves of a function's result: one query
 * per leaf, each resolving the chain (and so the function call) again. Returns each leaf's value.
 */
export function readLeaves<T extends Record<string, unknown>>(cache: FunctionCache, key: CallKey, policy: CachePolicy, sessionId: string, run: () => T, leaves: (keyof T)[]): unknown[] {
  return leaves.map((leaf) => cache.call(key, policy, sessionId, run)[leaf]);
}

function keyText(key: CallKey): string {
  return JSON.stringify([key.module, key.receiver, key.fn, key.args]);
}
