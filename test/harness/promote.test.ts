// promote and rollback through the engine model: the real gates judge (no stub verdicts), the
// GitOps module pushes to a real bare repository, and what was written is read back with git.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { renderReleaseRecord } from "../../.dagger/src/release/record.js";
import { emptyState, promoted, renderEnvironmentState } from "../../.dagger/src/release/state.js";
import { mintId } from "../recorder/ids.js";
import { git, history } from "../gitops/git/git-fixture.js";
import { exampleRelease, REV_A, REV_B } from "../release/fixture.js";
import { GITOPS_SEED, harnessApp, type HarnessApp } from "./app.js";
import { Harness } from "./harness.js";
import { releaseScans } from "./stand-ins.js";

const A = exampleRelease(REV_A, "1");
const B = exampleRelease(REV_B, "2", { backend: "1.3.0" });
const STAGED = {
  ...GITOPS_SEED,
  [`releases/${REV_A}.json`]: renderReleaseRecord(A),
  [`releases/${REV_B}.json`]: renderReleaseRecord(B),
  "environments/dev/.pipeline/state.json": renderEnvironmentState(promoted(emptyState("dev"), A, ["db", "backend", "frontend"], "2026-11-22T08:00:00Z")),
};

describe("harness: promote and rollback", () => {
  let app: HarnessApp;
  const apps: HarnessApp[] = [];
  const setUp = async (files: Record<string, string> = STAGED) => {
    app = await harnessApp("registry.example.com", files);
    apps.push(app);
    const h = new Harness({ root: app.root, remotes: app.remotes });
    h.engine.setSecret("gitops-token", "gitops-token-canary");
    return h;
  };
  const promote = (h: Harness, args: Record<string, unknown>) =>
    h.call("pipeline", {}, "promote", { gitopsToken: mintId([{ field: "setSecret", args: { name: "gitops-token" } }]), ...args }).then(String, (e: Error) => `failed: ${e.message}`);
  before(() => undefined);
  after(async () => {
    for (const a of apps) await a.close();
  });

  it("staging after dev, with clean scans: one commit with the release's digests, the gates computed by the gates module", async () => {
    const h = await setUp();
    const out = await promote(h, { env: "staging", scans: releaseScans(A) });
    assert.match(out, /\| upstream \| ✅ passed \| release aaaaaaaaaaaa reached dev first \|/);
    assert.match(out, /\| vulnerabilities \| ✅ passed \|/);
    assert.match(out, /Pushed [0-9a-f]{12} to main/);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject.split(":")[0]),
      ["promote aaaaaaaaaaaa to staging", "seed"],
    );
    assert.match(git(app.gitops, "show", "main:environments/staging/kustomization.yaml"), new RegExp(A.components.backend.digest));
    assert.equal(h.engine.count("gitops", "push"), 1);
  });

  it("without scan reports the vulnerability gate refuses (fail closed) and nothing is written", async () => {
    const h = await setUp();
    const out = await promote(h, { env: "staging" });
    assert.match(out, /^failed: /);
    assert.match(out, /Refused by vulnerabilities: nothing was written\./);
    assert.equal(history(app.gitops).length, 1);
    assert.equal(h.engine.count("gitops", "push"), 0);
  });

  it("a CRITICAL finding refuses, naming it; an emergency lets it through, recorded in the commit", async () => {
    const h = await setUp();
    const refused = await promote(h, { env: "staging", scans: releaseScans(A, "CVE-2026-4242") });
    assert.match(refused, /CVE-2026-4242/);
    assert.match(refused, /Refused by vulnerabilities/);
    const urgent = await promote(h, { env: "staging", scans: releaseScans(A, "CVE-2026-4242"), emergency: true, reason: "hotfix for the checkout outage" });
    assert.match(urgent, /EMERGENCY: hotfix for the checkout outage/);
    assert.match(git(app.gitops, "log", "-1", "--format=%B", "main"), /hotfix for the checkout outage/);
  });

  it("the same promotion twice: the second says already there and pushes nothing", async () => {
    const h = await setUp();
    await promote(h, { env: "staging", scans: releaseScans(A) });
    const again = await promote(h, { env: "staging", scans: releaseScans(A) });
    assert.match(again, /Already there: staging runs these digests; nothing to write\./);
    assert.equal(h.engine.count("gitops", "push"), 1);
  });

  it("dry run: the verdicts and the diff, nothing written", async () => {
    const h = await setUp();
    const out = await promote(h, { env: "staging", scans: releaseScans(A), dryRun: true });
    assert.match(out, /Dry run: these changes would be written \(as one commit\); nothing was written\./);
    assert.equal(history(app.gitops).length, 1);
  });

  it("rollback: back to the release staging ran before, one commit", async () => {
    const staging = promoted(promoted(emptyState("staging"), A, ["db", "backend", "frontend"], "t1"), B, ["db", "backend", "frontend"], "t2");
    const h = await setUp({ ...STAGED, "environments/staging/.pipeline/state.json": renderEnvironmentState(staging) });
    const out = await h.call("pipeline", {}, "rollback", { env: "staging", gitopsToken: mintId([{ field: "setSecret", args: { name: "gitops-token" } }]) }).then(String);
    assert.match(out, /Promotion of release aaaaaaaaaaaa .* to staging \(rollback\)/);
    assert.equal(history(app.gitops).length, 2);
    assert.match(git(app.gitops, "show", "main:environments/staging/.pipeline/state.json"), /"rollback": true/);
    const message = git(app.gitops, "log", "-1", "--format=%B", "main");
    assert.match(message, /^roll back staging to aaaaaaaaaaaa: backend 1\.2\.0, frontend 1\.2\.0\n/);
    assert.match(message, new RegExp(`Rollback-From: ${REV_B}\nRollback: manual`));
    // The database stays where B took it: migrations are forward-only.
    assert.match(git(app.gitops, "show", "main:environments/staging/.pipeline/state.json"), new RegExp(`"db": \\{\\s+"release": "${REV_B}"`));
  });

  it("rollback walks the history: the second goes further back; --to names a release; none left says so and writes nothing", async () => {
    const C = exampleRelease("c".repeat(40), "3", { backend: "1.4.0" });
    const staging = [A, B, C].reduce((s, r, i) => promoted(s, r, ["db", "backend", "frontend"], `t${i}`), emptyState("staging"));
    const h = await setUp({ ...STAGED, [`releases/${C.revision}.json`]: renderReleaseRecord(C), "environments/staging/.pipeline/state.json": renderEnvironmentState(staging) });
    const token = mintId([{ field: "setSecret", args: { name: "gitops-token" } }]);
    const rollback = (args: Record<string, unknown> = {}) => h.call("pipeline", {}, "rollback", { env: "staging", gitopsToken: token, ...args }).then(String, (e: Error) => `failed: ${e.message}`);
    assert.match(await rollback(), /Promotion of release bbbbbbbbbbbb .* \(rollback\)/);
    assert.match(await rollback(), /Promotion of release aaaaaaaaaaaa .* \(rollback\)/);
    const none = await rollback();
    assert.match(none, /^failed: rollback: staging has no earlier release to go back to/);
    // --to may name a release it was rolled back from: a person decides.
    assert.match(await rollback({ to: C.revision.slice(0, 8) }), /Promotion of release cccccccccccc .* \(rollback\)/);
    assert.match(await rollback({ to: "0".repeat(12) }), /^failed: to: 000000000000 is not a release staging ran/);
    assert.equal(h.engine.count("gitops", "push"), 3);
  });

  it("freeze --env: promotions refused with the reason, an emergency passes recorded; --lift lets them run again", async () => {
    const h = await setUp();
    const token = mintId([{ field: "setSecret", args: { name: "gitops-token" } }]);
    const freeze = (args: Record<string, unknown>) => h.call("pipeline", {}, "freeze", { env: "staging", gitopsToken: token, ...args }).then(String, (e: Error) => `failed: ${e.message}`);
    assert.match(await freeze({}), /^failed: reason: a freeze needs --reason/);
    assert.match(await freeze({ reason: "incident 42" }), /Pushed [0-9a-f]{12} to main/);
    assert.match(await freeze({ reason: "incident 42" }), /frozen already since .*: incident 42\. Nothing written/);
    const refused = await promote(h, { env: "staging", scans: releaseScans(A) });
    assert.match(refused, /\| freeze \| ❌ refused \| frozen since .* \(freeze --env\): incident 42/);
    assert.match(refused, /Refused by freeze: nothing was written\./);
    const urgent = await promote(h, { env: "staging", scans: releaseScans(A), emergency: true, reason: "checkout outage" });
    assert.match(urgent, /\| freeze \| ⚠️ waived \(emergency\) \|/);
    assert.match(await freeze({ lift: true }), /Pushed [0-9a-f]{12} to main/);
    assert.match(await freeze({ lift: true }), /has no freeze flag; nothing to lift/);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject.split(":")[0]),
      ["lift the freeze of staging", "promote aaaaaaaaaaaa to staging", "freeze staging", "seed"],
    );
  });
});
