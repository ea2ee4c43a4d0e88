/** The generated function reference is current, and every function and argument it lists is documented. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FUNCTIONS_REFERENCE, renderFunctionsReference } from "../scripts/functions-reference.js";
import { ROOT } from "./tiers/modules.js";

const GOLDENS = join(ROOT, "test/golden/introspection");

test("docs/functions.md equals the reference rendered from the introspection goldens (npm run generate)", () => {
  assert.equal(readFileSync(join(ROOT, FUNCTIONS_REFERENCE), "utf8"), renderFunctionsReference(GOLDENS));
});

test("every function and every flag in the reference has a description (what dagger call --help shows)", () => {
  const reference = renderFunctionsReference(GOLDENS);
  const undocumentedFunctions = [...reference.matchAll(/^#### `([^`]+)` → [^\n]+\n\n(?=####|\||$)/gm)].map((m) => m[1]);
  const undocumentedFlags = [...reference.matchAll(/^\| `(--[^`]+)` \|[^\n]*\|\s*\|$/gm)].map((m) => m[1]);
  assert.deepEqual(undocumentedFunctions, []);
  assert.deepEqual(undocumentedFlags, []);
  assert.match(reference, /^#### `promote` → string$/m, "the root module's functions are listed");
  assert.match(reference, /^\| `--env` \| string \| yes \|/m, "required flags are marked");
});
