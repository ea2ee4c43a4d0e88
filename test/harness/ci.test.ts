// ci through the engine model: our modules run their own code (the gates judge, the GitOps module
// pushes to a real bare repository), images are pushed to the harness's registry, and every
// container the engine would run is a placeholder unless a test answers it. Nothing here ran in Dagger.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { mintId } from "../recorder/ids.js";
import { makeMutant } from "../tiers/mutant.js";
import { git, history } from "../gitops/git/git-fixture.js";
import { GITOPS_SEED, harnessApp } from "./app.js";
import { Harness } from "./harness.js";
import { standIns, trivyReport } from "./stand-ins.js";
import { MemoryRegistry } from "./registry.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string) => mintId([{ field: "setSecret", args: { name } }]);

/** Flyway's recorded output and stand-in Trivy reports (until the security stage lands); a CRITICAL finding in one component's scan when asked. */
const stubs = (critical?: { component: string; cve: string }) =>
  // The scanned image is the component's build (its folder) or, when reused, its published image.
  standIns((leaf) => (critical && (leaf.includes(`path: "${critical.component}"`) || leaf.includes(`/${critical.component}:in-`)) ? critical.cve : undefined));

describe("harness: ci on a push to main", () => {
  const registry = new MemoryRegistry();
  before(() => registry.start());
  after(() => registry.stop());

  const run = async (critical?: { component: string; cve: string }, gitopsFiles?: Record<string, string>) => {
    const app = await harnessApp(registry.address, gitopsFiles);
    const h = new Harness({ root: app.root, registry, remotes: app.remotes, stubs: stubs(critical) });
    h.engine.setSecret("registry-token", "reg-token-canary");
    h.engine.setSecret("gitops-token", "gitops-token-canary");
    try {
      const summary = String(await h.call("pipeline", {}, "ci", { revision: REV, branch: "main", registryToken: secret("registry-token"), gitopsToken: secret("gitops-token") }, "summary"));
      return { app, h, summary };
    } finally {
      await app.close();
    }
  };

  it("runs checks → build → E2E → scan → publish → record → dev; the dev promotion lands as one commit, judged by the real gates on this run's reports", async () => {
    const { app, h, summary } = await run();
    const stages = summary.slice(summary.indexOf("| stage | verdict |"), summary.indexOf("\n\n", summary.indexOf("| stage | verdict |")));
    const table = [...stages.matchAll(/^\| ([^|]+) \| (✅|❌|⏹️) /gm)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(table, ["checks ✅", "build ✅", "E2E ✅", "scan ✅", "integration (Aspire) ✅", "publish ✅", "release record ✅", "promote ✅"], summary);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject),
      ["promote 0123456789ab to dev: backend 1.2.0, db 1.1.0, frontend 1.2.0", "record release 0123456789ab", "seed"],
    );
    assert.equal(h.engine.count("gitops", "push"), 2, "one push for the record, one for dev");
    assert.equal(h.engine.count("gates", "vulnerabilities"), 1, "the real gate judged once");
    assert.equal(h.engine.count("node-toolchain", "build"), 2, "backend and frontend built by the node-toolchain module (the pull-request test counts the same way)");
    assert.match(summary, /\| vulnerabilities \| ✅ passed \|/);
    const record = JSON.parse(git(app.gitops, "show", `main:releases/${REV}.json`)) as { components: Record<string, { image: string }> };
    const kustomization = git(app.gitops, "show", "main:environments/dev/kustomization.yaml");
    // dev runs exactly the digests that were published (and scanned and tested) in this run.
    for (const [name, c] of Object.entries(record.components)) assert.ok(kustomization.includes(c.image.split("@")[1]), `dev runs ${name} by its published digest`);
    assert.ok(
      registry.writes.some((w) => record.components.backend.image.endsWith(`${w.repository}:${w.tag}@${w.digest}`)),
      "the recorded digest is the one pushed to the registry",
    );
    // The evidence: this run's verdicts, and per component the digest scanned with the SHA-256 of the report judged for it.
    const evidence = (
      JSON.parse(git(app.gitops, "show", `main:releases/${REV}.json`)) as {
        evidence: { integration?: string; scans: Record<string, unknown>; reports: Record<string, { digest: string; report: string }> };
      }
    ).evidence;
    assert.equal(evidence.integration, "passed");
    assert.deepEqual(Object.keys(evidence.scans).sort(), ["backend", "db", "frontend"]);
    for (const [name, c] of Object.entries(record.components)) {
      assert.equal(evidence.reports[name].digest, c.image.split("@")[1], `${name}: the scanned digest is the recorded one`);
      assert.equal(evidence.reports[name].report, `sha256:${createHash("sha256").update(trivyReport()).digest("hex")}`, `${name}: the report judged`);
    }
  });

  it("dev held by an automatic rollback: ci's promotion (automatic) is refused by the hold; the release is still recorded", async () => {
    const held = {
      kind: "pipeline-as-code/environment/v1",
      environment: "dev",
      components: {},
      history: [],
      hold: { since: "2026-12-07T10:00:00Z", reason: "verification failed: backend reports 1.3.0" },
    };
    const { app, summary } = await run(undefined, { ...GITOPS_SEED, "environments/dev/.pipeline/state.json": `${JSON.stringify(held, null, 2)}\n` });
    assert.match(summary, /^\| promote \| ❌ failed: promotion to dev refused by hold/m);
    assert.match(summary, /held since 2026-12-07T10:00:00Z \(verification failed: backend reports 1\.3\.0\): automatic promotion waits until someone promotes by hand/);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject),
      ["record release 0123456789ab", "seed"],
    );
  });

  it("a blocking finding in this run's scan refuses the dev promotion, naming the finding; the release is still recorded", async () => {
    const { app, summary } = await run({ component: "backend", cve: "CVE-2026-0001" });
    assert.match(summary, /^\| promote \| ❌ failed: promotion to dev refused by vulnerabilities/m);
    assert.match(summary, /CVE-2026-0001/);
    assert.match(
      summary,
      /## Scan\n\n\| component \| CRITICAL \| HIGH \| MEDIUM \| LOW \| UNKNOWN \|\n\|---\|---\|---\|---\|---\|---\|\n\| db \| 0 \| 0 \| 0 \| 0 \| 0 \|\n\| backend \| 1 \| 0 \| 0 \| 0 \| 0 \|\n\| frontend \| 0 \| 0 \| 0 \| 0 \| 0 \|/,
      summary,
    );
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject),
      ["record release 0123456789ab", "seed"],
      "nothing written for dev",
    );
  });
  it("a pull request touching only the frontend: ci runs the frontend's checks and nothing else", async () => {
    const app = await harnessApp(registry.address);
    try {
      const h = new Harness({ root: app.root, registry, remotes: app.remotes, stubs: stubs() });
      const summary = String(await h.call("pipeline", {}, "ci", { revision: REV, branch: "feature/cart", event: "pull-request", changed: ["frontend/src/main.ts"] }, "summary"));
      const stages = summary.slice(summary.indexOf("| stage | verdict |"), summary.indexOf("\n\n", summary.indexOf("| stage | verdict |")));
      assert.deepEqual([...stages.matchAll(/^\| ([^|]+) \| /gm)].map((m) => m[1]).slice(1), ["checks"]);
      assert.match(summary, /\| checks \| ✅ 3 checks passed \|/);
      assert.deepEqual(
        [...summary.matchAll(/^\| (db|backend|frontend) \| (lint|typecheck|unit) \|/gm)].map((m) => m[1]),
        ["frontend", "frontend", "frontend"],
      );
      assert.equal(h.engine.count("node-toolchain", "build") + h.engine.count("flyway", "build"), 0, "nothing is built");
    } finally {
      await app.close();
    }
  });
  it("a pull request whose changed files are unknown (no --changed, as the wrappers call it then): every component's checks, and the summary says why", async () => {
    const app = await harnessApp(registry.address);
    try {
      const h = new Harness({ root: app.root, registry, remotes: app.remotes, stubs: stubs() });
      const summary = String(await h.call("pipeline", {}, "ci", { revision: REV, branch: "feature/cart", event: "pull-request" }, "summary"));
      assert.deepEqual(checkedComponents(summary), ["backend", "db", "frontend"], summary);
      assert.match(summary, /Every component is affected: the changed files are unknown\./);
      assert.equal(h.engine.count("node-toolchain", "build") + h.engine.count("flyway", "build"), 0, "nothing is built");
      // Mutant: reading a missing --changed as an empty list (nothing changed) would check nothing; this test sees it.
      const sources = makeMutant("changed-missing-as-empty", [{ file: ".dagger/src/index.ts", from: "...(o.changed ? { changed: o.changed } : {})", to: "changed: o.changed ?? []" }]);
      const mutant = new Harness({ root: app.root, registry, remotes: app.remotes, stubs: stubs(), sources });
      const checkedNothing = String(await mutant.call("pipeline", {}, "ci", { revision: REV, branch: "feature/cart", event: "pull-request" }, "summary"));
      assert.deepEqual(checkedComponents(checkedNothing), [], checkedNothing);
    } finally {
      await app.close();
    }
  });
});

/** The components whose checks the summary lists, sorted. */
function checkedComponents(summary: string): string[] {
  return [...new Set([...summary.matchAll(/^\| (db|backend|frontend) \| (lint|typecheck|unit) \|/gm)].map((m) => m[1]))].sort();
}
