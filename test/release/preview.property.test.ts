/**
 * Property tests of preview namespaces (fast-check, seeded, bounded): every branch name git
 * allows (ASCII, other scripts, case variants, up to 300 characters) gets a valid DNS label, the
 * same one every time, and a different one from every other branch; removing a preview removes
 * only the previews of branches that are gone.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { previewOf, stalePreviews } from "../../.dagger/src/release/preview.js";
import { exampleConfig } from "../topology/fixture.js";

const config = exampleConfig();
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Each input well under 1 s; the whole property bounded. */
const PER_INPUT_MS = 1000;
const OPTIONS = { seed: 42, interruptAfterTimeLimit: 20_000 } as const;

/** Whether git allows the name as a branch (git check-ref-format --branch, refs.c check_refname_component). */
export function isGitBranchName(name: string): boolean {
  if (name === "" || name === "@" || name.startsWith("-") || name.endsWith("/") || name.endsWith(".") || name.includes("..") || name.includes("@{") || name.includes("//")) return false;
  // Control characters, space, DEL and ~ ^ : ? * [ \ are never allowed.
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  return name.split("/").every((c) => c !== "" && !c.startsWith(".") && !c.endsWith(".lock"));
}

/** Characters branch names are made of: ASCII that git allows, upper case, separators, other scripts. */
const CHARS = [..."abcxyzABCXYZ0189-_./", "ø", "Ø", "æ", "å", "é", "É", "ü", "ß", "日", "本", "中", "й", "Ж", "λ", "😀", "ﬁ", "İ"];
const branchName = fc
  .array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 90 })
  .map((cs) => cs.join(""))
  .chain((s) => fc.oneof({ weight: 4, arbitrary: fc.constant(s) }, { weight: 1, arbitrary: fc.constant(s.repeat(4)) }))
  .filter(isGitBranchName);

/** Time one call; fail when it takes a second or more. */
function timed<T>(run: () => T): T {
  const start = performance.now();
  const out = run();
  assert.ok(performance.now() - start < PER_INPUT_MS, "an input took a second or more");
  return out;
}

describe("preview namespaces (property)", () => {
  test("every branch git allows: a DNS label of at most 63 characters, never a bare prefix, the same every time, its folder named after it", () => {
    fc.assert(
      fc.property(branchName, (branch) => {
        const { namespace, folder } = timed(() => previewOf(config, branch));
        assert.match(namespace, DNS_LABEL, branch);
        assert.ok(namespace.length <= 63 && namespace !== "preview-" && namespace.startsWith("preview-") && namespace.length > "preview-".length);
        assert.equal(folder, `previews/${namespace}`);
        assert.equal(previewOf(config, branch).namespace, namespace);
      }),
      { ...OPTIONS, numRuns: 500 },
    );
  });

  test("distinct branches never share a namespace, over generated sets including case variants of each name", () => {
    fc.assert(
      fc.property(fc.uniqueArray(branchName, { minLength: 2, maxLength: 60 }), (names) => {
        const branches = [...new Set(names.flatMap((n) => [n, n.toUpperCase(), n.toLowerCase()]).filter(isGitBranchName))];
        const namespaces = branches.map((b) => timed(() => previewOf(config, b).namespace));
        const owner = new Map<string, string>();
        namespaces.forEach((n, i) => {
          assert.ok(!owner.has(n), `${JSON.stringify(owner.get(n))} and ${JSON.stringify(branches[i])} share ${n}`);
          owner.set(n, branches[i]!);
        });
      }),
      { ...OPTIONS, numRuns: 100 },
    );
  });

  test("pruning removes exactly the previews of the branches that are gone", () => {
    fc.assert(
      fc.property(fc.uniqueArray(branchName, { minLength: 2, maxLength: 30 }), fc.infiniteStream(fc.boolean()), (branches, gone) => {
        const flags = branches.map(() => gone.next().value as boolean);
        const live = branches.filter((_, i) => !flags[i]);
        if (live.length === 0) return;
        const folders = branches.map((b) => previewOf(config, b).namespace);
        const stale = timed(() => stalePreviews(config, folders, live));
        assert.deepEqual(stale, folders.filter((_, i) => flags[i]).sort());
      }),
      { ...OPTIONS, numRuns: 150 },
    );
  });
});
