// Engine rules (d), (e) and (g) applied in harness runs of real root functions (container-rules.ts):
// the services ci and e2e start and the images ci publishes are recorded with the secrets their
// containers carry and the start condition the engine would wait for, and container output is
// scrubbed of the exec's secrets. Each product defect a rule exists for is shown caught by a mutant
// of our code (test/tiers/mutant.ts). Containers do not run here: nothing in this file ran in Dagger.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { mintId } from "../recorder/ids.js";
import { makeMutant } from "../tiers/mutant.js";
import { ROOT } from "../tiers/modules.js";
import { harnessApp } from "./app.js";
import { describeContainer, describeSecret } from "./container-rules.js";
import { ENGINE_RULES, type EngineRules } from "./engine.js";
import { healthcheckOutcome } from "./engine/service-start.js";
import { Harness } from "./harness.js";
import { standIns } from "./stand-ins.js";
import { MemoryRegistry } from "./registry.js";
import type { CoreStubs } from "./resolve.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string) => mintId([{ field: "setSecret", args: { name } }]);
/** The test's secret values: none may reach ci's summary. */
const CANARIES = { "registry-token": "reg-canary-7d1e0c55a9", "gitops-token": "gitops-canary-41b8e2f07c", "mirror-token": "mirror-canary-9f3a6c2e15" };

/** Container answers the model does not compute: Flyway's recorded output; a stand-in clean Trivy report. */
const stubs = standIns();

/**
 * One root function of the pipeline module on a fresh copy of the example with a fresh registry (so
 * nothing is reused from an earlier run's images and every image is built), the mirror token given.
 */
async function run(fn: "ci" | "e2e" | "integration", options: { sources?: string; rules?: EngineRules; stubs?: (h: Harness) => CoreStubs } = {}) {
  const registry = await new MemoryRegistry().start();
  const app = await harnessApp(registry.address);
  try {
    const { stubs: answers, ...rest } = options;
    const box: { h?: Harness } = {};
    const h = new Harness({ root: app.root, registry, remotes: app.remotes, stubs: answers ? (leaf, chain) => answers(box.h as Harness)(leaf, chain) : stubs, ...rest });
    box.h = h;
    for (const [name, value] of Object.entries(CANARIES)) h.engine.setSecret(name, value);
    const args = fn === "ci" ? { revision: REV, branch: "main", registryToken: secret("registry-token"), gitopsToken: secret("gitops-token") } : { revision: REV };
    const summary = String(await h.call("pipeline", { mirrorToken: secret("mirror-token") }, fn, args, "summary"));
    return { h, summary };
  } finally {
    await app.close();
    await registry.stop();
  }
}

/**
 * Rule (d) at the product level: no service a run started and no image it published carries a
 * secret of a build (mounted by dockerBuild) or a credential of the npm mirror (the .npmrc, the token).
 */
function noBuildSecretLeft({ h }: { h: Harness }): void {
  const mirror = h.engine.secretValues().filter((v) => v.includes(CANARIES["mirror-token"]) || v.includes("/repository/npm-group/"));
  assert.ok(mirror.length >= 2, "the run made the mirror's .npmrc and token secrets (else this property proves nothing)");
  const leak = (m: Parameters<typeof describeSecret>[0]) => m.origin === "dockerBuild" || mirror.includes(h.engine.secretValue(m.chain) ?? "");
  const left = [
    ...h.engine.services.flatMap((s) => s.secrets.filter(leak).map((m) => `service (${describeContainer(s.container)}): ${describeSecret(m)}`)),
    ...h.engine.published.flatMap((p) => p.secrets.filter(leak).map((m) => `published ${p.address}: ${describeSecret(m)}`)),
  ];
  assert.deepEqual(left, [], `build secrets left in services or published images:\n${left.join("\n")}`);
}

/** Rule (g) at the product level: the summary a run returns holds none of the session's secret values (the test's and those our code made). */
function noSecretInSummary({ h, summary }: { h: Harness; summary: string }): void {
  const values = h.engine.secretValues();
  assert.ok(values.length > Object.keys(CANARIES).length, "the run made secrets of its own (database passwords, URLs, the .npmrc)");
  for (const [name, value] of Object.entries(CANARIES)) assert.equal(summary.includes(value), false, `the summary holds the ${name}`);
  const found = values.filter((v) => summary.includes(v));
  assert.deepEqual(found, [], `secret values in the summary: ${found.join(", ")}`);
}

