import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { healthcheckOutcome, type ServiceStartMutant, startCondition } from "./service-start.js";

// The generated Node image's HEALTHCHECK (modules/node-toolchain/src/dockerfile.ts).
const NODE_HC = { test: ["CMD", "node", "-e", "fetch(…)"], intervalMs: 10_000, startPeriodMs: 5_000, retries: 3 };

const properties = (model: typeof startCondition) => ({
  healthcheckDecides() {
    const c = model(NODE_HC, [{ port: 8080 }]);
    assert.equal(c.kind, "healthcheck", "the HEALTHCHECK replaces the port check");
  },
  portsWithout() {
    assert.deepEqual(model(undefined, [{ port: 8080 }, { port: 9090, skipHealthcheck: true }]), { kind: "ports", ports: [8080] });
  },
});

describe("engine rule (e): service start (core/service.go startContainer, core/healthcheck.go)", () => {
  const p = properties(startCondition);
  it("an image HEALTHCHECK decides, not the ports", p.healthcheckDecides);
  it("without one: every exposed port not skipped must accept a connection", p.portsWithout);
  it("no checked port: started at once; HEALTHCHECK NONE fails the start", () => {
    assert.deepEqual(startCondition(undefined, []), { kind: "immediately" });
    assert.equal(startCondition({ test: ["NONE"] }, [{ port: 80 }]).kind, "error");
  });
  it("first probe at once, then every interval; a probe failing at start-up costs a whole interval", () => {
    const c = startCondition(NODE_HC, []);
    assert.ok(c.kind === "healthcheck");
    assert.deepEqual(healthcheckOutcome(c, [true]), { startedAtMs: 0 });
    assert.deepEqual(healthcheckOutcome(c, [false, true]), { startedAtMs: 10_000 });
    assert.deepEqual(healthcheckOutcome(c, [false, false, false, false]), { failedAtMs: 30_000 }, "the first failure inside start-period does not count");
    const quick = startCondition({ ...NODE_HC, startIntervalMs: 500 }, []);
    assert.ok(quick.kind === "healthcheck");
    assert.deepEqual(healthcheckOutcome(quick, [false, true]), { startedAtMs: 500 }, "start-interval wins over interval");
  });

  describe("mutant is caught", () => {
    const mutant: ServiceStartMutant = "ports-only";
    it(`${mutant} fails "an image HEALTHCHECK decides"`, () => assert.throws(properties((h, ports) => startCondition(h, ports, mutant)).healthcheckDecides, assert.AssertionError));
  });
});
