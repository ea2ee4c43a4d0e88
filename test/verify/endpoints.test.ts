// verifyEndpoints against real HTTP servers on 127.0.0.1: the example's own backend (its createApp
// with an in-memory repository, since no database runs here) and its own frontend (node
// server.mjs, as its image starts it), plus servers that misbehave the way deployments do: still
// on the old version for a while, never on the new one, hanging, 503, not JSON. The clock is fake
// (polls do not wait); the requests and their time limits are real.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InputError } from "../../.dagger/src/errors.js";
import { verifyEndpoints } from "../../.dagger/src/verify/endpoints.js";
import { createApp } from "../../examples/webshop/backend/src/app.js";
import type { Repository } from "../../examples/webshop/backend/src/repository.js";
import { ROOT } from "../tiers/modules.js";
import { fakeClock, json, type Started, serve } from "./servers.js";

const version = (component: string) => (JSON.parse(readFileSync(join(ROOT, `examples/webshop/${component}/package.json`), "utf8")) as { version: string }).version;
const BACKEND = version("backend");
const FRONTEND = version("frontend");
const target = (endpoints: Record<string, string>, expected: Record<string, string>, timeoutSeconds = 30, intervalSeconds = 5) => ({
  environment: "prod",
  endpoints,
  expected,
  timeoutSeconds,
  intervalSeconds,
});

/** The example backend's HTTP handler on a real server, its database an in-memory stand-in. */
async function realBackend(schemaVersion: () => Promise<string>, appVersion = BACKEND): Promise<Started> {
  const repo: Repository = { schemaVersion, listProducts: async () => [], placeOrder: async () => assert.fail("verification places no order") };
  const app = createApp({ repo, version: appVersion });
  return serve((req, res) => void app(req, res));
}

/** The example frontend as its image runs it (node server.mjs), proxying to backendUrl. */
async function realFrontend(backendUrl: string): Promise<{ url: string; stop(): void }> {
  const dist = mkdtempSync(join(tmpdir(), "verify-dist-"));
  writeFileSync(join(dist, "index.html"), "<!doctype html><title>shop</title>");
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, "examples/webshop/frontend/server.mjs")], {
    env: { PATH: process.env.PATH ?? "", BACKEND_URL: backendUrl, PORT: "0", HOST: "127.0.0.1", DIST_DIR: dist },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`server.mjs exited ${code}: ${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      child.kill();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

describe("verifyEndpoints against the example's real backend and frontend", () => {
  let backend: Started;
  let frontend: { url: string; stop(): void };
  before(async () => {
    backend = await realBackend(async () => "1.1.0");
    frontend = await realFrontend(backend.url);
  });
  after(async () => {
    frontend.stop();
    await backend.close();
  });

  it("passes at the first poll when both report the release, and keeps the backend's schema as the live schema", async () => {
    const { deps, slept } = fakeClock();
    const r = await verifyEndpoints(target({ backend: `${backend.url}/health`, frontend: `${frontend.url}/healthz` }, { backend: BACKEND, frontend: FRONTEND, db: "1.1.0" }), deps);
    assert.equal(r.passed, true, r.summary);
    assert.equal(r.liveSchema, "1.1.0");
    assert.deepEqual(slept, []);
    assert.equal(r.summary, `verify prod: every component reports the release after 0 s (1 poll): backend ${BACKEND} (schema 1.1.0), frontend ${FRONTEND}`);
    assert.deepEqual(r.details, [
      `backend ${backend.url}/health: HTTP 200, version ${BACKEND} (expected ${BACKEND}), schema 1.1.0: ok`,
      `frontend ${frontend.url}/healthz: HTTP 200, version ${FRONTEND} (expected ${FRONTEND}): ok`,
    ]);
    assert.deepEqual(r.answers.frontend, { url: `${frontend.url}/healthz`, status: 200, version: FRONTEND, ok: true });
  });

  it("the frontend's proxied /health is the backend's answer: a backend endpoint behind the public URL verifies too", async () => {
    const { deps } = fakeClock();
    const r = await verifyEndpoints(target({ backend: `${frontend.url}/health` }, { backend: BACKEND }), deps);
    assert.equal(r.passed, true, r.summary);
    assert.equal(r.liveSchema, "1.1.0");
  });

  it("fails when the frontend runs another release than expected, naming both versions", async () => {
    const { deps } = fakeClock();
    const r = await verifyEndpoints(target({ frontend: `${frontend.url}/healthz` }, { frontend: "9.9.9" }, 10, 5), deps);
    assert.equal(r.passed, false);
    assert.match(
      r.summary,
      new RegExp(`^verify prod: failed at the deadline of 10 s, after 5 s \\(2 polls\\): frontend reports version ${FRONTEND.replace(/\./g, "\\.")}, not the release's 9\\.9\\.9$`),
    );
  });

  it("a backend whose database is down answers 503 with its reason: a failed verification naming it", async () => {
    const down = await realBackend(async () => {
      throw new Error("connect ECONNREFUSED 10.0.0.5:5432");
    });
    try {
      const { deps } = fakeClock();
      const r = await verifyEndpoints(target({ backend: `${down.url}/health` }, { backend: BACKEND }, 10, 5), deps);
      assert.equal(r.passed, false);
      assert.equal(r.liveSchema, undefined);
      assert.deepEqual(r.details, [
        `backend ${down.url}/health: HTTP 503, version ${BACKEND} (expected ${BACKEND}): HTTP 503, not 200: "database_unavailable: database check failed: connect ECONNREFUSED 10.0.0.5:5432"`,
      ]);
    } finally {
      await down.close();
    }
  });
});

