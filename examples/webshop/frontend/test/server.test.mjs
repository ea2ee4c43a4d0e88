// @ts-check
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  createFrontendServer,
  forwardableHeaders,
  isProxied,
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

  it("answers /healthz itself and 502 when the backend is down", async () => {
    const healthz = await fetch(`${base}/healthz`);
    assert.deepEqual(await healthz.json(), { status: "ok" });
    const orphan = createFrontendServer({ distDir: dist, backendUrl: "http://127.0.0.1:9" });
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
