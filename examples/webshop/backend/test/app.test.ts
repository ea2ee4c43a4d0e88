import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { createApp } from "../src/app.js";
import { type Product, planOrder } from "../src/orders.js";
import {
  DatabaseUnavailableError,
  type PlaceOrderResult,
  type Repository,
} from "../src/repository.js";
import type { OrderItem } from "../src/validation.js";

/** In-memory stand-in for PgRepository: the HTTP layer is tested without a database. */
class FakeRepository implements Repository {
  products = new Map<number, Product>();
  down = false;
  nextOrderId = 1;
  placed: OrderItem[][] = [];

  reset(): void {
    this.down = false;
    this.placed = [];
    this.products = new Map([
      [1, { id: 1, sku: "MUG-001", name: "Pipeline Mug", priceCents: 1250, stock: 40 }],
      [2, { id: 2, sku: "TEE-001", name: "Green Build T-Shirt", priceCents: 2499, stock: 1 }],
    ]);
  }
  async schemaVersion(): Promise<string> {
    if (this.down) throw new DatabaseUnavailableError("connect ECONNREFUSED 127.0.0.1:5432");
    return "1.1.0";
  }
  async listProducts(): Promise<Product[]> {
    if (this.down) throw new DatabaseUnavailableError("connect ECONNREFUSED 127.0.0.1:5432");
    return [...this.products.values()];
  }
  async placeOrder(items: readonly OrderItem[]): Promise<PlaceOrderResult> {
    const plan = planOrder(items, this.products);
    if (!plan.ok) return plan;
    this.placed.push([...items]);
    for (const line of plan.lines) {
      const product = this.products.get(line.productId);
      if (product) product.stock -= line.quantity;
    }
    return {
      ok: true,
      orderId: this.nextOrderId++,
      totalCents: plan.totalCents,
      lines: plan.lines,
    };
  }
}

describe("HTTP API", () => {
  const repo = new FakeRepository();
  let server: Server;
  let base: string;

  before(async () => {
    const app = createApp({ repo, version: "1.2.0" });
    server = createServer((req, res) => void app(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => repo.reset());

  const postOrder = (body: unknown, contentType = "application/json") =>
    fetch(`${base}/api/orders`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("GET /health reports the backend version and the schema version", async () => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await res.json(), {
      status: "ok",
      version: "1.2.0",
      database: { schemaVersion: "1.1.0" },
    });
  });

  it("GET /health answers 503 with a clear error when the database is unreachable", async () => {
    repo.down = true;
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 503);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, "error");
    assert.equal(body.version, "1.2.0");
    assert.equal(body.error, "database_unavailable");
    assert.match(String(body.message), /database check failed: connect ECONNREFUSED/);
  });

  it("GET /api/products lists the products", async () => {
    const res = await fetch(`${base}/api/products`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { products: Product[] };
    assert.deepEqual(
      body.products.map((p) => p.sku),
      ["MUG-001", "TEE-001"],
    );
  });

  it("GET /api/products answers 503 when the database is down", async () => {
    repo.down = true;
    const res = await fetch(`${base}/api/products`);
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { error: string }).error, "database_unavailable");
  });

  it("POST /api/orders places an order and returns 201 with id and total", async () => {
    const res = await postOrder({ items: [{ productId: 1, quantity: 2 }] });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { orderId: number; totalCents: number; lines: unknown[] };
    assert.equal(body.orderId, 1);
    assert.equal(body.totalCents, 2500);
    assert.equal(body.lines.length, 1);
    assert.equal(repo.products.get(1)?.stock, 38);
  });

  it("POST /api/orders rejects invalid input with 400 naming the field", async () => {
    const res = await postOrder({ items: [{ productId: 1, quantity: 0 }] });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: "invalid_request",
      field: "items[0].quantity",
      message: "items[0].quantity must be an integer between 1 and 100",
    });
    assert.equal(repo.placed.length, 0);
  });

  it("POST /api/orders rejects malformed JSON and wrong content types", async () => {
    const bad = await postOrder("{not json");
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, "invalid_json");
    const text = await postOrder("items=1", "text/plain");
    assert.equal(text.status, 415);
    await text.body?.cancel();
  });

  it("POST /api/orders answers 409 when stock is insufficient and 404 for unknown products", async () => {
    const conflict = await postOrder({ items: [{ productId: 2, quantity: 2 }] });
    assert.equal(conflict.status, 409);
    assert.equal(((await conflict.json()) as { error: string }).error, "insufficient_stock");
    const missing = await postOrder({ items: [{ productId: 404, quantity: 1 }] });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: string }).error, "unknown_product");
  });

  it("answers 404 for unknown routes and 405 with Allow for wrong methods", async () => {
    const notFound = await fetch(`${base}/nope`);
    assert.equal(notFound.status, 404);
    await notFound.body?.cancel();
    const wrong = await fetch(`${base}/api/orders`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "POST");
    await wrong.body?.cancel();
  });
});
