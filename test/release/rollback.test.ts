// Where a rollback goes: back through the history, never to a release rolled back from, and only
// to a release whose requires the live schema satisfies (the gates module's real compatibility gate).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../.dagger/src/config/load.js";
import type { ReleaseRecord } from "../../.dagger/src/release/record.js";
import { chooseRollbackTarget, namedRollbackTarget, noTargetMessage, rollbackCandidates, rollbackComponents } from "../../.dagger/src/release/rollback.js";
import { emptyState, type EnvironmentState, promoted } from "../../.dagger/src/release/state.js";
import { compatibilityGate } from "../../modules/gates/src/compatibility.js";
import { readFileSync } from "node:fs";
import { exampleRelease } from "./fixture.js";

const rev = (c: string) => c.repeat(40);
// Four releases: the schema moves 1.1.0 → 1.1.0 → 2.0.0 → 2.0.0; release 1's backend cannot run on 2.0.0.
const R1 = withRequires(exampleRelease(rev("1"), "1", { db: "1.1.0", backend: "1.1.0" }), { db: ">=1.1.0 <2.0.0" });
const R2 = exampleRelease(rev("2"), "2", { db: "1.1.0", backend: "1.2.0" });
const R3 = exampleRelease(rev("3"), "3", { db: "2.0.0", backend: "2.0.0" });
const R4 = exampleRelease(rev("4"), "4", { db: "2.0.0", backend: "2.1.0" });
const RECORDS: Record<string, ReleaseRecord> = Object.fromEntries([R1, R2, R3, R4].map((r) => [r.revision, r]));
const ALL = ["db", "backend", "frontend"];
const config = parseConfig(readFileSync("examples/webshop/pipeline.yaml", "utf8"), "pipeline.yaml");

function withRequires(r: ReleaseRecord, requires: Record<string, string>): ReleaseRecord {
  return { ...r, components: { ...r.components, backend: { ...r.components.backend, requires } } };
}

/** prod after promoting these releases in order (oldest first). */
function ran(...releases: ReleaseRecord[]): EnvironmentState {
  return releases.reduce((s, r, i) => promoted(s, r, ALL, `2026-12-0${i + 1}T10:00:00Z`), emptyState("prod"));
}

/** The state after a rollback to `to`, recorded as promote() records it. */
function rolledBack(state: EnvironmentState, to: ReleaseRecord, automatic = false): EnvironmentState {
  return promoted(state, to, rollbackComponents(config, to), "2026-12-07T10:00:00Z", {
    rollback: true,
    from: state.history[0].release,
    ...(automatic ? { automatic: true, reason: "verification failed" } : {}),
  });
}

/** The real compatibility gate for the environment after moving the candidate's components, the live schema counting. */
const compatibleWith = (state: EnvironmentState, live: string) => async (r: ReleaseRecord) => {
  const moving = Object.fromEntries(rollbackComponents(config, r).map((c) => [c, { version: r.components[c].version, requires: r.components[c].requires }]));
  const deployed = Object.fromEntries(Object.entries(state.components).map(([n, c]) => [n, { version: c.version, requires: c.requires }]));
  const v = compatibilityGate({ environment: "prod", deployed, promoted: moving, liveDatabase: { component: "db", version: live } });
  return { passed: v.passed, summary: v.summary };
};

