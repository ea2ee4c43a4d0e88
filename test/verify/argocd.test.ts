// waitForArgoCd against a local node:http server that STANDS IN for Argo CD: it is not Argo CD.
// It answers GET /api/v1/applications/<name> with JSON shaped like Argo CD's v1alpha1.Application
// (status.sync.{status,revision,revisions}, status.health.{status,message},
// status.operationState; argoproj/argo-cd pkg/apis/application/v1alpha1/types.go and
// assets/swagger.json), and its errors like grpc-gateway's ({"error","code","message"}; Argo CD
// answers 403 "permission denied" for an application that does not exist or may not be read).
// The clock is fake; the requests are real.
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import { InputError } from "../../.dagger/src/errors.js";
import { type ArgoCdWait, waitForArgoCd } from "../../.dagger/src/verify/argocd.js";
import { fakeClock, json, type Started, serve } from "./servers.js";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.argocd-api-token";
const COMMIT = "5f7fc2a74f8833e4b74d018120f00b8be8d8e848";
const OLD = "0123456789abcdef0123456789abcdef01234567";

/** An Application as Argo CD serves it, trimmed to what matters plus a few fields it always has. */
function application(sync: string, revision: string, health: string, message?: string, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name: "webshop-prod", namespace: "argocd", resourceVersion: "123456" },
    spec: {
      project: "default",
      source: { repoURL: "https://github.com/acme/webshop-gitops.git", path: "environments/prod", targetRevision: "main" },
      destination: { server: "https://kubernetes.default.svc", namespace: "webshop" },
    },
    status: {
      sync: { status: sync, revision, comparedTo: { source: { repoURL: "https://github.com/acme/webshop-gitops.git", path: "environments/prod", targetRevision: "main" } } },
      health: { status: health, ...(message ? { message } : {}) },
      reconciledAt: "2026-08-22T18:31:32Z",
      ...extra,
    },
  };
}

/** A stand-in Argo CD whose answers for webshop-prod come from a script, one per request (the last repeats). */
function standIn(script: ((req: IncomingMessage) => [number, unknown])[]) {
  const seen: { url: string; authorization?: string }[] = [];
  return {
    seen,
    start: () =>
      serve((req, res) => {
        seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
        if (req.headers.authorization !== `Bearer ${TOKEN}`)
          return json(res, 401, { error: "invalid session: token signature is invalid", code: 16, message: "invalid session: token signature is invalid" });
        if (!req.url?.startsWith("/api/v1/applications/webshop-prod")) return json(res, 403, { error: "permission denied", code: 7, message: "permission denied" });
        const [status, body] = script[Math.min(seen.length - 1, script.length - 1)](req);
        json(res, status, body);
      }),
  };
}

const wait = (server: string, extra: Partial<ArgoCdWait> = {}): ArgoCdWait => ({
  server,
  application: "webshop-prod",
  token: TOKEN,
  revision: COMMIT,
  timeoutSeconds: 60,
  intervalSeconds: 5,
  ...extra,
});

