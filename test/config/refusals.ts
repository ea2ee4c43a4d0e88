// Helpers of the config refusal tests: small pipeline.yaml fragments and the problems a load raises.
import assert from "node:assert/strict";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { ConfigError, formatProblem } from "../../.dagger/src/config/problems.js";

/** The lines every fragment starts with: an application and its registry. */
export const HEAD = "name: shop\nregistry: { address: registry.local/shop }\n";
/** One backend component. */
export const API = "components: { api: { kind: backend, toolchain: node, path: api } }\n";

/** The problems a config raises, as users see them, without the file:line:col prefix; fails when it loads. */
export function problemsOf(input: string | Uint8Array): string[] {
  try {
    parseConfig(input);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${(e as Error)?.stack ?? String(e)}`);
    return e.problems.map((p) => formatProblem("pipeline.yaml", p).replace(/^\S+ /, ""));
  }
  assert.fail("the config was accepted");
}

/** Milliseconds a call takes. */
export function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}