describe("rollback target", () => {
  it("goes to the release before the current one", () => {
    assert.deepEqual(rollbackCandidates(ran(R1, R2, R3)), [rev("2"), rev("1")]);
  });

  it("walks the history: a second rollback goes further back, not back to where it started", () => {
    const once = rolledBack(ran(R1, R2, R3), R2);
    assert.deepEqual(rollbackCandidates(once), [rev("1")]);
    const twice = rolledBack(once, R1);
    assert.deepEqual(rollbackCandidates(twice), []);
    assert.match(noTargetMessage("prod", twice, []), /no earlier release to go back to .*rolled back from are not tried again/);
  });

  it("a release promoted again after a rollback from it is the current one; the one before it is a candidate again", () => {
    const again = promoted(rolledBack(ran(R1, R2, R3), R2), R3, ALL, "2026-12-08T10:00:00Z");
    assert.deepEqual(rollbackCandidates(again), [rev("2"), rev("1")]);
  });

  it("the database stays: a rollback moves the application components only", () => {
    assert.deepEqual(rollbackComponents(config, R2), ["backend", "frontend"]);
    assert.equal(rolledBack(ran(R2, R3), R2).components.db.release, rev("3"));
  });

  it("skips a release whose requires the migrated schema no longer satisfies, naming why", async () => {
    // prod ran R1, R3, R4 (schema now 2.0.0): R3 suits it; with R3 rolled back from, R1 (db <2.0.0) does not.
    const state = rolledBack(ran(R1, R3, R4), R3);
    const choice = await chooseRollbackTarget(rollbackCandidates(state), async (r) => RECORDS[r], compatibleWith(state, "2.0.0"));
    assert.equal(choice.target, undefined);
    assert.equal(choice.skipped.length, 1);
    assert.equal(choice.skipped[0].release, rev("1"));
    assert.match(choice.skipped[0].why, /db/);
    assert.match(noTargetMessage("prod", state, choice.skipped), /no earlier release of prod suits it now; stopped, nothing was written:\n {2}111111111111: /);
  });

  it("takes the newest compatible release, passing over newer incompatible ones", async () => {
    const R5 = withRequires(exampleRelease(rev("5"), "5", { db: "2.0.0", backend: "2.2.0" }), { db: ">=2.0.0" });
    const R6 = withRequires(exampleRelease(rev("6"), "6", { db: "3.0.0", backend: "3.0.0" }), { db: ">=3.0.0" });
    const records = { ...RECORDS, [R5.revision]: R5, [R6.revision]: R6 };
    // Ran R1 (1.1), R5 (2.0), then R6 migrated to 3.0.0. R5 needs >=2.0.0: fine on 3.0.0. R1 needs <2.0.0.
    const state = ran(R1, R5, R6);
    const choice = await chooseRollbackTarget(rollbackCandidates(state), async (r) => records[r], compatibleWith(state, "3.0.0"));
    assert.equal(choice.target?.revision, rev("5"));
    const narrow = withRequires(R5, { db: ">=2.0.0 <3.0.0" });
    const second = await chooseRollbackTarget(rollbackCandidates(state), async (r) => ({ ...records, [R5.revision]: narrow })[r], compatibleWith(state, "3.0.0"));
    assert.equal(second.target, undefined);
    assert.deepEqual(
      second.skipped.map((s) => s.release),
      [rev("5"), rev("1")],
    );
  });

  it("a missing release record is skipped, not a crash", async () => {
    const state = ran(R1, R2, R3);
    const choice = await chooseRollbackTarget(rollbackCandidates(state), async (r) => (r === rev("2") ? undefined : RECORDS[r]), compatibleWith(state, "2.0.0"));
    assert.equal(choice.skipped[0].why, "its release record is missing from the GitOps repository");
  });

  it("--to: a release the environment ran, by full SHA or unique prefix; anything else is refused with the releases it ran", () => {
    const state = ran(R1, R2, R3);
    assert.equal(namedRollbackTarget(state, "prod", rev("1").slice(0, 7)), rev("1"));
    assert.equal(namedRollbackTarget(state, "prod", rev("2")), rev("2"));
    assert.throws(() => namedRollbackTarget(state, "prod", rev("3")), /to: prod runs release 333333333333 already/);
    assert.throws(() => namedRollbackTarget(state, "prod", "9999999"), /to: 9999999 is not a release prod ran \(it ran 333333333333, 222222222222, 111111111111\); a release it never ran is promoted/);
    assert.throws(() => namedRollbackTarget(state, "prod", "main"), /to: "main" is not a release: give its git SHA/);
    assert.throws(() => namedRollbackTarget(state, "prod", "11"), /7 to 40 lowercase hex digits/);
  });
});
