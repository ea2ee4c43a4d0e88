import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError, apiErrorMessage, createApi } from "../src/api.js";

function fakeFetch(status: number, body: string, seen: { url?: string; init?: RequestInit } = {}) {
  return async (input: string | URL | Request, init?: RequestInit) => {
    seen.url = String(input);
    seen.init = init;
    return new Response(body, { status, headers: { "content-type": "application/json" } });
  };
}

describe("apiErrorMessage", () => {
  it("prefers the backend's message", () => {
    assert.equal(
      apiErrorMessage(400, { message: "items[0].quantity must be …" }),
      "items[0].quantity must be …",
    );
  });
  it("explains gateway errors and falls back to the status", () => {
    assert.match(apiErrorMessage(502, null), /temporarily unavailable/);
    assert.equal(apiErrorMessage(500, "x"), "Request failed (HTTP 500).");
  });
});

describe("createApi", () => {
  it("loads products from /api/products", async () => {
    const seen: { url?: string } = {};
    const api = createApi(fakeFetch(200, JSON.stringify({ products: [{ id: 1 }] }), seen));
    assert.deepEqual(await api.products(), [{ id: 1 }]);
    assert.equal(seen.url, "/api/products");
  });
  it("posts orders as JSON", async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = createApi(
      fakeFetch(201, JSON.stringify({ orderId: 7, totalCents: 1, lines: [] }), seen),
    );
    const order = await api.placeOrder({ items: [{ productId: 1, quantity: 2 }] });
    assert.equal(order.orderId, 7);
    assert.equal(seen.url, "/api/orders");
    assert.equal(seen.init?.method, "POST");
    assert.equal(seen.init?.body, '{"items":[{"productId":1,"quantity":2}]}');
  });
  it("throws ApiError with the backend's message", async () => {
    const api = createApi(
      fakeFetch(409, JSON.stringify({ error: "insufficient_stock", message: "only 0 left" })),
    );
    await assert.rejects(api.placeOrder({ items: [] }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 409);
      assert.equal(error.message, "only 0 left");
      return true;
    });
  });
  it("copes with a non-JSON error body", async () => {
    const api = createApi(fakeFetch(503, "<html>down</html>"));
    await assert.rejects(api.health(), /temporarily unavailable/);
  });
});
