// Property tests of the plan's arguments (issue 16): arbitrary events, refs, environments and
// changed paths through the plan CLI (in-process, scripts/plan-cli.ts) and toEvent. Every input
// gives a plan (exit 0) or a `path: message` refusal (exit 2); never a stack trace, never a line
// or an escape in the output that the input put there. Seeded and bounded: each run is a few
// milliseconds, and a single input over a second fails.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InputError } from "../../.dagger/src/errors.js";
import { EVENT_KINDS, toEvent } from "../../.dagger/src/plan/event.js";
import { refNameProblem } from "../../.dagger/src/plan/ref-name.js";
import { planCli } from "../../scripts/plan-cli.js";
import { ROOT } from "../tiers/modules.js";

const CONFIG = join(ROOT, "examples/webshop/pipeline.yaml");
const SEED = 16;
/** A single input must be decided well under this (a hang or a quadratic blow-up fails here). */
const PER_INPUT_MS = 1000;

/** The CLI on these arguments: exit code and what it wrote, and how long it took. */
function cli(args: string[]): { code: number; stdout: string; stderr: string; ms: number } {
  let stdout = "";
  let stderr = "";
  const started = performance.now();
  const code = planCli(["--config", CONFIG, ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr, ms: performance.now() - started };
}

/** Characters that forge or hide output: line breaks, C0/C1 controls (ANSI escapes start with ESC), separators, direction marks. */
const FORGING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Strings that probe the rules: git's forbidden characters, dots and slashes, escapes, newlines forging plan lines, ordinary names. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.stringMatching(/^[a-z/.\-@{}~^:?*[\\ ]{0,20}$/),
  fc.constantFrom(
    "main",
    "feature/login",
    "refs/heads/main",
    "refs/tags/v1.2.0",
    "refs/pull/7/merge",
    "v1.2.0",
    "a..b",
    "main\nFlow: main",
    "feature/x\r\nPromotions:",
    "\u001b[31mred\u001b[0m",
    "main\u2028Flow: main",
    "-rf",
    "@",
    "x.lock",
    ".hidden",
    "a//b",
    "dev",
    "prod",
  ),
);
const event = fc.oneof(fc.constantFrom(...EVENT_KINDS), nasty);
const path = fc.oneof(nasty, fc.constantFrom("db/../backend/x.ts", "../x", "./backend/src/a.ts", "/etc/passwd", "backend\\src\\a.ts", "db/migrations/V1__x.sql", ".", "a/b/../../..", "C:/x"));

/** Argument lists the CLI may get: options with arbitrary values, in any order, some repeated or left out. */
const argv = fc
  .record(
    {
      event,
      ref: nasty,
      environment: nasty,
      emergency: fc.boolean(),
      changed: fc.array(path, { maxLength: 4 }),
      json: fc.boolean(),
    },
    { requiredKeys: ["event"] },
  )
  .map((a) => [
    "--event",
    a.event,
    ...(a.ref !== undefined ? [`--ref=${a.ref}`] : []),
    ...(a.environment !== undefined ? [`--environment=${a.environment}`] : []),
    ...(a.emergency ? ["--emergency"] : []),
    ...(a.changed ?? []).map((c) => `--changed=${c}`),
    ...(a.json ? ["--json"] : []),
  ]);