describe("waitForArgoCd (against a stand-in for Argo CD's API, not Argo CD)", () => {
  const rollout = standIn([
    () => [200, application("OutOfSync", OLD, "Healthy")],
    () => [200, application("Synced", COMMIT, "Progressing", "Waiting for rollout to finish: 1 old replicas are pending termination...")],
    () => [200, application("Synced", COMMIT, "Healthy")],
  ]);
  let server: Started;
  before(async () => {
    server = await rollout.start();
  });
  after(() => server.close());

  it("polls until the application is Synced to our commit and Healthy; the first request asks for a refresh, every one carries the token", async () => {
    const { deps, slept } = fakeClock();
    const r = await waitForArgoCd(wait(server.url), deps);
    assert.equal(r.passed, true, r.summary);
    assert.deepEqual(slept, [5000, 5000]);
    assert.deepEqual(
      rollout.seen.map((s) => s.url),
      ["/api/v1/applications/webshop-prod?refresh=normal", "/api/v1/applications/webshop-prod", "/api/v1/applications/webshop-prod"],
    );
    assert.ok(rollout.seen.every((s) => s.authorization === `Bearer ${TOKEN}`));
    assert.equal(r.summary, `Argo CD application webshop-prod: synced and healthy after 10 s (3 polls): sync Synced to ${COMMIT}, health Healthy`);
    assert.deepEqual(r.details, [
      `0 s: sync OutOfSync to ${OLD} (waiting for ${COMMIT}), health Healthy`,
      `5 s: sync Synced to ${COMMIT}, health Progressing (Waiting for rollout to finish: 1 old replicas are pending termination...)`,
      `10 s: sync Synced to ${COMMIT}, health Healthy`,
    ]);
    assert.deepEqual([r.sync, r.revision, r.health], ["Synced", COMMIT, "Healthy"]);
  });

  it("a server URL with a path prefix and a trailing slash (Argo CD behind --rootpath)", async () => {
    const prefixed = await serve((req, res) => {
      if (req.url?.startsWith("/argocd/api/v1/applications/webshop-prod")) json(res, 200, application("Synced", COMMIT, "Healthy"));
      else json(res, 404, {});
    });
    try {
      const { deps } = fakeClock();
      assert.equal((await waitForArgoCd(wait(`${prefixed.url}/argocd/`), deps)).passed, true);
    } finally {
      await prefixed.close();
    }
  });
});

