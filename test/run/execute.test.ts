// The plan is the program: for each situation of the plan tests, the run executes exactly the
// plan's stages and jobs, in order, and nothing else. The ports here are fakes that record what
// they were asked (the stage logic is what is under test; real ports are tested in test/harness).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { type EventArgs, toEvent } from "../../.dagger/src/plan/event.js";
import { type Plan, plan } from "../../.dagger/src/plan/plan.js";
import { executePlan, type ExecutedJob, type RunSettings } from "../../.dagger/src/run/execute.js";
import type { RunPorts } from "../../.dagger/src/run/ports.js";
import { stageVerdicts } from "../../.dagger/src/report/run.js";
import type { CheckOutcome } from "../../.dagger/src/report/outcome.js";
import { ROOT } from "../tiers/modules.js";

const config = parseConfig(readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8"));
const REV = "a".repeat(40);
const DIGEST = `sha256:${"1".repeat(64)}`;
const outcome = (component: string, check: string, passed = true): CheckOutcome => ({
  component,
  check,
  status: passed ? "passed" : "failed",
  failedTests: [],
  detail: "",
  junit: "<testsuites/>",
  seconds: 0,
});

/** Fake ports that record every call as "port:argument". */
function fakePorts(o: { failCheck?: string; published?: string[]; verified?: boolean[]; unjudged?: boolean } = {}) {
  const verified = [...(o.verified ?? [])];
  const calls: string[] = [];
  const ports: RunPorts<string, string> = {
    span: (_stage, fn) => fn(),
    check: async (c, step) => (calls.push(`check:${c}:${step}`), outcome(c, step, `${c}:${step}` !== o.failCheck)),
    versions: async (cs) => Object.fromEntries(cs.map((c) => [c, "1.0.0"])),
    findPublished: async (c) => (o.published?.includes(c) ? `registry.example.com/${c}:in-x@${DIGEST}` : undefined),
    pull: (ref) => (calls.push(`pull:${ref.split(":")[0]}`), `pulled ${ref}`),
    build: async (c) => (calls.push(`build:${c}`), { image: `built ${c}`, outcome: outcome(c, "image") }),
    e2e: async (images) => (calls.push(`e2e:${Object.values(images).join(",")}`), { outcomes: [outcome("release", "e2e")], reports: "e2e" }),
    integration: async () => (calls.push("integration"), { outcome: outcome("aspire", "integration"), reports: "aspire" }),
    scan: async (c, image) => (calls.push(`scan:${c}:${image}`), { report: "{}", imageId: DIGEST, sbom: "{}", scannedAt: "2026-12-07T00:00:00Z" }),
    publish: async (c) => (calls.push(`publish:${c}`), `registry.example.com/${c}:${REV}@${DIGEST}`),
    record: async () => (calls.push("record"), { landed: true, text: "recorded" }),
    promote: async (env, release, _scans, rollback) => (
      calls.push(`promote:${env}:${release ? "this run's release" : "named release"}${rollback ? ":rollback" : ""}`), { landed: true, text: "promoted" }
    ),
    releasePage: async () => (calls.push("release-page"), { landed: true, text: "page" }),
    preview: async () => (calls.push("preview"), { landed: true, text: "preview written" }),
    deploy: async (env) => (calls.push(`deploy:${env}`), { landed: true, text: "deployed" }),
    verify: async (env) => {
      calls.push(`verify:${env}`);
      const ok = verified.shift() ?? true;
      if (o.unjudged) return { landed: false, text: "verify.smoke: no spec is tagged @smoke", refused: "failed (no spec is tagged @smoke)", unjudged: true };
      return ok ? { landed: true, text: "verified" } : { landed: false, text: "backend reports 1.3.0", refused: "backend reports 1.3.0, expected 1.2.0", liveSchema: "1.2.0" };
    },
    recover: async (env, why, live) => (calls.push(`recover:${env}:${why}:${live}`), { landed: true, text: "rolled back" }),
  };
  return { ports, calls };
}

const settings: RunSettings = { revision: REV, created: "", source: "", builtBy: "", noPublish: "", noDelivery: "", migrations: async () => ({}) };
/** The plan's jobs, flattened with their stage, as the run reports what it executed. */
const planned = (p: Plan): ExecutedJob[] => p.stages.flatMap((s) => s.jobs.map((j) => ({ stage: s.name, ...j })));

async function runCase(args: EventArgs, o: Parameters<typeof fakePorts>[0] = {}, c = config, runName?: string) {
  const p = plan(c, toEvent(args));
  const { ports, calls } = fakePorts(o);
  const run = await executePlan(c, p, ports, { ...settings, ...(runName ? { run: runName } : {}) });
  return { p, run, calls, stages: stageVerdicts(run.facts) };
}

describe("ci executes the plan: executed stages, jobs and components equal the plan's", () => {
  it("pull request touching only the frontend: the frontend's checks, nothing else", async () => {
    const { p, run, calls, stages } = await runCase({ event: "pull-request", ref: "feature/cart", changed: ["frontend/src/cart.ts"] });
    assert.deepEqual(run.executed, planned(p));
    assert.deepEqual(calls.sort(), ["check:frontend:lint", "check:frontend:typecheck", "check:frontend:unit"]);
    assert.deepEqual(
      stages.map((s) => `${s.stage}:${s.status}`),
      ["checks:passed"],
    );
  });

  it("push to main touching db and backend: checks of both, frontend reused by digest, E2E and scans on the same images, publish, record, dev", async () => {
    const { p, run, calls, stages } = await runCase({ event: "push", ref: "main", changed: ["db/migrations/V1_2_0__x.sql", "backend/src/server.ts"] }, { published: ["frontend"] });
    assert.deepEqual(run.executed, planned(p));
    assert.deepEqual(
      stages.map((s) => s.stage),
      ["checks", "build", "e2e", "scan", "integration", "publish", "record", "promote"],
    );
    assert.ok(
      stages.every((s) => s.status === "passed"),
      JSON.stringify(stages),
    );
    assert.ok(!calls.some((c) => c.startsWith("check:frontend")), "unaffected frontend is not checked");
    assert.ok(!calls.includes("build:frontend"), "frontend's published image is reused, not rebuilt");
    const frontend = `pulled registry.example.com/frontend:in-x@${DIGEST}`;
    assert.ok(calls.includes(`e2e:built db,built backend,${frontend}`), "E2E tests exactly the images that are published");
    assert.ok(calls.includes(`scan:frontend:${frontend}`));
    assert.deepEqual(calls.slice(-2), ["record", "promote:dev:this run's release"]);
  });

  it("a failing check stops the run there: later stages are not started, and say why", async () => {
    const { run, calls, stages } = await runCase({ event: "push", ref: "main" }, { failCheck: "backend:unit" });
    assert.deepEqual(
      stages.map((s) => `${s.stage}:${s.status}`),
      ["checks:failed", "build:not-started", "e2e:not-started", "scan:not-started", "integration:not-started", "publish:not-started", "record:not-started", "promote:not-started"],
    );
    assert.match(stages[1].note, /because a check failed/);
    assert.ok(!calls.some((c) => c.startsWith("build:")));
    assert.deepEqual(
      run.executed.map((j) => j.stage),
      Array(run.executed.length).fill("checks"),
    );
  });

  it("release tag: the release page, then staging, promoting the recorded release (nothing built)", async () => {
    const { p, run, calls } = await runCase({ event: "tag", ref: "v1.2.0" });
    assert.deepEqual(run.executed, planned(p));
    assert.deepEqual(calls, ["release-page", "promote:staging:named release"]);
  });

  it("promote prod: one promotion of the named release", async () => {
    const { p, run, calls } = await runCase({ event: "promote", environment: "prod" });
    assert.deepEqual(run.executed, planned(p));
    assert.deepEqual(calls, ["promote:prod:named release"]);
  });

  it("push to the dev branch ends after the image build", async () => {
    const { p, run, calls, stages } = await runCase({ event: "push", ref: "dev" });
    assert.equal(p.flow, "build-only");
    assert.deepEqual(run.executed, planned(p));
    assert.deepEqual(
      stages.map((s) => s.stage),
      ["checks", "build"],
    );
    assert.ok(!calls.some((c) => /^(e2e|scan|publish|record|promote)/.test(c)));
  });

  it("push to a feature branch: checks, build, publish and its preview", async () => {
    const { p, run, calls, stages } = await runCase({ event: "push", ref: "feature/new-checkout" });
    assert.equal(p.flow, "preview");
    assert.deepEqual(run.executed, planned(p));
    assert.deepEqual(
      stages.map((s) => `${s.stage}:${s.status}`),
      ["checks:passed", "build:passed", "publish:passed", "preview:passed"],
    );
    assert.equal(calls.at(-1), "preview");
  });

  it("without a registry token, publish does not start and says why; nothing after it runs", async () => {
    const p = plan(config, toEvent({ event: "push", ref: "main" }));
    const { ports, calls } = fakePorts();
    const run = await executePlan(config, p, ports, { ...settings, noPublish: "because no --registry-token was given" });
    const stages = stageVerdicts(run.facts);
    assert.deepEqual(
      stages.slice(-3).map((s) => `${s.stage}:${s.status}:${s.note}`),
      [
        "publish:not-started:not started, because no --registry-token was given",
        "record:not-started:not started, because no --registry-token was given",
        "promote:not-started:not started, because no --registry-token was given",
      ],
    );
    assert.ok(!calls.some((c) => c.startsWith("publish") || c === "record"));
  });
});

/** The example with dev deployed over SSH and verified, and prod (a pull request) verified. */
const operated = parseConfig(
  readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8")
    .replace(
      "    path: environments/dev\n    format: kustomize\n",
      '    path: environments/dev\n    format: compose\n    deploy:\n      host: dev.example.com\n      user: deploy\n      knownHosts: "dev.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"\n      directory: /srv/webshop\n    verify:\n      endpoints: { backend: https://dev.example.com/health }\n',
    )
    .replace("    format: compose\n\npreviews:", "    format: compose\n    verify:\n      endpoints: { backend: https://shop.example.com/health }\n\npreviews:"),
);

describe("after the GitOps write: deploy, verify, automatic rollback", () => {
  it("push to main: dev is promoted, deployed over SSH, then verified", async () => {
    const { p, run, calls, stages } = await runCase({ event: "push", ref: "main" }, {}, operated);
    assert.deepEqual(run.executed, planned(p));
    assert.deepEqual(calls.slice(-4), ["record", "promote:dev:this run's release", "deploy:dev", "verify:dev"]);
    assert.deepEqual(
      stages.slice(-3).map((s) => `${s.stage}:${s.status}`),
      ["promote:passed", "deploy:passed", "verify:passed"],
    );
  });

  it("a failed verification rolls back with the failure and the live schema, deploys and verifies the release rolled back to; the stage still fails", async () => {
    const { calls, stages } = await runCase({ event: "push", ref: "main" }, { verified: [false, true] }, operated);
    assert.deepEqual(calls.slice(-5), ["deploy:dev", "verify:dev", "recover:dev:backend reports 1.3.0, expected 1.2.0:1.2.0", "deploy:dev", "verify:dev"]);
    const verify = stages.find((s) => s.stage === "verify");
    assert.equal(verify?.status, "failed");
    assert.match(verify?.note ?? "", /verification of dev backend reports 1\.3\.0, expected 1\.2\.0; rolled back automatically and verified/);
  });

  it("a verification that could not judge the release (bad config) fails without rolling back", async () => {
    const { calls, stages } = await runCase({ event: "push", ref: "main" }, { unjudged: true }, operated);
    assert.ok(!calls.some((c) => c.startsWith("recover:")));
    assert.match(stages.find((s) => s.stage === "verify")?.note ?? "", /not rolled back: the verification could not judge the release/);
  });

  it("a rollback whose verification fails does not roll back again on its own", async () => {
    const { calls, stages } = await runCase({ event: "rollback", environment: "dev" }, { verified: [false] }, operated, "rollback");
    assert.deepEqual(calls, ["promote:dev:named release:rollback", "deploy:dev", "verify:dev"]);
    assert.match(stages.find((s) => s.stage === "verify")?.note ?? "", /no automatic rollback after a rollback/);
  });

  it("prod is written by pull request: no deploy or verify in the promotion's run; deploy --env prod verifies after the merge", async () => {
    const promotion = await runCase({ event: "promote", environment: "prod" }, {}, operated);
    assert.deepEqual(promotion.calls, ["promote:prod:named release"]);
    assert.ok(promotion.p.notes.some((n) => /prod is deployed and verified by deploy --env prod, run by the GitOps repository's push/.test(n)));
    const deployment = await runCase({ event: "deploy", environment: "prod" }, {}, operated, "deploy");
    assert.deepEqual(deployment.calls, ["deploy:prod", "verify:prod"]);
    assert.equal(deployment.p.flow, "deployment");
  });

  it("deploy --env of an environment with neither deploy nor verify is refused, naming it", () => {
    assert.throws(() => plan(operated, toEvent({ event: "deploy", environment: "staging" })), /environment: staging has neither a deploy nor a verify section/);
  });
});