describe("plan arguments: properties", () => {
  it("the CLI answers every argument list with a plan (exit 0) or a `path: message` refusal (exit 2), quickly, without a stack trace or a forged line", () => {
    fc.assert(
      fc.property(argv, (args) => {
        const r = cli(args);
        assert.ok(r.ms < PER_INPUT_MS, `${r.ms} ms`);
        assert.ok(r.code === 0 || r.code === 2, `exit ${r.code}`);
        const out = `${r.stdout}${r.stderr}`;
        assert.doesNotMatch(out, /\n\s+at .*\(.*:\d+:\d+\)|\bat file:/, "no stack trace");
        assert.doesNotMatch(out, FORGING, "no control character from the input");
        if (r.code === 2) {
          assert.equal(r.stdout, "", "nothing on stdout on a refusal");
          assert.match(r.stderr, /^[a-z][\w.-]*: \S|^Unknown option|^Option '|^Unexpected argument|^event: required/, "the refusal names the input first");
        } else {
          assert.equal(r.stderr, "");
          // Every line of a plan is one the renderer wrote: an input with a line break never got here.
          for (const a of args) if (a.startsWith("--ref=") || a.startsWith("--environment=")) assert.doesNotMatch(a, /[\r\n]/);
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it("a ref is accepted exactly when git would create the branch (checked against git check-ref-format --branch)", () => {
    const dir = mkdtempSync(join(tmpdir(), "refs-"));
    try {
      execFileSync("git", ["init", "-q", dir]);
      const gitAccepts = (name: string) => {
        try {
          execFileSync("git", ["check-ref-format", "--branch", name], { cwd: dir, stdio: "ignore" });
          return true;
        } catch {
          return false;
        }
      };
      fc.assert(
        fc.property(
          // --branch expands "@" and "@{-1}" to the current branch before checking: those are ours to refuse alone.
          nasty.filter((s) => !s.startsWith("refs/") && !s.includes("\u0000") && s !== "@" && !s.includes("@{")),
          (name) => {
            // Ours is stricter where git allows what a terminal acts on (C1 controls, separators, direction marks) and over 255 bytes.
            const ours = refNameProblem(name) === undefined;
            if (ours) assert.ok(gitAccepts(name), `we accept ${JSON.stringify(name)}, git does not`);
            else if (gitAccepts(name))
              assert.ok(
                /[\u0080-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/.test(name) || Buffer.byteLength(name) > 255,
                `git accepts ${JSON.stringify(name)}, we refuse it: ${refNameProblem(name)}`,
              );
          },
        ),
        { seed: SEED, numRuns: 150 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("changed paths are normalised inside the repository or refused, and an accepted event is stable (toEvent of its own fields gives it back)", () => {
    fc.assert(
      fc.property(fc.array(path, { maxLength: 5 }), (changed) => {
        let e: ReturnType<typeof toEvent>;
        try {
          e = toEvent({ event: "push", ref: "main", changed });
        } catch (err) {
          assert.ok(err instanceof InputError, String(err));
          assert.match(err.message, /^changed: "/);
          assert.doesNotMatch(err.message, FORGING);
          return;
        }
        assert.equal(e.kind, "push");
        for (const p of e.kind === "push" ? (e.changed ?? []) : []) {
          assert.ok(!p.startsWith("/") && !p.startsWith("../") && p !== ".." && p !== ".", p);
          assert.ok(!p.split("/").includes("..") && !p.split("/").includes("."), `${p} is normalised`);
          assert.ok(!p.includes("\\"), p);
        }
        assert.deepEqual(toEvent({ event: "push", ref: "main", changed: e.kind === "push" ? e.changed : [] }), e);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("plan arguments: the defect classes of issue 16", () => {
  const refused = (args: string[], pattern: RegExp) => {
    const r = cli(args);
    assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stdout}`);
    assert.match(r.stderr, pattern);
  };

  it("refuses refs with '..', spaces, newlines and ANSI escapes, showing them escaped", () => {
    refused(["--event", "push", "--ref", "a..b"], /^ref: "a\.\.b" is not a valid branch name: it holds "\.\."/);
    refused(["--event", "pull-request", "--ref", "my branch"], /^ref: "my branch" is not a valid branch name: it holds a space/);
    refused(["--event", "push", "--ref", "main\nFlow: evil"], /^ref: "main\\nFlow: evil" is not a valid branch name: it holds a control character/);
    refused(["--event", "delete", "--ref", "\u001b[31mred"], /^ref: "\\u001b\[31mred" is not a valid branch name/);
    refused(["--event", "tag", "--ref", "v1.0.0\n"], /^ref: "v1\.0\.0\\n" is not a valid tag name/);
  });

  it("refuses refs/tags/… on a push (the tag event releases it), and refs that are no branch", () => {
    refused(
      ["--event", "push", "--ref", "refs/tags/v1.2.0"],
      /^ref: "refs\/tags\/v1\.2\.0" is a tag, and a push event is about a branch; a pushed release tag is the tag event \(--event tag --ref "v1\.2\.0"\)/,
    );
    refused(["--event", "pull-request", "--ref", "refs/pull/7/merge"], /^ref: "refs\/pull\/7\/merge" is not a branch/);
    refused(["--event", "tag", "--ref", "refs/heads/main"], /^ref: "refs\/heads\/main" is not a tag/);
    assert.equal(cli(["--event", "tag", "--ref", "refs/tags/v1.2.0"]).code, 0);
  });

  it("refuses --emergency and --environment where they would be ignored, naming the flag and the events that take it", () => {
    refused(["--event", "push", "--ref", "main", "--emergency"], /^emergency: a push event takes no emergency \(it would be ignored\); emergency is for promote events/);
    refused(
      ["--event", "push", "--ref", "main", "--environment", "prod"],
      /^environment: a push event takes no environment \(it would be ignored\); environment is for promote, rollback, deploy events/,
    );
    refused(["--event", "promote", "--environment", "prod", "--ref", "main"], /^ref: a promote event takes no ref/);
    refused(["--event", "tag", "--ref", "v1.2.0", "--changed", "db/x.sql"], /^changed: a tag event takes no changed/);
  });

  it("normalises a changed path before matching components, and refuses one outside the repository", () => {
    const r = cli(["--event", "push", "--ref", "main", "--changed", "db/../backend/x.ts", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as { event: { changed: string[] }; components: { affected: string[] } };
    assert.deepEqual(p.event.changed, ["backend/x.ts"]);
    assert.deepEqual(p.components.affected, ["backend"]);
    refused(["--event", "push", "--ref", "main", "--changed", "../x"], /^changed: "\.\.\/x" is outside the repository/);
    refused(["--event", "push", "--ref", "main", "--changed", "/etc/passwd"], /^changed: "\/etc\/passwd" is absolute/);
    refused(["--event", "push", "--ref", "main", "--changed", "a\u001b[2Jb"], /^changed: "a\\u001b\[2Jb" holds a control character/);
  });

  it("escapes an unknown option's name, which parseArgs quotes as given", () => {
    const r = cli(["--event", "push", "--\u001b[31mx"]);
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.stderr, FORGING);
    assert.match(r.stderr, /\\u001b/);
  });
});
