import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CallKey, FunctionCache, type FunctionCacheMutant, MAX_FUNCTION_CACHE_TTL_SECONDS, readLeaves, ttlSeconds } from "./function-cache.js";

const key: CallKey = { module: "gitops", receiver: { repo: "x" }, fn: "write", args: { env: "dev" } };
const DAY = 24 * 3600;

/** The rule's properties, as tests over a cache built by `make` (the model, or a mutant of it). */
function properties(make: (now: () => number) => FunctionCache) {
  return {
    defaultAcrossSessions() {
      const cache = make(() => 0);
      cache.call(key, "default", "s1", () => 1);
      assert.equal(
        cache.call(key, "default", "s2", () => 2),
        1,
        "a later session is served the first session's result",
      );
      assert.equal(cache.executions(key), 1);
    },
    defaultExpiresAfterSevenDays() {
      let t = 0;
      const cache = make(() => t);
      cache.call(key, "default", "s1", () => 1);
      t = 7 * DAY - 1;
      assert.equal(
        cache.call(key, "default", "s2", () => 2),
        1,
      );
      t = 7 * DAY;
      assert.equal(
        cache.call(key, "default", "s3", () => 3),
        3,
        "after the 7-day TTL it runs again",
      );
    },
    neverOncePerLeaf() {
      const cache = make(() => 0);
      let run = 0;
      const values = readLeaves(cache, key, "never", "s1", () => ({ landed: ++run, status: run, summary: run }), ["landed", "status", "summary"]);
      assert.equal(cache.executions(key), 3, "three leaves read: three queries, three executions");
      assert.deepEqual(values, [1, 2, 3], "each leaf comes from a different execution");
    },
    sessionPerSession() {
      const cache = make(() => 0);
      cache.call(key, "session", "s1", () => 1);
      assert.equal(
        cache.call(key, "session", "s1", () => 2),
        1,
      );
      assert.equal(
        cache.call(key, "session", "s2", () => 3),
        3,
      );
      assert.equal(cache.executions(key), 2);
    },
  };
}

describe("engine rule (b): function caching (core/modfunc.go, core/typedef.go, dagql/cache_inputs.go)", () => {
  const p = properties((now) => new FunctionCache(now));
  it("without cache: served from cache across sessions", p.defaultAcrossSessions);
  it("without cache: the TTL is the 7-day maximum", p.defaultExpiresAfterSevenDays);
  it('cache "never": executed once per query, i.e. per leaf read', p.neverOncePerLeaf);
  it('cache "session": cached within a session only', p.sessionPerSession);
  it("other arguments are another key; a duration policy is its TTL, capped at 7 days", () => {
    const cache = new FunctionCache();
    cache.call(key, "default", "s1", () => 1);
    assert.equal(
      cache.call({ ...key, args: { env: "prod" } }, "default", "s1", () => 2),
      2,
    );
    assert.equal(ttlSeconds("5m"), 300);
    assert.equal(ttlSeconds("999h"), MAX_FUNCTION_CACHE_TTL_SECONDS);
    assert.equal(ttlSeconds("never"), undefined);
  });

  describe("mutants are caught", () => {
    const caught = (mutant: FunctionCacheMutant, property: keyof ReturnType<typeof properties>) =>
      it(`${mutant} fails "${property}"`, () => assert.throws(() => properties((now) => new FunctionCache(now, mutant))[property](), assert.AssertionError));
    caught("never-cached-per-session", "neverOncePerLeaf");
    caught("default-cached-per-session", "defaultAcrossSessions");
    caught("ttl-ignored", "defaultExpiresAfterSevenDays");
  });
});