/** Rule (e) at the product level (issue 14, item 7): every service E2E starts counts as started by its own health check, probed every second. */
function e2eServicesProbedEverySecond({ h }: { h: Harness }): void {
  const started = h.engine.services.map((s) => {
    const what = describeContainer(s.container);
    if (s.start.kind !== "healthcheck") return `${what}: the engine waits for ${JSON.stringify(s.start)}`;
    return `${what}: health check every ${s.start.everyMs} ms; healthy at the second probe, started at ${JSON.stringify(healthcheckOutcome(s.start, [false, true]))}`;
  });
  const wanted = ["from nexus.example.com:8443/docker-group/library/postgres:15-bookworm", "dockerBuild of backend", "dockerBuild of frontend"].map(
    (what) => `${what}: health check every 1000 ms; healthy at the second probe, started at {"startedAtMs":1000}`,
  );
  assert.deepEqual(started, wanted, `E2E's services as the engine would start them:\n${started.join("\n")}`);
}

/** The message a property fails with (a mutant is caught only when it fails by an assertion). */
function failureOf(property: () => void): string {
  try {
    property();
  } catch (e) {
    assert.ok(e instanceof assert.AssertionError, String(e));
    return e.message;
  }
  return assert.fail("the property held: the mutant is not caught");
}

