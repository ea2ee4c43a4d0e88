import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_ORDER_ITEMS, MAX_QUANTITY, parseOrderRequest } from "../src/validation.js";

function errorOf(body: unknown): { field: string; message: string } {
  const result = parseOrderRequest(body);
  assert.equal(result.ok, false, "expected a validation error");
  if (result.ok) throw new Error("unreachable");
  return { field: result.field, message: result.message };
}

describe("parseOrderRequest", () => {
  it("accepts a valid order", () => {
    const result = parseOrderRequest({
      items: [
        { productId: 1, quantity: 2 },
        { productId: 3, quantity: 1 },
      ],
    });
    assert.deepEqual(result, {
      ok: true,
      value: [
        { productId: 1, quantity: 2 },
        { productId: 3, quantity: 1 },
      ],
    });
  });

  it("drops unknown properties of items", () => {
    const result = parseOrderRequest({ items: [{ productId: 1, quantity: 1, price: 0 }] });
    assert.deepEqual(result, { ok: true, value: [{ productId: 1, quantity: 1 }] });
  });

  it("names the field that is wrong", () => {
    assert.deepEqual(errorOf(null), { field: "body", message: "body must be a JSON object" });
    assert.deepEqual(errorOf([]), { field: "body", message: "body must be a JSON object" });
    assert.equal(errorOf({}).field, "items");
    assert.equal(errorOf({ items: "1" }).message, "items must be an array");
    assert.equal(errorOf({ items: [] }).message, "items must contain at least one item");
    assert.equal(errorOf({ items: [42] }).message, "items[0] must be an object");
    assert.deepEqual(
      errorOf({
        items: [
          { productId: 1, quantity: 1 },
          { productId: "2", quantity: 1 },
        ],
      }),
      {
        field: "items[1].productId",
        message: "items[1].productId must be a positive integer",
      },
    );
    assert.equal(errorOf({ items: [{ productId: 0, quantity: 1 }] }).field, "items[0].productId");
    assert.equal(errorOf({ items: [{ productId: 1.5, quantity: 1 }] }).field, "items[0].productId");
    assert.deepEqual(errorOf({ items: [{ productId: 1 }] }), {
      field: "items[0].quantity",
      message: `items[0].quantity must be an integer between 1 and ${MAX_QUANTITY}`,
    });
  });

  it("bounds quantities and the number of items", () => {
    assert.equal(errorOf({ items: [{ productId: 1, quantity: 0 }] }).field, "items[0].quantity");
    assert.equal(errorOf({ items: [{ productId: 1, quantity: -3 }] }).field, "items[0].quantity");
    assert.equal(errorOf({ items: [{ productId: 1, quantity: 2.5 }] }).field, "items[0].quantity");
    assert.equal(
      errorOf({ items: [{ productId: 1, quantity: MAX_QUANTITY + 1 }] }).field,
      "items[0].quantity",
    );
    const many = Array.from({ length: MAX_ORDER_ITEMS + 1 }, (_, i) => ({
      productId: i + 1,
      quantity: 1,
    }));
    assert.equal(
      errorOf({ items: many }).message,
      `items must contain at most ${MAX_ORDER_ITEMS} items`,
    );
  });

  it("rejects the same product twice", () => {
    const error = errorOf({
      items: [
        { productId: 7, quantity: 1 },
        { productId: 8, quantity: 1 },
        { productId: 7, quantity: 2 },
      ],
    });
    assert.deepEqual(error, {
      field: "items[2].productId",
      message: "items[2].productId duplicates items[0].productId",
    });
  });
});
