// Verification and the automatic rollback through the engine model: the root module's own code
// (plan, stages, ports, the gates module) against a real bare GitOps repository and a real HTTP
// server standing in for the environment — it answers /health with the backend version the GitOps
// repository says staging runs (as a GitOps agent would have deployed it), and fails for release B.
// Nothing here ran in Dagger; the SSH deploy and a real Compose cycle are scripts/integration/ssh-deploy.sh's.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { renderReleaseRecord } from "../../.dagger/src/release/record.js";
import { emptyState, parseEnvironmentState, promoted, renderEnvironmentState } from "../../.dagger/src/release/state.js";
import { git, history } from "../gitops/git/git-fixture.js";
import { mintId } from "../recorder/ids.js";
import { exampleRelease, REV_A, REV_B } from "../release/fixture.js";
import { GITOPS_SEED, harnessApp, type HarnessApp } from "./app.js";
import { Harness } from "./harness.js";
import { releaseScans } from "./stand-ins.js";

const A = exampleRelease(REV_A, "1");
const B = exampleRelease(REV_B, "2", { backend: "1.3.0" });
const ALL = ["db", "backend", "frontend"];
const SEED = {
  ...GITOPS_SEED,
  [`releases/${REV_A}.json`]: renderReleaseRecord(A),
  [`releases/${REV_B}.json`]: renderReleaseRecord(B),
  "environments/dev/.pipeline/state.json": renderEnvironmentState(promoted(promoted(emptyState("dev"), A, ALL, "t1"), B, ALL, "t2")),
  "environments/staging/.pipeline/state.json": renderEnvironmentState(promoted(emptyState("staging"), A, ALL, "t1")),
};

/** The environment: /health answers what staging runs per the GitOps repository; release B's backend is unhealthy. */
async function environment(gitops: string, schemaVersion = "1.1.0"): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    const state = parseEnvironmentState(git(gitops, "show", "main:environments/staging/.pipeline/state.json"), "state.json", "staging");
    const backend = state.components.backend;
    if (backend.release === REV_B) {
      res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ status: "error", version: backend.version, error: "database_unavailable" }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", version: backend.version, database: { schemaVersion } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`, server };
}

describe("harness: verify, and the automatic rollback after a failed verification", () => {
  const apps: HarnessApp[] = [];
  const servers: Server[] = [];
  after(async () => {
    for (const a of apps) await a.close();
    for (const s of servers) s.close();
  });
  const setUp = async (rollback: "automatic" | "manual", schemaVersion?: string) => {
    const app = await harnessApp("registry.example.com", SEED);
    apps.push(app);
    const env = await environment(app.gitops, schemaVersion);
    servers.push(env.server);
    const yaml = readFileSync(join(app.root, "pipeline.yaml"), "utf8").replace(
      "    path: environments/staging\n    format: kustomize\n",
      `    path: environments/staging\n    format: kustomize\n    verify:\n      endpoints: { backend: "${env.url}" }\n      timeout: 2\n      interval: 1\n      rollback: ${rollback}\n`,
    );
    writeFileSync(join(app.root, "pipeline.yaml"), yaml);
    const h = new Harness({ root: app.root, remotes: app.remotes });
    h.engine.setSecret("gitops-token", "gitops-token-canary");
    const token = mintId([{ field: "setSecret", args: { name: "gitops-token" } }]);
    const call = (fn: string, args: Record<string, unknown>) => h.call("pipeline", {}, fn, { gitopsToken: token, ...args }).then(String, (e: Error) => `failed: ${e.message}`);
    return { app, h, call };
  };

  it("verify --env: the endpoint reports what staging runs; changes nothing", async () => {
    const { app, call } = await setUp("automatic");
    const out = await call("verify", { env: "staging" });
    assert.match(out, /Release aaaaaaaaaaaa: backend 1\.2\.0/);
    assert.doesNotMatch(out, /^failed/);
    assert.equal(history(app.gitops).length, 1);
  });

  it("verify --env: the backend reports the release but a schema its requires excludes: verification fails, naming both", async () => {
    const { call } = await setUp("automatic", "1.0.0");
    const out = await call("verify", { env: "staging" });
    assert.match(out, /^failed: /);
    assert.match(out, /Schema:\n {2}backend 1\.2\.0 requires db >=1\.1\.0; the database it uses reports schema 1\.0\.0/);
  });

  it("promote B: verification fails, staging is rolled back to A automatically (recorded, trailers), verified again, held; the call fails", async () => {
    const { app, h, call } = await setUp("automatic");
    const out = await call("promote", { env: "staging", scans: releaseScans(B) });
    assert.match(out, /^failed: /);
    assert.match(out, /## Automatic rollback of staging/);
    assert.match(out, /## Verify staging \(rollback\)\n\nRelease aaaaaaaaaaaa: backend 1\.2\.0/);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject.split(":")[0]),
      ["roll back staging to aaaaaaaaaaaa", "promote bbbbbbbbbbbb to staging", "seed"],
    );
    const message = git(app.gitops, "log", "-1", "--format=%B", "main");
    assert.match(message, new RegExp(`AUTOMATIC rollback from release ${REV_B}: verification failed: `));
    assert.match(message, new RegExp(`Rollback-From: ${REV_B}\nRollback: automatic`));
    const state = parseEnvironmentState(git(app.gitops, "show", "main:environments/staging/.pipeline/state.json"), "state.json", "staging");
    assert.equal(state.components.backend.release, REV_A);
    assert.equal(state.history[0].automatic, true);
    assert.match(state.hold?.reason ?? "", /^verification failed: /);
    assert.equal(h.engine.count("gitops", "push"), 2);

    // Held: a person's promotion passes and releases the hold, recorded in the history.
    const byHand = await call("promote", { env: "staging", revision: REV_A, scans: releaseScans(A) });
    assert.match(byHand, /\| hold \| ✅ passed \| held since .*; this promotion by hand releases the hold \|/);
    const released = parseEnvironmentState(git(app.gitops, "show", "main:environments/staging/.pipeline/state.json"), "state.json", "staging");
    assert.equal(released.hold, undefined);
    assert.match(released.history[0].reason ?? "", /^released the hold of .* \(verification failed: /);
  });

  it("the team is told: a failed verification and the automatic rollback after it, by the chat webhook", async () => {
    const posts: string[] = [];
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        posts.push(body);
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    servers.push(hook);
    const { app, h, call } = await setUp("automatic");
    writeFileSync(join(app.root, "pipeline.yaml"), `${readFileSync(join(app.root, "pipeline.yaml"), "utf8")}\nnotifications:\n  webhook:\n    format: slack\n`);
    h.engine.setSecret("chat-webhook", `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/T0`);
    const out = await call("promote", { env: "staging", scans: releaseScans(B), notifyWebhook: mintId([{ field: "setSecret", args: { name: "chat-webhook" } }]) });
    assert.match(out, /^failed: /);
    assert.match(out, /## Notifications\n\n- chat: /);
    assert.equal(posts.length, 1);
    assert.match(posts[0], /failed at verify/);
    assert.match(posts[0], /rolled back automatically and verified/);
    assert.equal(h.engine.count("notify", "webhook"), 1);
  });

  it("rollback: manual — a failed verification only fails; nothing is rolled back", async () => {
    const { app, call } = await setUp("manual");
    const out = await call("promote", { env: "staging", scans: releaseScans(B) });
    assert.match(out, /^failed: /);
    assert.doesNotMatch(out, /Automatic rollback/);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject.split(":")[0]),
      ["promote bbbbbbbbbbbb to staging", "seed"],
    );
  });
});
