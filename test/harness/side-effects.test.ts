// Every side effect happens exactly once per call (R-REL-1): each root function runs once through
// the engine model, which executes never-cached functions again for every query that selects
// through them, as the engine does; the counts are of real writes (git pushes to a bare
// repository, manifests pushed to the harness's registry) and of executions of the module
// functions that write (migrate, the Aspire run). Mutants that read a never-cached result twice
// are caught.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { mintId } from "../recorder/ids.js";
import { history } from "../gitops/git/git-fixture.js";
import { makeMutant } from "../tiers/mutant.js";
import { harnessApp, type HarnessApp } from "./app.js";
import { Harness } from "./harness.js";
import { recordedFlyway } from "./recorded-flyway.js";
import { MemoryRegistry } from "./registry.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string) => mintId([{ field: "setSecret", args: { name } }]);
const IMAGE_ID = `sha256:${"c".repeat(64)}`;
const CLEAN_REPORT = JSON.stringify({ SchemaVersion: 2, ArtifactName: "/scan/image.tar", ArtifactType: "container_image", Metadata: { ImageID: IMAGE_ID }, Results: [] });

/** Container answers the model does not compute: Flyway's recorded output; a stand-in clean Trivy report. */
const stubs = (leaf: string) => {
  const flyway = recordedFlyway(leaf);
  if (flyway !== undefined) return flyway;
  if (/\/scan\/image-id"\)\.contents$/.test(leaf)) return `${IMAGE_ID}\n`;
  if (/\/scan\/report\.json"\)\.contents$/.test(leaf)) return CLEAN_REPORT;
  return undefined;
};

/** Writes per (repository, tag) in the registry: every one must be 1. */
const registryWrites = (r: MemoryRegistry) => r.writes.reduce<Record<string, number>>((m, w) => ({ ...m, [`${w.repository}:${w.tag}`]: (m[`${w.repository}:${w.tag}`] ?? 0) + 1 }), {});

describe("side effects: exactly once per call", () => {
  // Each test has its own registry, so a push is never answered by an earlier test's image.
  let registry: MemoryRegistry;
  let app: HarnessApp;
  beforeEach(async () => {
    registry = await new MemoryRegistry().start();
  });
  afterEach(() => registry.stop());

  const harness = (sources?: string) => {
    const h = new Harness({ root: app.root, registry, remotes: app.remotes, stubs, ...(sources ? { sources } : {}) });
    h.engine.setSecret("registry-token", "reg-token");
    h.engine.setSecret("gitops-token", "gitops-token");
    return h;
  };
  const ci = (h: Harness) => h.call("pipeline", {}, "ci", { revision: REV, branch: "main", registryToken: secret("registry-token"), gitopsToken: secret("gitops-token") }, "summary");

  it("ci on main: one push of each image per tag, one migrate, one Aspire run, one record commit, one dev commit", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const summary = String(await ci(h));
    assert.match(summary, /\| promote \| ✅ promoted to dev \|/, summary);
    assert.deepEqual(Object.values(registryWrites(registry)), Array(6).fill(1), JSON.stringify(registryWrites(registry)));
    assert.equal(h.engine.count("gitops", "push"), 2, "the record and the dev promotion");
    assert.deepEqual(history(app.gitops).map((c) => c.subject.split(" ").slice(0, 2).join(" ")), ["promote 0123456789ab", "record release", "seed"]);
    assert.equal(h.engine.count("flyway", "migrate"), 1, "E2E migrates its database once");
    assert.equal(h.engine.count("aspire", "test"), 1, "the Aspire run runs once, and its verdict and reports come from that run");
    await app.close();
  });

  it("publish: each image pushed once per tag", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const out = String(await h.call("pipeline", {}, "publish", { revision: REV, registryToken: secret("registry-token") }));
    assert.match(out, /^db\t/m);
    assert.deepEqual(Object.values(registryWrites(registry)), Array(6).fill(1), JSON.stringify(registryWrites(registry)));
    // Item 4: a second publish in a later session runs again (never cached) instead of answering the
    // first call's digests from the function cache; the registry already has both tags, so nothing is written twice.
    await h.call("pipeline", {}, "publish", { revision: REV, registryToken: secret("registry-token") });
    assert.equal(h.engine.count("pipeline", "publish"), 2, "publish ran again");
    assert.deepEqual(Object.values(registryWrites(registry)), Array(6).fill(1), "and wrote no tag twice");
    await app.close();
  });

  it("preview, then prune-previews once its branch is gone: one commit each", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const images = ["db", "backend", "frontend"].map((c) => `${c}=${registry.address}/acme/webshop/${c}:${REV}@sha256:${"d".repeat(64)}`);
    const written = String(await h.call("pipeline", {}, "preview", { branch: "feature/cart", images, gitopsToken: secret("gitops-token") }));
    assert.match(written, /Pushed [0-9a-f]{12} to main/);
    assert.equal(h.engine.count("gitops", "push"), 1);
    const pruned = String(await h.call("pipeline", {}, "prunePreviews", { branches: ["main"], gitopsToken: secret("gitops-token") }));
    assert.match(pruned, /Pushed [0-9a-f]{12} to main/);
    assert.equal(h.engine.count("gitops", "push"), 2);
    assert.deepEqual(history(app.gitops).map((c) => c.subject.split(" ").slice(0, 2).join(" ")), ["remove previews", "preview preview-feature-cart", "seed"]);
    await app.close();
  });

  it("e2e alone: one migrate of its database per call, and its verdict from that run", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const summary = String(await h.call("pipeline", {}, "e2e", { revision: REV }, "summary"));
    assert.match(summary, /^\| db \| migrate \| ✅ passed \|/m, summary);
    assert.match(summary, /^\| e2e \| playwright \| ✅ passed \|/m, summary);
    assert.equal(h.engine.count("pipeline", "e2e"), 1);
    assert.equal(h.engine.count("flyway", "migrate"), 1, "one migrate per call");
    await h.call("pipeline", {}, "e2e", { revision: REV }, "summary");
    assert.equal(h.engine.count("flyway", "migrate"), 2, "a second call migrates again (never cached), once");
    assert.deepEqual(Object.values(registryWrites(registry)), [], "e2e pushes nothing");
    await app.close();
  });

  it("integration alone: one Aspire run per call", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const summary = String(await h.call("pipeline", {}, "integration", { revision: REV }, "summary"));
    assert.match(summary, /^\| aspire \| integration \| ✅ passed \|/m, summary);
    assert.equal(h.engine.count("aspire", "test"), 1, "one Aspire run per call");
    await h.call("pipeline", {}, "integration", { revision: REV }, "summary");
    assert.equal(h.engine.count("aspire", "test"), 2, "a second call runs again (never cached), once");
    assert.deepEqual(Object.values(registryWrites(registry)), [], "integration pushes nothing");
    await app.close();
  });

  it("mutant: Flyway's migrate and the Aspire run read twice (a second field of a never-cached result) run twice, and the e2e and integration counts above see it", async () => {
    app = await harnessApp(registry.address);
    const sources = makeMutant("e2e-aspire-read-twice", [
      { file: ".dagger/src/stages/e2e.ts", from: "      const { succeeded, message, schemaVersion } = JSON.parse(await result.json())", to: "      await result.json();\n      const { succeeded, message, schemaVersion } = JSON.parse(await result.json())" },
      { file: ".dagger/src/stages/aspire.ts", from: "  const reports = await run.reports().sync();", to: "  await run.reports().sync();\n  const reports = await run.reports().sync();" },
    ]);
    const h = harness(sources);
    await h.call("pipeline", {}, "e2e", { revision: REV }, "summary");
    assert.equal(h.engine.count("flyway", "migrate"), 2);
    await h.call("pipeline", {}, "integration", { revision: REV }, "summary");
    assert.equal(h.engine.count("aspire", "test"), 2);
    await app.close();
  });

  it("mutant: a never-cached GitOps outcome read twice (json, then summary) pushes twice, and this test sees it", async () => {
    app = await harnessApp(registry.address);
    const sources = makeMutant("read-twice", [
      {
        file: ".dagger/src/stages/promote.ts",
        from: "    const json = await outcome.json();",
        to: "    const json = await outcome.json();\n    await outcome.summary();",
      },
    ]);
    const h = harness(sources);
    await ci(h);
    assert.equal(h.engine.count("gitops", "push"), 4, "each of the two writes ran twice: the exactly-once assertion above would fail");
    await app.close();
  });
});
