/** The generated function reference is current and documents every function and argument; the troubleshooting table quotes real messages. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
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

/**
 * The README's troubleshooting table quotes our messages: each row's quoted text must still be
 * what the code says, so a reworded message cannot leave the table pointing at nothing. Rows whose
 * text is not ours verbatim (a shape, another program's words) are listed with the reason.
 */
test("every message the README's troubleshooting table quotes is still in the code", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Troubleshooting"), readme.indexOf("## Exit codes"));
  const rows = section.split("\n").filter((l) => l.startsWith("| `") || l.startsWith("| exit code"));
  // The literal each row quotes, as it appears in the source (…-elided parts left out).
  const quoted = [
    "must be a semver range",
    "is not a full git commit SHA",
    "is required in pipeline.yaml when a registry token is given",
    "the image's browsers do not match the locked Playwright",
    "was edited since",
    "never became ready",
    "Refused by",
    "lready there",
    "conflict: 3",
    "dangling reference",
    "has no image; publish it and pass --image",
    "has no value",
    "the release page needs the application repository's https URL",
    ": not written (",
    "is not resource=registry/name:tag@sha256:<64 hex>",
  ];
  const notOurs: Record<string, string> = {
    "db \\| migrate \\| failed": "the summary's table row of a failed step (component | step | verdict), not one literal",
    "401 Unauthorized": "the registry's own HTTP status line, quoted inside our error",
    "dagger: command not found": "the shell's words",
  };
  const sources = execFileSync("git", ["ls-files", ".dagger/src", "modules"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((f) => /\/src\/.*\.ts$/.test(f))
    .map((f) => readFileSync(join(ROOT, f), "utf8"))
    .join("\n");
  for (const text of quoted) {
    assert.ok(sources.includes(text), `the code no longer says "${text}"`);
    assert.ok(rows.some((r) => r.includes(text) || (text === "conflict: 3" && r.startsWith("| exit code 3"))), `no troubleshooting row quotes "${text}"`);
  }
  const unexplained = rows.filter((r) => !quoted.some((t) => r.includes(t)) && !(r.startsWith("| exit code 3")) && !Object.keys(notOurs).some((k) => r.includes(k)));
  assert.deepEqual(unexplained, [], "a troubleshooting row that quotes neither a checked message nor a listed outside text");
});
