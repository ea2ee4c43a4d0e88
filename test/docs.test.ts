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
    assert.ok(
      rows.some((r) => r.includes(text) || (text === "conflict: 3" && r.startsWith("| exit code 3"))),
      `no troubleshooting row quotes "${text}"`,
    );
  }
  const unexplained = rows.filter((r) => !quoted.some((t) => r.includes(t)) && !r.startsWith("| exit code 3") && !Object.keys(notOurs).some((k) => r.includes(k)));
  assert.deepEqual(unexplained, [], "a troubleshooting row that quotes neither a checked message nor a listed outside text");
});

/**
 * The blueprint hookup the docs tell an application repository to write is the one the wrappers are
 * proved with (test/fixtures/app-repo/dagger.json, test/ci/event-mapping.test.ts), and the `-m`
 * form of this module is only shown with `--source=.` (without it, defaults load from the module's
 * own repository: test/harness/engine/default-path.ts).
 */
test("README, docs/functions.md and ci/README.md show the fixture's blueprint dagger.json, and -m of this module only with --source=.", () => {
  const fixture = JSON.parse(readFileSync(join(ROOT, "test/fixtures/app-repo/dagger.json"), "utf8"));
  const engineVersion = JSON.parse(readFileSync(join(ROOT, "dagger.json"), "utf8")).engineVersion;
  const shape = (v: unknown): unknown => (v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v);
  for (const doc of ["README.md", FUNCTIONS_REFERENCE, "ci/README.md"]) {
    const text = readFileSync(join(ROOT, doc), "utf8");
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes('"blueprint"'));
    assert.equal(blocks.length, 1, `${doc}: one dagger.json with a blueprint`);
    const shown = JSON.parse(blocks[0]);
    assert.deepEqual(shape(shown), shape(fixture), `${doc}: the same keys as the fixture's dagger.json`);
    assert.equal(shown.engineVersion, engineVersion, `${doc}: the engine version`);
    assert.equal(shown.blueprint.name, fixture.blueprint.name, `${doc}: the blueprint's name`);
    assert.equal(shown.blueprint.source, "github.com/<your-org>/pipeline-as-code@<commit>", `${doc}: pinned by commit`);
    assert.equal(shown.blueprint.pin, "<commit>", `${doc}: pin`);
    assert.equal(fixture.blueprint.source.replace(/acme/, "<your-org>").replace(fixture.blueprint.pin, "<commit>"), shown.blueprint.source, `${doc}: the fixture's source in the docs' placeholders`);
    assert.ok(text.includes(`--blueprint=${shown.blueprint.source}`), `${doc}: the dagger init line writes that source`);
    const moduleCalls = [...text.matchAll(/dagger -m "?github\.com\/<your-org>\/pipeline-as-code[^`\n]*/g)].map((m) => m[0]);
    for (const call of moduleCalls) assert.match(call, /--source=\./, `${doc}: ${call}`);
  }
});