describe("verifyEndpoints waits, and gives up at the deadline", () => {
  it("waits while the endpoint still answers the old version, and passes once it reports the new one", async () => {
    let requests = 0;
    const rolling = await serve((_req, res) => {
      requests++;
      json(res, 200, { status: "ok", version: requests <= 3 ? "1.1.0" : "1.2.0", database: { schemaVersion: requests <= 3 ? "1.0.0" : "1.1.0" } });
    });
    try {
      const { deps, slept } = fakeClock();
      const r = await verifyEndpoints(target({ backend: `${rolling.url}/health` }, { backend: "1.2.0" }, 300, 5), deps);
      assert.equal(r.passed, true, r.summary);
      assert.deepEqual(slept, [5000, 5000, 5000]);
      assert.equal(requests, 4);
      assert.equal(r.liveSchema, "1.1.0", "the schema of the last answer");
      assert.match(r.summary, /after 15 s \(4 polls\)/);
    } finally {
      await rolling.close();
    }
  });

  it("an endpoint that answered right is not asked again while another is still on the old version", async () => {
    const asked = { a: 0, b: 0 };
    const a = await serve((_req, res) => {
      asked.a++;
      json(res, 200, { version: "2.0.0" });
    });
    const b = await serve((_req, res) => {
      asked.b++;
      json(res, 200, { version: asked.b < 3 ? "1.0.0" : "2.0.0" });
    });
    try {
      const { deps } = fakeClock();
      const r = await verifyEndpoints(target({ a: a.url, b: b.url }, { a: "2.0.0", b: "2.0.0" }), deps);
      assert.equal(r.passed, true, r.summary);
      assert.deepEqual(asked, { a: 1, b: 3 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("an endpoint that never reports the release fails at the deadline with a line naming what it reports, and still yields the live schema", async () => {
    let requests = 0;
    const stuck = await serve((_req, res) => {
      requests++;
      json(res, 200, { status: "ok", version: "1.1.0", database: { schemaVersion: "1.1.0" } });
    });
    try {
      const { deps, slept } = fakeClock();
      const r = await verifyEndpoints(target({ backend: `${stuck.url}/health` }, { backend: "1.2.0" }, 30, 5), deps);
      assert.equal(r.passed, false);
      // Polls at 0, 5, … 25 s: one more would start at the deadline.
      assert.equal(requests, 6);
      assert.equal(
        slept.reduce((a, b) => a + b, 0),
        25_000,
      );
      assert.equal(r.summary, "verify prod: failed at the deadline of 30 s, after 25 s (6 polls): backend reports version 1.1.0, not the release's 1.2.0");
      assert.deepEqual(r.details, [`backend ${stuck.url}/health: HTTP 200, version 1.1.0 (expected 1.2.0), schema 1.1.0: reports version 1.1.0, not the release's 1.2.0`]);
      assert.equal(r.liveSchema, "1.1.0", "a rollback needs the schema precisely when verification fails");
    } finally {
      await stuck.close();
    }
  });

  it("a hanging endpoint is cut off by the request's time limit, never past the deadline", async () => {
    const hanging = await serve(() => {
      /* never answers */
    });
    // Headers sent, then the body stalls: the same time limit covers the body.
    const stalling = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"version":');
    });
    try {
      const { deps } = fakeClock();
      const started = Date.now();
      const r = await verifyEndpoints(target({ backend: `${hanging.url}/health`, frontend: `${stalling.url}/healthz` }, { backend: "1.2.0", frontend: "1.2.0" }, 1, 1), deps);
      const took = Date.now() - started;
      assert.equal(r.passed, false);
      assert.ok(took < 3000, `took ${took} ms for a 1 s deadline`);
      assert.deepEqual(r.details, [
        `backend ${hanging.url}/health: no answer within 1 s (request timed out); expected version 1.2.0`,
        `frontend ${stalling.url}/healthz: no answer within 1 s (request timed out); expected version 1.2.0`,
      ]);
    } finally {
      await hanging.close();
      await stalling.close();
    }
  });

  it("a refused connection is a failed verification, not an exception", async () => {
    const closed = await serve(() => undefined);
    const url = closed.url;
    await closed.close();
    const { deps } = fakeClock();
    const r = await verifyEndpoints(target({ backend: `${url}/health` }, { backend: "1.2.0" }, 5, 5), deps);
    assert.equal(r.passed, false);
    assert.deepEqual(r.details, [`backend ${url}/health: no answer: ECONNREFUSED (connect ECONNREFUSED ${url.slice("http://".length)}); expected version 1.2.0`]);
  });
});

describe("verifyEndpoints names what is wrong with an answer", () => {
  let server: Started;
  before(async () => {
    server = await serve((req, res) => {
      if (req.url === "/html") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html><body>Welcome to nginx!</body></html>");
      } else if (req.url === "/no-version") json(res, 200, { status: "ok" });
      else if (req.url === "/array") json(res, 200, ["1.2.0"]);
      else if (req.url === "/plain-503") {
        res.writeHead(503);
        res.end("upstream connect error");
      } else if (req.url?.startsWith("/auth")) json(res, req.headers.authorization === `Basic ${Buffer.from("probe:s3cret").toString("base64")}` ? 200 : 401, { version: "1.2.0" });
      else json(res, 404, { error: "not_found" });
    });
  });
  after(() => server.close());

  const one = async (path: string) => {
    const { deps } = fakeClock();
    const r = await verifyEndpoints(target({ backend: `${server.url}${path}` }, { backend: "1.2.0" }, 5, 5), deps);
    assert.equal(r.passed, false);
    return r.details[0];
  };

  it("a body that is not JSON", async () => {
    assert.equal(await one("/html"), `backend ${server.url}/html: HTTP 200, version (none) (expected 1.2.0): the body is not JSON: "<html><body>Welcome to nginx!</body></html>"`);
  });

  it("JSON without a version, or not an object", async () => {
    assert.equal(await one("/no-version"), `backend ${server.url}/no-version: HTTP 200, version (none) (expected 1.2.0): the JSON has no "version" (a non-empty string): "{\\"status\\":\\"ok\\"}"`);
    assert.match(await one("/array"), /: the JSON is not an object: "\[\\"1\.2\.0\\"\]"$/);
  });

  it("a 503 that is not JSON, and a 404", async () => {
    assert.match(await one("/plain-503"), /: HTTP 503, version \(none\) \(expected 1\.2\.0\): HTTP 503, not 200: "upstream connect error"$/);
    assert.match(await one("/healthz"), /: HTTP 404, .*: HTTP 404, not 200: "not_found"$/);
  });

  it("credentials in an endpoint are sent as basic authentication and never shown", async () => {
    const { deps } = fakeClock();
    const r = await verifyEndpoints(target({ backend: `http://probe:s3cret@${server.url.slice(7)}/auth?token=t0ken` }, { backend: "1.2.0" }), deps);
    assert.equal(r.passed, true, r.summary);
    const wrong = await verifyEndpoints(target({ backend: `http://probe:wr0ng@${server.url.slice(7)}/auth?token=t0ken` }, { backend: "1.2.0" }, 5, 5), deps);
    assert.equal(wrong.passed, false);
    const shown = JSON.stringify([r, wrong]);
    for (const secret of ["s3cret", "wr0ng", "t0ken"]) assert.ok(!shown.includes(secret), `${secret} shown: ${shown}`);
    assert.match(wrong.details[0], /^backend http:\/\/probe:\*\*\*@127\.0\.0\.1:\d+\/auth\?token=\*\*\*: HTTP 401/);
  });

  it("components reporting different schema versions are pointed out", async () => {
    const a = await serve((_q, res) => json(res, 200, { version: "1.2.0", database: { schemaVersion: "1.1.0" } }));
    const b = await serve((_q, res) => json(res, 200, { version: "1.2.0", database: { schemaVersion: "1.0.0" } }));
    try {
      const { deps } = fakeClock();
      const r = await verifyEndpoints(target({ a: a.url, b: b.url }, { a: "1.2.0", b: "1.2.0" }), deps);
      assert.equal(r.liveSchema, "1.1.0");
      assert.match(r.details[2], /^the components report different schema versions \(a 1\.1\.0, b 1\.0\.0\)/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("verifyEndpoints refuses bad input", () => {
  const { deps } = fakeClock();
  const refused = async (t: Parameters<typeof verifyEndpoints>[0], message: RegExp) =>
    assert.rejects(verifyEndpoints(t, deps), (e: Error) => e instanceof InputError && message.test(e.message) && !/s3cret/.test(e.message));

  it("an endpoint whose component has no version in the release", async () => {
    await refused(
      target({ backend: "http://127.0.0.1:9/health" }, { frontend: "1.2.0" }),
      /^environments\.prod\.verify\.endpoints\.backend: the release has no version of component "backend" to expect \(it has frontend\)/,
    );
  });

  it("a URL that is not http(s), shown without its password", async () => {
    await refused(
      target({ backend: "ftp://u:s3cret@host/health" }, { backend: "1.2.0" }),
      /^environments\.prod\.verify\.endpoints\.backend: "ftp:\/\/u:\*\*\*@host\/health" is not an http:\/\/ or https:\/\/ URL$/,
    );
  });

  it("no endpoints, a timeout of 0, a negative interval", async () => {
    await refused(target({}, {}), /^environments\.prod\.verify\.endpoints: names no endpoint/);
    await refused(target({ a: "http://a/" }, { a: "1.0.0" }, 0), /^environments\.prod\.verify\.timeout: "0" must be a number of seconds from 1 to 86400$/);
    await refused(target({ a: "http://a/" }, { a: "1.0.0" }, 5, -1), /^environments\.prod\.verify\.interval: "-1" must be/);
  });
});
