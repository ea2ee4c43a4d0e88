// @ts-check
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  createFrontendServer,
  forwardableHeaders,
  isProxied,
  resolveAppVersion,
  resolveStaticPath,
} from "../server.mjs";

/** @param {import("node:http").Server} server */
function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
}

/** @param {import("node:http").Server} server */
function close(server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
}

describe("server.mjs helpers", () => {
  it("proxies only the API and /health", () => {
    assert.equal(isProxied("/health"), true);
    assert.equal(isProxied("/api/products"), true);
    assert.equal(isProxied("/api"), true);
    assert.equal(isProxied("/apiary"), false);
    assert.equal(isProxied("/healthz"), false);
    assert.equal(isProxied("/"), false);
  });
  it("refuses paths outside the dist directory", () => {
    assert.equal(resolveStaticPath("/srv/dist", "/assets/a.js"), "/srv/dist/assets/a.js");
    assert.equal(resolveStaticPath("/srv/dist", "/../secret"), null);
    assert.equal(resolveStaticPath("/srv/dist", "/"), "/srv/dist");
    assert.equal(resolveStaticPath("/srv/dist", "/%2e%2e/secret"), null);
    assert.equal(resolveStaticPath("/srv/dist", "/a%00b"), null);
    assert.equal(resolveStaticPath("/srv/dist", "/%E0%A4%A"), null);
  });
  it("drops hop-by-hop headers, including those named in Connection", () => {
    assert.deepEqual(
      forwardableHeaders({
        connection: "keep-alive, x-secret",
        "keep-alive": "5",
        "x-secret": "1",
        accept: "a",
      }),
      { accept: "a" },
    );
  });
});

describe("server.mjs", () => {
  /** @type {string} */ let dist;
  /** @type {import("node:http").Server} */ let backend;
  /** @type {import("node:http").Server} */ let frontend;
  /** @type {string} */ let base;
  /** @type {{ method?: string, url?: string, body: string, host?: string }[]} */ const seen = [];

  before(async () => {
    dist = await mkdtemp(join(tmpdir(), "webshop-dist-"));
    await mkdir(join(dist, "assets"));
    await writeFile(join(dist, "index.html"), "<!doctype html><title>shop</title>");
    await writeFile(join(dist, "assets", "app-1234.js"), "console.log(1)");
    backend = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, body, host: req.headers.host });
        res.writeHead(req.url === "/api/orders" ? 201 : 200, {
          "content-type": "application/json",
        });
        res.end(JSON.stringify({ path: req.url }));
      });
    });
    const backendPort = await listen(backend);
    frontend = createFrontendServer({
      distDir: dist,
      backendUrl: `http://127.0.0.1:${backendPort}`,
      version: "9.8.7",
    });
    base = `http://127.0.0.1:${await listen(frontend)}`;
  });

  after(async () => {
    await close(frontend);
    await close(backend);
    await rm(dist, { recursive: true, force: true });
  });

  it("serves index.html with no-cache and hashed assets as immutable", async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(index.headers.get("cache-control"), "no-cache");
    assert.match(await index.text(), /<title>shop<\/title>/);
    const asset = await fetch(`${base}/assets/app-1234.js`);
    assert.equal(asset.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(asset.headers.get("cache-control") ?? "", /immutable/);
    assert.equal(await asset.text(), "console.log(1)");
  });

  it("falls back to index.html for client routes but 404s missing files", async () => {
    const route = await fetch(`${base}/orders/42`);
    assert.equal(route.status, 200);
    assert.match(await route.text(), /shop/);
    const missing = await fetch(`${base}/assets/missing.js`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });

  it("proxies /health and /api/* to the backend with method, query and body", async () => {
    const health = await fetch(`${base}/health`);
    assert.deepEqual(await health.json(), { path: "/health" });
    const products = await fetch(`${base}/api/products?page=2`);
    assert.deepEqual(await products.json(), { path: "/api/products?page=2" });
    const order = await fetch(`${base}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"items":[]}',
    });
    assert.equal(order.status, 201);
    await order.body?.cancel();
    const last = seen.at(-1);
    assert.equal(last?.method, "POST");
    assert.equal(last?.body, '{"items":[]}');
    assert.match(last?.host ?? "", /^127\.0\.0\.1:\d+$/);
  });

  it("answers /healthz itself with its version, and 502 when the backend is down", async () => {
    const healthz = await fetch(`${base}/healthz`);
    assert.equal(healthz.status, 200);
    assert.deepEqual(await healthz.json(), { status: "ok", version: "9.8.7" });
    const orphan = createFrontendServer({
      distDir: dist,
      backendUrl: "http://127.0.0.1:9",
      version: "9.8.7",
    });
    const orphanBase = `http://127.0.0.1:${await listen(orphan)}`;
    try {
      const res = await fetch(`${orphanBase}/health`);
      assert.equal(res.status, 502);
      const body = /** @type {{ error: string, message: string }} */ (await res.json());
      assert.equal(body.error, "bad_gateway");
      assert.match(body.message, /backend unreachable/);
    } finally {
      await close(orphan);
    }
  });

  it("rejects writes to static paths", async () => {
    const res = await fetch(`${base}/index.html`, { method: "POST" });
    assert.equal(res.status, 405);
    await res.body?.cancel();
  });
});

