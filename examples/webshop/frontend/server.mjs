#!/usr/bin/env node
// @ts-check
/**
 * Zero-dependency production server for the webshop frontend:
 *  - serves the static build in dist/ (SPA fallback to index.html),
 *  - proxies /api/* and /health to BACKEND_URL,
 *  - answers /healthz itself (liveness of this process, no backend involved) with its version,
 *    so a deployment can be verified to run the release (APP_VERSION, else package.json).
 * Env: BACKEND_URL (required), PORT (default 8080), HOST (default 0.0.0.0), DIST_DIR, APP_VERSION.
 */
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const CONTENT_TYPES = /** @type {Record<string, string>} */ ({
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
});

/** Headers that describe one connection and must not be forwarded by a proxy (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const PROXY_TIMEOUT_MS = 30_000;

/** Semantic version (MAJOR.MINOR.PATCH with optional pre-release and build metadata), as the backend checks it. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * The frontend's own version, read the way the backend reads its own: APP_VERSION when set (must
 * be a semver), otherwise the "version" of package.json (read only then, so an image that sets
 * APP_VERSION needs no package.json).
 * @param {string | undefined} appVersionEnv
 * @param {() => string} readPackageVersion
 */
export function resolveAppVersion(appVersionEnv, readPackageVersion) {
  const fromEnv = appVersionEnv?.trim();
  if (fromEnv) {
    if (!SEMVER.test(fromEnv)) {
      throw new Error(`APP_VERSION must be a semantic version like 1.2.0, got "${fromEnv}"`);
    }
    return fromEnv;
  }
  const fromPackage = readPackageVersion();
  if (!SEMVER.test(fromPackage)) {
    throw new Error(`package.json "version" must be a semantic version, got "${fromPackage}"`);
  }
  return fromPackage;
}

/** The "version" of the package.json next to this file (the image copies it to /app). */
function readPackageVersion() {
  const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
  return typeof pkg.version === "string" ? pkg.version : "";
}

/** @param {string} pathname */
export function isProxied(pathname) {
  return pathname === "/health" || pathname === "/api" || pathname.startsWith("/api/");
}

/** @param {string | undefined} contentTypeFor */
export function contentType(contentTypeFor) {
  return CONTENT_TYPES[extname(contentTypeFor ?? "").toLowerCase()] ?? "application/octet-stream";
}

/**
 * Maps a request path to a file under root; null if it would escape root or is malformed.
 * @param {string} root absolute directory
 * @param {string} pathname URL path, still percent-encoded
 */
export function resolveStaticPath(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const base = resolve(root);
  const file = resolve(join(base, decoded));
  if (file !== base && !file.startsWith(base + sep)) return null;
  return file;
}

/**
 * @param {import("node:http").IncomingHttpHeaders} headers
 * @returns {Record<string, string | string[]>}
 */
export function forwardableHeaders(headers) {
  const connectionTokens = String(headers.connection ?? "")
    .split(",")
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
  /** @type {Record<string, string | string[]>} */
  const result = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionTokens.includes(lower)) continue;
    result[lower] = value;
  }
  return result;
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function sendJson(res, status, body) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
  });
  res.end(payload);
}

/**
 * @param {{ distDir: string, backendUrl: string, version: string, log?: (message: string, fields?: Record<string, unknown>) => void }} options
 */
