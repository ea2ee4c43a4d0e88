import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, readJsonBody, sendJson } from "./http.js";
import { errorMessage, type Logger, silentLogger } from "./logger.js";
import { DatabaseUnavailableError, type Repository } from "./repository.js";
import { matchRoute } from "./router.js";
import { parseOrderRequest } from "./validation.js";

export interface AppOptions {
  repo: Repository;
  version: string;
  log?: Logger;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createApp({ repo, version, log = silentLogger }: AppOptions): Handler {
  async function health(res: ServerResponse): Promise<void> {
    try {
      const schemaVersion = await repo.schemaVersion();
      sendJson(res, 200, { status: "ok", version, database: { schemaVersion } });
    } catch (error) {
      const message = errorMessage(error);
      log("warn", "health check failed", { error: message });
      sendJson(res, 503, {
        status: "error",
        version,
        error: "database_unavailable",
        message: `database check failed: ${message}`,
      });
    }
  }

  async function listProducts(res: ServerResponse): Promise<void> {
    const products = await repo.listProducts();
    sendJson(res, 200, { products });
  }

  async function createOrder(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req);
    const parsed = parseOrderRequest(body);
    if (!parsed.ok) {
      sendJson(res, 400, {
        error: "invalid_request",
        field: parsed.field,
        message: parsed.message,
      });
      return;
    }
    const result = await repo.placeOrder(parsed.value);
    if (!result.ok) {
      const { ok: _ok, status, ...payload } = result;
      sendJson(res, status, payload);
      return;
    }
    log("info", "order placed", { orderId: result.orderId, totalCents: result.totalCents });
    sendJson(res, 201, {
      orderId: result.orderId,
      totalCents: result.totalCents,
      lines: result.lines,
    });
  }

  return async (req, res) => {
    const started = Date.now();
    const match = matchRoute(req.method, req.url);
    try {
      if (match.kind === "notFound") {
        sendJson(res, 404, { error: "not_found", message: `no route for ${req.url ?? "/"}` });
      } else if (match.kind === "methodNotAllowed") {
        sendJson(
          res,
          405,
          { error: "method_not_allowed", message: `${req.method} is not allowed here` },
          { allow: match.allow.join(", ") },
        );
      } else if (match.name === "health") {
        await health(res);
      } else if (match.name === "listProducts") {
        await listProducts(res);
      } else {
        await createOrder(req, res);
      }
    } catch (error) {
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: error.code, message: error.message });
      } else {
        log("error", "request failed", {
          method: req.method,
          url: req.url,
          error: errorMessage(error),
        });
        if (res.headersSent) {
          res.destroy();
        } else if (error instanceof DatabaseUnavailableError) {
          sendJson(res, 503, {
            error: "database_unavailable",
            message: "the database is unavailable, please retry later",
          });
        } else {
          sendJson(res, 500, { error: "internal_error", message: "internal server error" });
        }
      }
    } finally {
      if (match.kind !== "route" || match.name !== "health") {
        log("info", "request", {
          method: req.method,
          url: req.url,
          status: res.statusCode,
          ms: Date.now() - started,
        });
      }
    }
  };
}
