import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nodeDockerfile } from "../../../modules/node-toolchain/src/dockerfile.js";
import { imageSpec } from "../../../modules/node-toolchain/src/package-spec.js";
import { ROOT } from "../../tiers/modules.js";
import { dockerfileConfig, goDurationMs, healthcheckOutcome, type ServiceStartMutant, startCondition, withDockerHealthcheck } from "./service-start.js";

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

describe("engine rule (e): the image config a service starts with", () => {
  it("the generated Node Dockerfile's runtime stage: its HEALTHCHECK (10 s interval) and EXPOSE (parse.go parseHealthcheck, convert.go dispatchHealthcheck)", () => {
    const pkg = readFileSync(join(ROOT, "examples/webshop/backend/package.json"), "utf8");
    const config = dockerfileConfig(nodeDockerfile(imageSpec(pkg, { files: ["dist"], port: 8080, healthPath: "/health", systemPackages: [] }).spec));
    assert.deepEqual(config.ports, [8080]);
    assert.ok(config.healthcheck && !("inherited" in config.healthcheck));
    assert.deepEqual({ ...config.healthcheck, test: config.healthcheck.test.slice(0, 3) }, { test: ["CMD", "node", "-e"], intervalMs: 10_000, timeoutMs: 3_000, startPeriodMs: 5_000, retries: 3 });
    assert.match(config.healthcheck.test[3], /fetch\("http:\/\/127\.0\.0\.1:8080\/health"\)/);
  });
  it("a stage FROM another stage keeps its HEALTHCHECK; one FROM an image has the image's (not known here); NONE and the shell form", () => {
    const df = "FROM node:22 AS base\nHEALTHCHECK --interval=2s CMD curl -f http://localhost/\nFROM base AS app\nEXPOSE 80 9090/tcp\nFROM node:22 AS bare\nFROM bare AS off\nHEALTHCHECK NONE\n";
    assert.deepEqual(dockerfileConfig(df, "app"), { healthcheck: { test: ["CMD-SHELL", "curl -f http://localhost/"], intervalMs: 2000 }, ports: [80, 9090] });
    assert.deepEqual(dockerfileConfig(df, "bare"), { healthcheck: { inherited: "node:22" }, ports: [] });
    assert.deepEqual(dockerfileConfig(df), { healthcheck: { test: ["NONE"] }, ports: [] });
  });
  it("withDockerHealthcheck replaces the whole config: CMD (or CMD-SHELL with shell), Go durations (core/schema/container.go withHealthcheck)", () => {
    assert.deepEqual(withDockerHealthcheck({ args: ["pg_isready"], startInterval: "1s", interval: "2s", startPeriod: "1m5s", retries: 3 }), {
      test: ["CMD", "pg_isready"],
      intervalMs: 2000,
      startIntervalMs: 1000,
      startPeriodMs: 65_000,
      retries: 3,
    });
    assert.deepEqual(withDockerHealthcheck({ args: ["curl -f localhost"], shell: true }), { test: ["CMD-SHELL", "curl -f localhost"] });
    assert.throws(() => withDockerHealthcheck({ args: ["a", "b"], shell: true }), /single element when shell mode is set/);
    assert.throws(() => withDockerHealthcheck({ args: [] }), /args is missing/);
    assert.equal(goDurationMs("1.5s"), 1500);
    assert.equal(goDurationMs("10"), undefined);
  });
});
