import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeOrderTotal, MAX_TOTAL_CENTS, type Product, planOrder } from "../src/orders.js";

const catalogue = new Map<number, Product>([
  [1, { id: 1, sku: "MUG-001", name: "Pipeline Mug", priceCents: 1250, stock: 40 }],
  [2, { id: 2, sku: "TEE-001", name: "Green Build T-Shirt", priceCents: 2499, stock: 2 }],
  [5, { id: 5, sku: "CAP-001", name: "Rollback Cap", priceCents: 1899, stock: 0 }],
]);

describe("computeOrderTotal", () => {
  it("sums quantity × unit price in cents", () => {
    assert.equal(
      computeOrderTotal([
        { quantity: 2, unitPriceCents: 1250 },
        { quantity: 3, unitPriceCents: 399 },
      ]),
      3697,
    );
  });
  it("is zero for no lines and exact for sums that floats get wrong", () => {
    assert.equal(computeOrderTotal([]), 0);
    // 0.1 + 0.2 style trap: 10 + 20 cents must be exactly 30.
    assert.equal(
      computeOrderTotal([
        { quantity: 1, unitPriceCents: 10 },
        { quantity: 1, unitPriceCents: 20 },
      ]),
      30,
    );
  });
  it("rejects non-integer input", () => {
    assert.throws(() => computeOrderTotal([{ quantity: 1.5, unitPriceCents: 100 }]), TypeError);
  });
});

describe("planOrder", () => {
  it("prices the lines and numbers them", () => {
    const plan = planOrder(
      [
        { productId: 2, quantity: 2 },
        { productId: 1, quantity: 1 },
      ],
      catalogue,
    );
    assert.deepEqual(plan, {
      ok: true,
      totalCents: 2 * 2499 + 1250,
      lines: [
        {
          lineNo: 1,
          productId: 2,
          name: "Green Build T-Shirt",
          quantity: 2,
          unitPriceCents: 2499,
          lineTotalCents: 4998,
        },
        {
          lineNo: 2,
          productId: 1,
          name: "Pipeline Mug",
          quantity: 1,
          unitPriceCents: 1250,
          lineTotalCents: 1250,
        },
      ],
    });
  });
  it("rejects unknown products with 404", () => {
    const plan = planOrder([{ productId: 99, quantity: 1 }], catalogue);
    assert.equal(plan.ok, false);
    if (plan.ok) return;
    assert.equal(plan.status, 404);
    assert.equal(plan.error, "unknown_product");
    assert.match(plan.message, /items\[0\]\.productId: product 99 does not exist/);
  });
  it("rejects orders above the stock with 409", () => {
    const plan = planOrder([{ productId: 2, quantity: 3 }], catalogue);
    assert.equal(plan.ok, false);
    if (plan.ok) return;
    assert.equal(plan.status, 409);
    assert.equal(plan.error, "insufficient_stock");
    assert.equal(plan.productId, 2);
    assert.match(plan.message, /only 2 of "Green Build T-Shirt" in stock, 3 requested/);
  });
  it("allows ordering exactly the remaining stock, not a sold-out product", () => {
    assert.equal(planOrder([{ productId: 2, quantity: 2 }], catalogue).ok, true);
    assert.equal(planOrder([{ productId: 5, quantity: 1 }], catalogue).ok, false);
  });
  it("rejects totals the database cannot store", () => {
    const pricey = new Map<number, Product>([
      [1, { id: 1, sku: "X", name: "X", priceCents: MAX_TOTAL_CENTS, stock: 10 }],
    ]);
    const plan = planOrder([{ productId: 1, quantity: 2 }], pricey);
    assert.equal(plan.ok, false);
    if (!plan.ok) assert.equal(plan.status, 422);
  });
});