export function createFrontendServer({ distDir, backendUrl, version, log = () => {} }) {
  const backend = new URL(backendUrl);
  if (backend.protocol !== "http:" && backend.protocol !== "https:") {
    throw new Error(`BACKEND_URL must be an http(s) URL, got "${backendUrl}"`);
  }
  const root = resolve(distDir);
  const basePath = backend.pathname.replace(/\/+$/, "");

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  function proxy(req, res) {
    const target = new URL(backend.href);
    const incoming = new URL(req.url ?? "/", "http://frontend.invalid");
    target.pathname = `${basePath}${incoming.pathname}`;
    target.search = incoming.search;
    const headers = forwardableHeaders(req.headers);
    headers.host = target.host;
    const forwardedFor = req.headers["x-forwarded-for"];
    const remote = req.socket.remoteAddress ?? "";
    headers["x-forwarded-for"] = forwardedFor ? `${forwardedFor}, ${remote}` : remote;
    headers["x-forwarded-host"] = req.headers.host ?? "";
    headers["x-forwarded-proto"] = "http";

    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const upstream = send(
      target,
      { method: req.method, headers, timeout: PROXY_TIMEOUT_MS },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, forwardableHeaders(upstreamRes.headers));
        upstreamRes.pipe(res);
      },
    );
    upstream.on("timeout", () => {
      upstream.destroy(new Error(`backend did not answer within ${PROXY_TIMEOUT_MS} ms`));
    });
    upstream.on("error", (error) => {
      log("proxy error", { url: req.url, error: error.message });
      if (!res.headersSent) {
        const timedOut = error.message.includes("did not answer");
        sendJson(res, timedOut ? 504 : 502, {
          status: "error",
          error: timedOut ? "gateway_timeout" : "bad_gateway",
          message: `backend unreachable: ${error.message}`,
        });
      } else {
        res.destroy(error);
      }
    });
    req.pipe(upstream);
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   * @param {string} pathname
   */
  async function serveStatic(req, res, pathname) {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("Method Not Allowed\n");
      return;
    }
    const requested = resolveStaticPath(root, pathname);
    if (requested === null) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end("Bad Request\n");
      return;
    }
    let file = requested;
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = join(file, "index.html");
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) {
      // Client-side routes (no file extension) get the app; missing assets get a 404.
      if (extname(pathname) !== "") {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        res.end("Not Found\n");
        return;
      }
      file = join(root, "index.html");
      info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        res.end("Not Found\n");
        return;
      }
    }
    const immutable = pathname.startsWith("/assets/");
    res.writeHead(200, {
      "content-type": contentType(file),
      "content-length": info.size,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(file)
      .on("error", (error) => res.destroy(error))
      .pipe(res);
  }

  return createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://frontend.invalid").pathname;
    if (pathname === "/healthz") {
      sendJson(res, 200, { status: "ok", version });
      return;
    }
    if (isProxied(pathname)) {
      proxy(req, res);
      return;
    }
    serveStatic(req, res, pathname).catch((error) => {
      log("static error", { url: req.url, error: String(error) });
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("Internal Server Error\n");
      } else {
        res.destroy();
      }
    });
  });
}

/** @param {string} message @param {Record<string, unknown>} [fields] */
function log(message, fields = {}) {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), message, ...fields })}\n`,
  );
}

function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const distDir = process.env.DIST_DIR || join(here, "dist");
  const backendUrl = process.env.BACKEND_URL;
  const portText = process.env.PORT || "8080";
  const host = process.env.HOST || "0.0.0.0";
  const port = Number(portText);
  if (!backendUrl) {
    log("BACKEND_URL is required, e.g. http://127.0.0.1:8081");
    process.exit(2);
  }
  if (!/^\d+$/.test(portText) || port > 65535) {
    log(`PORT must be an integer between 0 and 65535, got "${portText}"`);
    process.exit(2);
  }
  if (!existsSync(join(distDir, "index.html"))) {
    log(`${join(distDir, "index.html")} not found: run "npm run build" first`);
    process.exit(2);
  }
  let version;
  try {
    version = resolveAppVersion(process.env.APP_VERSION, readPackageVersion);
  } catch (error) {
    log("invalid configuration", { error: error instanceof Error ? error.message : String(error) });
    process.exit(2);
  }
  const server = createFrontendServer({ distDir, backendUrl, version, log });
  server.on("error", (error) => {
    log("server error", { error: error.message });
    process.exit(1);
  });
  server.listen(port, host, () => {
    const address = server.address();
    log("webshop frontend listening", {
      host,
      port: typeof address === "object" && address ? address.port : port,
      backendUrl,
      version,
    });
  });
  let stopping = false;
  /** @param {NodeJS.Signals} signal */
  const shutdown = (signal) => {
    if (stopping) return;
    stopping = true;
    log("shutting down", { signal });
    setTimeout(() => process.exit(1), 10_000).unref();
    server.close((error) => {
      log("stopped");
      process.exit(error ? 1 : 0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main();
}