describe("engine rules (d), (e), (g) in harness runs of root functions", () => {
  const NO_REMOVAL = {
    file: "modules/node-toolchain/src/index.ts",
    from: [
      "    return buildSecretRemovals(",
      "      dockerfile,",
      "      secrets.map((s) => s.name),",
      '    ).reduce((ctr, r) => ("mount" in r ? ctr.withoutMount(r.mount) : ctr.withoutSecretVariable(r.variable)), built);',
    ].join("\n"),
    to: "    return built;",
  };

  it("(d), (g) ci on main with the mirror token: its services and published images carry no build secret; its summary holds no secret value", async () => {
    const r = await run("ci");
    assert.match(r.summary, /\| promote \| ✅ promoted to dev \|/, r.summary);
    assert.ok(r.h.engine.services.length >= 6, `E2E's three services and the Aspire run's three were started: ${r.h.engine.services.length}`);
    assert.deepEqual(
      r.h.engine.published.map((p) => p.address.split("/").pop()?.split(":")[0]),
      ["db", "backend", "frontend"],
    );
    noBuildSecretLeft(r);
    noSecretInSummary(r);
  });

  it("(g) ci where Flyway prints the database password it was given: the summary reports the failure with *** for it; without rule (g) the summary would hold it", async () => {
    // Flyway's connection failure, echoing the FLYWAY_PASSWORD secret of its own exec (a stand-in for any tool that prints what it got).
    const echo = (h: Harness) => (leaf: string) => {
      const name = /withSecretVariable\(name: "FLYWAY_PASSWORD", secret: setSecret\(name: "([^"]+)"\)\)/.exec(leaf)?.[1];
      if (name && /"migrate"\]/.test(leaf) && leaf.endsWith(".stdout")) {
        const password = h.engine.secretValue([{ field: "setSecret", args: { name } }]);
        return JSON.stringify({ error: { errorCode: "DB_CONNECTION", message: `Unable to obtain connection from database: FATAL: password authentication failed (password ${password})` } });
      }
      return stubs(leaf);
    };
    const r = await run("ci", { stubs: echo });
    assert.match(r.summary, /^\| checks \| ❌ failed: db unit \|$/m, "the db unit check's throwaway migrate is the first Flyway to run");
    assert.match(r.summary, /password authentication failed \(password \*\*\*\)/, r.summary);
    noSecretInSummary(r);
    const unscrubbed = await run("ci", { stubs: echo, rules: { ...ENGINE_RULES, outputScrubbed: false } });
    assert.match(
      failureOf(() => noSecretInSummary(unscrubbed)),
      /secret values in the summary: [0-9a-f]{36}/,
      "the summary check fails when the password reaches it",
    );
  });

  it("(d) mutant: node-toolchain's build without its removal step; ci's services and published images carry the build's secrets, and the run shows it", async () => {
    const sources = makeMutant("build-secrets-kept", [NO_REMOVAL]);
    const r = await run("ci", { sources });
    const failure = failureOf(() => noBuildSecretLeft(r));
    assert.match(failure, /service \(dockerBuild of backend\): npmrc at \/run\/secrets\/npmrc \(dockerBuild\)/);
    assert.match(failure, /published [^ ]+\/frontend:[0-9a-f]{40}: npm_token at \/run\/secrets\/npm_token \(dockerBuild\)/);
    // The catch is rule (d)'s: with the model that drops the build's secrets, the same mutant passes.
    noBuildSecretLeft(await run("ci", { sources, rules: { ...ENGINE_RULES, buildSecretsKept: false } }));
  });

  it("(e) e2e: the database, the backend and the frontend are each started by their own health check, probed every second", async () => {
    e2eServicesProbedEverySecond(await run("e2e"));
  });

  it("(e) mutant: E2E's health check without its start interval; e2e's services are probed at their intervals (2 s, 3 s), and the run shows it", async () => {
    const sources = makeMutant("no-start-interval", [{ file: ".dagger/src/stages/e2e.ts", from: "    startInterval: `${START_INTERVAL_SECONDS}s`,\n", to: "" }]);
    const r = await run("e2e", { sources });
    const failure = failureOf(() => e2eServicesProbedEverySecond(r));
    assert.match(failure, /postgres:15-bookworm: health check every 2000 ms/);
    assert.match(failure, /dockerBuild of backend: health check every 3000 ms; healthy at the second probe, started at \{"startedAtMs":3000\}/);
  });

  it("(e) integration: the Aspire graph starts the release's backend and frontend by the same 1 s start health check as E2E, not the image's 10 s one", async () => {
    const r = await run("integration");
    const apps = r.h.engine.services.filter((s) => /dockerBuild of (backend|frontend)/.test(describeContainer(s.container)));
    const started = apps.map((s) => `${describeContainer(s.container)}: ${s.start.kind === "healthcheck" ? `every ${s.start.everyMs} ms` : JSON.stringify(s.start)}`).sort();
    assert.deepEqual(started, ["dockerBuild of backend: every 1000 ms", "dockerBuild of frontend: every 1000 ms"], started.join("\n"));
  });

  it("(g) a host-exec'd script: the secret it prints is scrubbed, its base64 is not (exact values only), nor a session secret the exec was not given", async () => {
    const TOKEN = "tok-5f3a9c1e77b2d4";
    const OTHER = "other-secret-8c2d1e";
    const script = [
      "const t = process.env.TOKEN;",
      "console.log(`plain ${t}`);",
      'console.log(`base64 ${Buffer.from(t).toString("base64")}`);',
      "console.log(`other ${process.env.OTHER}`);",
      "console.error(`failed with ${t}`);",
    ].join("\n");
    const printed = async (rules?: EngineRules) => {
      const h = new Harness({ root: ROOT, ...(rules ? { rules } : {}) });
      h.engine.setSecret("other", OTHER);
      return h.session(async () => {
        const done = dag
          .container()
          .from("node:22")
          .withNewFile("/print.mjs", script)
          .withSecretVariable("TOKEN", dag.setSecret("token", TOKEN))
          .withEnvVariable("OTHER", OTHER)
          .withExec(["node", "/print.mjs"]);
        return { stdout: await done.stdout(), stderr: await done.stderr() };
      });
    };
    const b64 = Buffer.from(TOKEN).toString("base64");
    assert.deepEqual(await printed(), { stdout: `plain ***\nbase64 ${b64}\nother ${OTHER}\n`, stderr: "failed with ***\n" });
    assert.deepEqual(
      await printed({ ...ENGINE_RULES, outputScrubbed: false }),
      { stdout: `plain ${TOKEN}\nbase64 ${b64}\nother ${OTHER}\n`, stderr: `failed with ${TOKEN}\n` },
      "without rule (g) the plaintext is answered",
    );
  });

  it("(g) a stubbed container output and a container leaf's error are scrubbed of the exec's secrets too", async () => {
    const TOKEN = "tok-0b7e4d29c6a1";
    const h = new Harness({
      root: ROOT,
      stubs: (leaf) => {
        if (/withExec\(args: \["tool"\]\)\.stdout$/.test(leaf)) return `401 for token ${TOKEN}\n`;
        if (/withExec\(args: \["tool"\]\)\.stderr$/.test(leaf)) throw new Error(`exec tool: token ${TOKEN} rejected`);
        return undefined;
      },
    });
    await h.session(async () => {
      const done = dag.container().from("alpine").withSecretVariable("TOKEN", dag.setSecret("tool-token", TOKEN)).withExec(["tool"]);
      assert.equal(await done.stdout(), "401 for token ***\n");
      await assert.rejects(done.stderr(), (e: Error) => e.message.includes("token *** rejected") && !e.message.includes(TOKEN));
    });
  });

  it("(e) a service from an image whose HEALTHCHECK is NONE fails to start, as the engine's does; a built image's own HEALTHCHECK decides otherwise", async () => {
    const h = new Harness({ root: ROOT });
    await h.session(async () => {
      const built = (healthcheck: string) => dag.directory().withNewFile("Dockerfile", `FROM alpine\nEXPOSE 8080\n${healthcheck}\n`).dockerBuild().asService();
      await assert.rejects(built("HEALTHCHECK NONE").start(), /container does not have a healthcheck command/);
      await built('HEALTHCHECK --interval=10s CMD ["wget", "-q", "localhost:8080"]').start();
    });
    const last = h.engine.services.at(-1);
    assert.deepEqual(last?.start, { kind: "healthcheck", probe: ["wget", "-q", "localhost:8080"], everyMs: 10_000, retries: 3, startPeriodMs: 0 });
  });
});