describe("waitForArgoCd fails with a clear line", () => {
  const one = async (script: ((req: IncomingMessage) => [number, unknown])[], extra: Partial<ArgoCdWait> = {}) => {
    const stand = standIn(script);
    const server = await stand.start();
    try {
      const { deps } = fakeClock();
      const r = await waitForArgoCd(wait(server.url, extra), deps);
      assert.ok(!JSON.stringify(r).includes(TOKEN), `the token is shown: ${JSON.stringify(r)}`);
      return { r, requests: stand.seen.length };
    } finally {
      await server.close();
    }
  };

  it("Degraded health is reported with Argo CD's message, and fails at the deadline", async () => {
    const { r, requests } = await one([() => [200, application("Synced", COMMIT, "Degraded", 'Deployment "backend" exceeded its progress deadline')]], { timeoutSeconds: 20 });
    assert.equal(r.passed, false);
    assert.equal(requests, 4);
    assert.equal(
      r.summary,
      `Argo CD application webshop-prod: not synced and healthy at the deadline of 20 s after 15 s (4 polls): sync Synced to ${COMMIT}, health Degraded (Deployment "backend" exceeded its progress deadline)`,
    );
    assert.equal(r.details.length, 1, "an unchanged answer is one line");
    assert.equal(r.health, "Degraded");
  });

  it("Missing health and a failed sync operation are reported", async () => {
    const { r } = await one([() => [200, application("OutOfSync", OLD, "Missing", undefined, { operationState: { phase: "Failed", message: "one or more objects failed to apply" } })]], {
      timeoutSeconds: 5,
    });
    assert.equal(r.passed, false);
    assert.match(r.summary, /: sync OutOfSync to 0123456789abcdef0123456789abcdef01234567 \(waiting for 5f7fc2a7[0-9a-f]+\), health Missing, last sync Failed: one or more objects failed to apply$/);
  });

  it("Synced and Healthy on another commit is not our release", async () => {
    const { r } = await one([() => [200, application("Synced", OLD, "Healthy")]], { timeoutSeconds: 10 });
    assert.equal(r.passed, false);
    assert.match(r.summary, /waiting for 5f7fc2a7/);
  });

  it("401 (a token Argo CD refuses) fails at once", async () => {
    const { r, requests } = await one([() => [200, application("Synced", COMMIT, "Healthy")]], { token: "not-the-token" });
    assert.equal(requests, 1);
    assert.equal(r.passed, false);
    assert.match(r.summary, /after 0 s \(1 poll\): HTTP 401: Argo CD refused the token; give an API token of an account that may get applications/);
    assert.ok(!r.summary.includes("not-the-token"));
  });

  it("403 (no such application, or no right to read it) fails at once and says Argo CD does not tell which", async () => {
    const { r, requests } = await one([() => [200, {}]], { application: "webshop-prd" });
    assert.equal(requests, 1);
    assert.match(r.summary, /HTTP 403 permission denied: the token's account may not get application webshop-prd, or there is no such application \(Argo CD does not say which\)/);
  });

  it("404 fails at once", async () => {
    const { r, requests } = await one([() => [404, { error: 'applications.argoproj.io "webshop-prod" not found', code: 5 }]]);
    assert.equal(requests, 1);
    assert.match(r.summary, /HTTP 404: Argo CD has no application webshop-prod/);
  });

  it("a redirect is not followed (the token would go with it) and fails at once", async () => {
    const redirecting = await serve((_req, res) => {
      res.writeHead(307, { location: "https://argocd.elsewhere.example/api/v1/applications/webshop-prod" });
      res.end();
    });
    try {
      const { deps } = fakeClock();
      const r = await waitForArgoCd(wait(redirecting.url), deps);
      assert.equal(r.passed, false);
      assert.match(r.summary, /after 0 s \(1 poll\): Argo CD answered with a redirect, which is not followed \(the token would go with it\)/);
    } finally {
      await redirecting.close();
    }
  });

  it("a 5xx is retried, and a server echoing the token does not get it shown", async () => {
    const { r, requests } = await one([(req) => [502, { error: `upstream said ${req.headers.authorization}` }], () => [200, application("Synced", COMMIT, "Healthy")]]);
    assert.equal(requests, 2);
    assert.equal(r.passed, true);
    assert.match(r.details[0], /^0 s: HTTP 502, not 200: .*Bearer \*\*\*/);
  });

  it("an abbreviated expected commit, and a multi-source application's revisions, match", async () => {
    const multi = { ...application("Synced", "", "Healthy") };
    multi.status.sync = { ...multi.status.sync, revision: "", revisions: ["1.4.2", COMMIT] } as typeof multi.status.sync;
    const { r } = await one([() => [200, multi]], { revision: COMMIT.slice(0, 12) });
    assert.equal(r.passed, true, r.summary);
  });

  it("without an expected revision, Synced and Healthy pass", async () => {
    const { r } = await one([() => [200, application("Synced", OLD, "Healthy")]], { revision: undefined });
    assert.equal(r.passed, true);
  });
});

describe("waitForArgoCd refuses bad input, never showing the token", () => {
  const { deps } = fakeClock();
  const refused = (opts: ArgoCdWait, message: RegExp) =>
    assert.rejects(waitForArgoCd(opts, deps), (e: Error) => e instanceof InputError && message.test(e.message) && !e.message.includes(TOKEN) && !e.message.includes("hunter2"));

  it("a server that is not an http(s) URL, or carries credentials", async () => {
    await refused(wait("argocd.example.com"), /^verify\.argocd\.server: "argocd\.example\.com" must be Argo CD's http:\/\/ or https:\/\/ URL/);
    await refused(wait("https://admin:hunter2@argocd.example.com"), /^verify\.argocd\.server: "https:\/\/admin:\*\*\*@argocd\.example\.com" carries credentials; give the API token as --argocd-token/);
  });

  it("an application name Argo CD cannot have, an empty token, a revision that is not a commit", async () => {
    await refused(wait("https://argocd.example.com", { application: "Webshop/Prod" }), /^verify\.argocd\.application: "Webshop\/Prod" must be an Argo CD application name/);
    await refused(wait("https://argocd.example.com", { token: " " }), /^argocd-token: must be an Argo CD API token/);
    await refused(wait("https://argocd.example.com", { revision: "main" }), /^revision: "main" must be the GitOps commit's hash$/);
  });
});