describe("the frontend's version", () => {
  it("is APP_VERSION when set, else package.json's, and must be a semver", () => {
    assert.equal(
      resolveAppVersion("2.0.0-rc.1", () => assert.fail("package.json is not read")),
      "2.0.0-rc.1",
    );
    assert.equal(
      resolveAppVersion(" ", () => "1.2.0"),
      "1.2.0",
    );
    assert.equal(
      resolveAppVersion(undefined, () => "1.2.0"),
      "1.2.0",
    );
    assert.throws(
      () => resolveAppVersion("latest-ish", () => "1.2.0"),
      /APP_VERSION must be a semantic version like 1.2.0, got "latest-ish"/,
    );
    assert.throws(
      () => resolveAppVersion(undefined, () => ""),
      /package.json "version" must be a semantic version, got ""/,
    );
  });

  /**
   * Starts the real server.mjs as the image does (node server.mjs) and reads the /healthz answer.
   * @param {Record<string, string>} env
   */
  async function startedHealthz(env) {
    const dist = await mkdtemp(join(tmpdir(), "webshop-dist-"));
    await writeFile(join(dist, "index.html"), "<!doctype html><title>shop</title>");
    const child = spawn(process.execPath, [new URL("../server.mjs", import.meta.url).pathname], {
      env: {
        PATH: process.env.PATH ?? "",
        BACKEND_URL: "http://127.0.0.1:9",
        PORT: "0",
        HOST: "127.0.0.1",
        DIST_DIR: dist,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const port = await new Promise((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk) => {
          out += chunk;
          const listening = /"port":(\d+)/.exec(out);
          if (listening) resolve(Number(listening[1]));
        });
        child.on("exit", (code) => reject(new Error(`server.mjs exited ${code}: ${out}`)));
      });
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return await res.json();
    } finally {
      child.kill();
      await rm(dist, { recursive: true, force: true });
    }
  }

  it("node server.mjs reports package.json's version, or APP_VERSION", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    assert.deepEqual(await startedHealthz({}), { status: "ok", version: pkg.version });
    assert.deepEqual(await startedHealthz({ APP_VERSION: "3.4.5" }), {
      status: "ok",
      version: "3.4.5",
    });
  });

  it("node server.mjs refuses a malformed APP_VERSION with exit code 2", async () => {
    await assert.rejects(
      startedHealthz({ APP_VERSION: "three" }),
      /exited 2: .*APP_VERSION must be a semantic version like 1.2.0, got \\"three\\"/,
    );
  });
});
