// Issue 14's engine-rule defects, each shown in the engine model: a test per item that fails on
// the code before its fix (the mutant or the old policy is named in each test).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, mock } from "node:test";
import { mintId } from "../recorder/ids.js";
import { git, history } from "../gitops/git/git-fixture.js";
import { makeMutant } from "../tiers/mutant.js";
import { type HarnessApp, harnessSuite } from "./app.js";
import { Harness } from "./harness.js";
import { standIns } from "./stand-ins.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string) => mintId([{ field: "setSecret", args: { name } }]);
const stubs = standIns();

describe("issue 14 items in the engine model", () => {
  const { registry, app: newApp } = harnessSuite();

  /** The example with a second environment promoted on push after dev (qa), so one ci call chains two promotions. */
  const chained = async () => {
    const app = await newApp({
      "environments/dev/kustomization.yaml": "images: []\n",
      "environments/qa/kustomization.yaml": "images: []\n",
      "environments/staging/kustomization.yaml": "images: []\n",
      "environments/prod/compose.yaml": "services: {}\n",
    });
    const file = join(app.root, "pipeline.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("environments:\n", "environments:\n  qa:\n    on: push\n    after: dev\n    path: environments/qa\n    format: kustomize\n"));
    return app;
  };
  const ci = (h: Harness) => h.call("pipeline", {}, "ci", { revision: REV, branch: "main", registryToken: secret("registry-token"), gitopsToken: secret("gitops-token") }, "summary").then(String);
  const harness = (app: HarnessApp, sources?: string) => {
    const h = new Harness({ root: app.root, registry, remotes: app.remotes, stubs, ...(sources ? { sources } : {}) });
    h.engine.setSecret("registry-token", "r");
    h.engine.setSecret("gitops-token", "g");
    return h;
  };

  it("item 10: a chained promotion in one call reads the GitOps state after its own push (qa after dev lands)", async () => {
    const app = await chained();
    const summary = await ci(harness(app));
    assert.match(summary, /^\| promote \| ✅ promoted to dev, qa \|$/m, summary);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject.split(":")[0]),
      ["promote 0123456789ab to qa", "promote 0123456789ab to dev", "record release 0123456789ab", "seed"],
    );
  });

  it("item 10 (the defect): reading the branch again in the same session sees the tree before our push, so qa is refused", async () => {
    const app = await chained();
    const sources = makeMutant("stale-gitops-read", [
      { file: ".dagger/src/stages/promote.ts", from: "return gitopsView(repository, branch, token, this.tips.get(`${repository}#${branch}`));", to: "return gitopsView(repository, branch, token);" },
    ]);
    const summary = await ci(harness(app, sources));
    assert.match(summary, /promotion to qa refused by upstream/, summary);
  });

  it("item 4: the vulnerability gate without --today is judged on the day of each call, not served from an earlier day's cache", async () => {
    const app = await chained();
    const h = harness(app);
    const waivers = `waivers:\n  - cve: CVE-2026-0001\n    digest: sha256:${"1".repeat(64)}\n    reason: fixed upstream next week\n    approver: alice@example.com\n    expires: 2026-12-01\n`;
    const report = JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: "x",
      ArtifactType: "container_image",
      Metadata: { RepoDigests: [`r.example.com/backend@sha256:${"1".repeat(64)}`] },
      Results: [{ Target: "x", Class: "os-pkgs", Type: "debian", Vulnerabilities: [{ VulnerabilityID: "CVE-2026-0001", PkgName: "openssl", InstalledVersion: "1", Severity: "CRITICAL" }] }],
    });
    const reports = mintId([
      { field: "directory", args: {} },
      { field: "withNewFile", args: { contents: report, path: "backend.json" } },
    ]);
    const args = { images: [`backend=r.example.com/backend:x@sha256:${"1".repeat(64)}`], reports, waivers };
    const on = async (day: string) => {
      mock.timers.enable({ apis: ["Date"], now: new Date(`${day}T12:00:00Z`) });
      try {
        return await h.call("gates", {}, "vulnerabilities", args, "passed");
      } finally {
        mock.timers.reset();
      }
    };
    assert.equal(await on("2026-11-30"), true, "the waiver holds through its expiry day");
    assert.equal(await on("2026-12-02"), false, "a later call judges the expired waiver on its own day");
    // The old policy (cached by arguments, up to 7 days) answers the second day with the first day's verdict:
    (h.modules.get("gates") as { policies: Record<string, Record<string, string>> }).policies.Gates.vulnerabilities = "";
    assert.equal(await on("2026-11-30"), true);
    assert.equal(await on("2026-12-02"), true, "with the default policy the expired waiver keeps passing: the defect");
  });

  it("items 14 and 16: an unchanged component is found by the engine, reused by its digest, and tested, scanned and promoted as that digest; a moved base tag rebuilds", async () => {
    const app = await chained();
    const h = harness(app);
    const REV2 = "1".repeat(40);
    const REV3 = "2".repeat(40);
    const run = (revision: string) => h.call("pipeline", {}, "ci", { revision, branch: "main", registryToken: secret("registry-token"), gitopsToken: secret("gitops-token") }, "summary").then(String);
    const images = (revision: string) => (JSON.parse(git(app.gitops, "show", `main:releases/${revision}.json`)) as { components: Record<string, { image: string }> }).components;
    const digest = (ref: string) => ref.slice(ref.lastIndexOf("@") + 1);
    const pushed = () => registry.writes.filter((w) => w.repository.startsWith("acme/webshop/")).length;

    await run(REV);
    const first = images(REV);
    const writesBefore = pushed();
    const readsBefore = registry.reads.length;
    const queriesBefore = h.queries.length;
    const summary = await run(REV2);
    assert.match(summary, /3 reused: inputs unchanged/, summary);
    // dev already runs these digests; qa (after dev) takes them: they have been through dev.
    assert.match(summary, /^# webshop ci: ✅ passed/, summary);
    assert.match(summary, /dev runs release 111111111111's digests/, summary);
    const second = images(REV2);
    for (const c of ["db", "backend", "frontend"]) {
      assert.equal(digest(second[c].image), digest(first[c].image), `${c}: the SHA tag names the digest the input tag named`);
      assert.equal(registry.resolve(`acme/webshop/${c}`, REV2), digest(first[c].image), `${c}:${REV2.slice(0, 7)} in the registry`);
    }
    assert.equal(pushed() - writesBefore, 3, "reuse writes one SHA tag per component and pushes no image");
    // Item 14: the input tags were resolved by the engine (from(…).imageRef()), not over HTTP from the module's container.
    const queries = h.queries.slice(queriesBefore);
    const lookups = queries.filter((q) => /from \(address: "[^"]*\/acme\/webshop\/(db|backend|frontend):in-[0-9a-f]{64}"\) \{ imageRef/.test(q));
    assert.equal(lookups.length, 3, `the engine resolves each input tag (${lookups.length} such queries)`);
    const httpReads = registry.reads.slice(readsBefore).map((r) => r.reference);
    assert.deepEqual(
      httpReads.filter((r) => r.startsWith("in-")),
      [],
      "no input tag is read over HTTP",
    );
    // Item 16: E2E ran the reused backend from exactly that digest.
    const tested = queries.filter((q) => q.includes("nodeToolchain") && q.includes("playwright")).map((q) => q.match(/recorded-id:[A-Za-z0-9_-]+/g) ?? []);
    const pulledBackend = `/acme/webshop/backend:in-`;
    const ids = tested.flat().map((id) => Buffer.from(id.slice("recorded-id:".length), "base64url").toString("utf8"));
    assert.ok(
      ids.some((chain) => chain.includes(pulledBackend) && chain.includes(digest(first.backend.image))),
      "E2E ran the backend pulled by that digest",
    );

    // The node base moves upstream under the same tag: backend and frontend must be rebuilt, db (on Flyway) not.
    const base = "nexus.example.com:8443/docker-group/library/node:22-bookworm-slim";
    assert.ok(
      h.queries.some((q) => q.includes(base)),
      `the example's node base is ${base}`,
    );
    h.engine.upstream.set(base, `sha256:${"9".repeat(64)}`);
    const moved = await run(REV3);
    assert.match(moved, /1 reused: inputs unchanged/, moved);
    assert.match(moved, /^# webshop ci: ✅ passed/, moved);
    const third = images(REV3);
    assert.equal(digest(third.db.image), digest(first.db.image));
    for (const c of ["backend", "frontend"]) assert.notEqual(digest(third[c].image), digest(first[c].image), `${c} is rebuilt on the new base`);
  });
});
