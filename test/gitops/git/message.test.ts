// The promotion commit message: subject, body and trailers, checked with git's own trailer parser.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parsePromotionTrailers, promotionMessage, trailersOf, type PromotionMessage } from "../../../modules/gitops/src/git/message.js";
import { git, tempDir } from "./git-fixture.js";

const RELEASE = "0123456789abcdef0123456789abcdef01234567";
const BASE: PromotionMessage = {
  release: RELEASE,
  environment: "prod",
  versions: { frontend: "1.2.0", db: "1.1.0", backend: "1.2.0" },
  changed: ["db", "backend"],
  previous: { backend: "1.1.0", db: "1.0.0", frontend: "1.2.0" },
  gates: { vulnerabilities: "passed", compatibility: "passed" },
};

/** What `git interpret-trailers --parse` reads from a message. */
function gitTrailers(message: string): string[] {
  const r = spawnSync("git", ["interpret-trailers", "--parse"], { input: message, encoding: "utf8", env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

describe("promotion commit message", () => {
  it("subject names the release, the environment and the moved components; the body shows old -> new", () => {
    const message = promotionMessage(BASE);
    assert.equal(
      message,
      [
        "promote 0123456789ab to prod: backend 1.2.0, db 1.1.0",
        "",
        `Moves prod to release ${RELEASE}:`,
        "  backend 1.1.0 -> 1.2.0",
        "  db 1.0.0 -> 1.1.0",
        "",
        `Release: ${RELEASE}`,
        "Environment: prod",
        "Versions: backend=1.2.0, db=1.1.0, frontend=1.2.0",
        "Gates: compatibility=passed, vulnerabilities=passed",
        "",
      ].join("\n"),
    );
  });

  it("git interpret-trailers --parse reads exactly our trailers, and we read them back", () => {
    const message = promotionMessage({ ...BASE, emergency: "CVE-2026-1234 fix must ship tonight; approved by J. Doe", notes: "Run: https://ci.example.com/run/42\nBy: release-engineer" });
    assert.deepEqual(gitTrailers(message), [
      `Release: ${RELEASE}`,
      "Environment: prod",
      "Versions: backend=1.2.0, db=1.1.0, frontend=1.2.0",
      "Gates: compatibility=passed, vulnerabilities=passed",
      "Emergency: CVE-2026-1234 fix must ship tonight; approved by J. Doe",
    ]);
    assert.deepEqual(
      trailersOf(message).map(([k, v]) => `${k}: ${v}`),
      gitTrailers(message),
    );
    assert.deepEqual(parsePromotionTrailers(message), {
      release: RELEASE,
      environment: "prod",
      versions: { backend: "1.2.0", db: "1.1.0", frontend: "1.2.0" },
      gates: { compatibility: "passed", vulnerabilities: "passed" },
      emergency: "CVE-2026-1234 fix must ship tonight; approved by J. Doe",
    });
    assert.match(message, /\n\nEMERGENCY promotion: .*Reason: CVE-2026-1234/);
  });

  it("no Emergency trailer unless there is an emergency", () => {
    const message = promotionMessage(BASE);
    assert.ok(!gitTrailers(message).some((t) => t.startsWith("Emergency")));
    assert.equal("emergency" in parsePromotionTrailers(message), false);
    assert.doesNotMatch(message, /EMERGENCY/);
  });

  it("a real commit carries them: git log's %(trailers) finds each key", () => {
    const dir = tempDir();
    const repo = join(dir, "repo");
    git(dir, "init", "--quiet", repo);
    const message = promotionMessage({ ...BASE, emergency: "hotfix" });
    const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "--quiet", "--allow-empty", "--cleanup=whitespace", "--file=-"], {
      cwd: repo,
      input: message,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const value = (key: string) => git(repo, "log", "-1", `--format=%(trailers:key=${key},valueonly)`);
    assert.equal(value("Release"), RELEASE);
    assert.equal(value("Environment"), "prod");
    assert.equal(value("Versions"), "backend=1.2.0, db=1.1.0, frontend=1.2.0");
    assert.equal(value("Emergency"), "hotfix");
    assert.equal(git(repo, "log", "-1", "--format=%s"), "promote 0123456789ab to prod: backend 1.2.0, db 1.1.0");
  });

  it("without `changed`, the subject lists every component", () => {
    assert.match(promotionMessage({ ...BASE, changed: undefined }), /^promote 0123456789ab to prod: backend 1\.2\.0, db 1\.1\.0, frontend 1\.2\.0\n/);
  });

  const refused: [string, Partial<PromotionMessage>, RegExp][] = [
    ["a newline in the emergency reason", { emergency: "first line\nVersions: backend=6.6.6" }, /emergency: must be one line; a newline would end the trailer/],
    ["an empty emergency reason", { emergency: "  " }, /emergency: must not be empty/],
    ["a newline in a version", { versions: { backend: "1.2.0\nGates: all=passed" } }, /versions\.backend: .* must be one word without ',' or '='/],
    ["a comma in a gate verdict", { gates: { compatibility: "passed, vulnerabilities=passed" } }, /gates\.compatibility: .* must be one word/],
    ["a short release", { release: "0123456" }, /release: "0123456" is not a full git SHA/],
    ["a bad environment", { environment: "Prod\nX: y" }, /environment: .* is not an environment name/],
    ["no gates", { gates: {} }, /gates: must name at least one entry/],
    ["a changed component that is not in the release", { changed: ["cache"] }, /changed: cache is not a component of the release/],
    ["notes with a --- line (git's patch divider)", { notes: "fine\n---\nhidden" }, /notes: a line starting with '---' would hide the trailers from git interpret-trailers/],
    ["a rollback from a short SHA", { rollback: { from: "fedcba9", automatic: false } }, /rollback.from: "fedcba9" must be a full git SHA/],
    ["a rollback reason over two lines", { rollback: { from: "f".repeat(40), automatic: true, reason: "a\nRelease: forged" } }, /rollback.reason: must be one line/],
  ];
  for (const [what, change, message] of refused) {
    it(`refuses ${what}`, () => assert.throws(() => promotionMessage({ ...BASE, ...change }), message));
  }

  it("a rollback says so in the subject and body, and git reads Rollback-From and Rollback trailers", () => {
    const from = "fedcba9876543210fedcba9876543210fedcba98";
    const message = promotionMessage({ ...BASE, rollback: { from, automatic: true, reason: "verification failed: backend reports 1.3.0, expected 1.2.0" } });
    assert.match(message, /^roll back prod to 0123456789ab: backend 1\.2\.0, db 1\.1\.0\n/);
    assert.match(message, /\n\nAUTOMATIC rollback from release fedcba9876543210fedcba9876543210fedcba98: verification failed: backend reports 1\.3\.0, expected 1\.2\.0\n\n/);
    assert.deepEqual(gitTrailers(message).slice(-2), [`Rollback-From: ${from}`, "Rollback: automatic"]);
    assert.deepEqual(parsePromotionTrailers(message).rollback, { from, kind: "automatic" });
    assert.equal(parsePromotionTrailers(promotionMessage(BASE)).rollback, undefined);
  });

  it("parsing a message without our trailers names the missing one", () => {
    assert.throws(() => parsePromotionTrailers("fix typo\n\nSigned-off-by: A <a@example.test>\n"), /not a promotion commit: no Release trailer/);
  });

  it("a last paragraph that is not all trailers has none (as for git)", () => {
    const message = "subject\n\nRelease: x\nthis line is prose\n";
    assert.deepEqual(trailersOf(message), []);
    assert.deepEqual(gitTrailers(message), []);
  });
});
