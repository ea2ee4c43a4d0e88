import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createApp } from "./app.js";
import { loadConfig } from "./config.js";
import { createPool, PgRepository } from "./db.js";
import { errorMessage, jsonLogger as log } from "./logger.js";

const SHUTDOWN_TIMEOUT_MS = 10_000;

function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: unknown;
  };
  return typeof pkg.version === "string" ? pkg.version : "";
}

function main(): void {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, readPackageVersion);
  } catch (error) {
    log("error", "invalid configuration", { error: errorMessage(error) });
    process.exit(2);
  }

  const pool = createPool(config.databaseUrl);
  // Without a listener, an idle client losing its connection would crash the process.
  pool.on("error", (error) =>
    log("warn", "idle database connection lost", { error: error.message }),
  );

  const app = createApp({ repo: new PgRepository(pool), version: config.appVersion, log });
  const server = createServer((req, res) => {
    void app(req, res);
  });
  server.keepAliveTimeout = 5_000;

  server.on("error", (error) => {
    log("error", "server error", { error: errorMessage(error) });
    process.exit(1);
  });

  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    log("info", "webshop backend listening", {
      host: config.host,
      port,
      version: config.appVersion,
    });
  });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log("info", "shutting down", { signal });
    const force = setTimeout(() => {
      log("error", "shutdown timed out, exiting", { timeoutMs: SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    server.close((error) => {
      pool
        .end()
        .catch((poolError: unknown) =>
          log("warn", "closing the database pool failed", { error: errorMessage(poolError) }),
        )
        .finally(() => {
          log("info", "stopped");
          process.exit(error ? 1 : 0);
        });
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main();
