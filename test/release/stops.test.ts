// Freeze windows, the freeze flag and the hold an automatic rollback leaves, as promotion judges them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { activeFreeze, stopVerdicts } from "../../.dagger/src/release/stops.js";
import { emptyState, promoted } from "../../.dagger/src/release/state.js";
import { exampleRelease, REV_A, REV_B } from "./fixture.js";

const yaml = readFileSync("examples/webshop/pipeline.yaml", "utf8").replace(
  "    format: compose\n",
  '    format: compose\n    freeze:\n      - { from: "2026-12-23T00:00:00+01:00", to: "2027-01-02T00:00:00+01:00", reason: year-end change freeze }\n',
);
const prod = parseConfig(yaml, "pipeline.yaml").environments.prod;
const A = exampleRelease(REV_A, "1");
const B = exampleRelease(REV_B, "2", { backend: "1.3.0" });
const inWindow = new Date("2026-12-24T12:00:00Z");
const outside = new Date("2027-01-01T23:00:00Z"); // 2027-01-02T00:00+01:00 is the window's (exclusive) end

describe("freeze and hold", () => {
  it("a window in force refuses a promotion, naming its end and reason; its end is exclusive", () => {
    const [freeze] = stopVerdicts(prod, emptyState("prod"), { automatic: false, rollback: false, now: inWindow });
    assert.equal(freeze.passed, false);
    assert.match(freeze.summary, /^frozen until 2027-01-02T00:00:00\+01:00: year-end change freeze: no promotion until it ends/);
    assert.equal(activeFreeze(prod, emptyState("prod"), outside), undefined);
    assert.equal(activeFreeze(prod, emptyState("prod"), new Date("2027-01-01T22:59:59Z"))?.startsWith("frozen until"), true);
  });

  it("an emergency passes a freeze, marked waived; a rollback passes it", () => {
    const [emergency] = stopVerdicts(prod, emptyState("prod"), { automatic: false, rollback: false, emergency: "CVE fix", now: inWindow });
    assert.deepEqual([emergency.passed, emergency.waivedByEmergency], [true, true]);
    assert.match(emergency.summary, /waived by emergency: CVE fix/);
    const [rollback] = stopVerdicts(prod, emptyState("prod"), { automatic: true, rollback: true, now: inWindow });
    assert.deepEqual([rollback.passed, rollback.waivedByEmergency], [true, false]);
  });

  it("the freeze flag (freeze --env) stops promotions like a window", () => {
    const state = { ...emptyState("prod"), freeze: { since: "2026-12-01T09:00:00Z", reason: "incident 42" } };
    const [freeze] = stopVerdicts(prod, state, { automatic: true, rollback: false, now: outside });
    assert.equal(freeze.passed, false);
    assert.match(freeze.summary, /frozen since 2026-12-01T09:00:00Z \(freeze --env\): incident 42/);
  });

  it("an automatic rollback holds automatic promotion; a promotion by hand passes and releases the hold; a rollback keeps it", () => {
    const held = promoted(promoted(emptyState("prod"), A, ["db", "backend", "frontend"], "t1"), A, ["backend", "frontend"], "t2", {
      rollback: true,
      from: REV_B,
      automatic: true,
      reason: "verification failed: backend reports 1.3.0",
    });
    assert.deepEqual(held.hold, { since: "t2", reason: "verification failed: backend reports 1.3.0" });
    const [, automatic] = stopVerdicts(prod, held, { automatic: true, rollback: false, now: outside });
    assert.equal(automatic.passed, false);
    assert.match(automatic.summary, /held since t2 .*automatic promotion waits until someone promotes by hand/);
    const [, manual] = stopVerdicts(prod, held, { automatic: false, rollback: false, now: outside });
    assert.equal(manual.passed, true);
    assert.match(manual.summary, /releases the hold/);
    assert.equal(promoted(held, B, ["backend"], "t3").hold, undefined);
    assert.deepEqual(promoted(held, A, ["backend"], "t3", { rollback: true, from: REV_A }).hold, held.hold);
  });
});
