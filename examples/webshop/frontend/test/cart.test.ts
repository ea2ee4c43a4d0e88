import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addToCart,
  cartItemCount,
  cartLines,
  cartTotalCents,
  emptyCart,
  reconcileCart,
  removeFromCart,
  setQuantity,
  toOrderRequest,
} from "../src/cart.js";
import type { Product } from "../src/types.js";

const mug: Product = { id: 1, sku: "MUG-001", name: "Pipeline Mug", priceCents: 1250, stock: 40 };
const tee: Product = {
  id: 2,
  sku: "TEE-001",
  name: "Green Build T-Shirt",
  priceCents: 2499,
  stock: 2,
};
const cap: Product = { id: 5, sku: "CAP-001", name: "Rollback Cap", priceCents: 1899, stock: 0 };
const catalogue = [mug, tee, cap];

describe("cart", () => {
  it("adds products and counts items without mutating the previous cart", () => {
    const one = addToCart(emptyCart, mug);
    const two = addToCart(addToCart(one, mug), tee);
    assert.equal(emptyCart.size, 0);
    assert.equal(one.get(1), 1);
    assert.equal(two.get(1), 2);
    assert.equal(two.get(2), 1);
    assert.equal(cartItemCount(two), 3);
  });

  it("never puts more in the cart than is in stock", () => {
    let cart = emptyCart;
    for (let i = 0; i < 5; i++) cart = addToCart(cart, tee);
    assert.equal(cart.get(2), 2);
    assert.equal(addToCart(emptyCart, cap).size, 0, "sold-out products cannot be added");
    assert.equal(setQuantity(emptyCart, tee, 10).get(2), 2);
  });

  it("removes products and treats quantity 0 as removal", () => {
    const cart = addToCart(addToCart(emptyCart, mug), tee);
    assert.deepEqual([...removeFromCart(cart, 1).keys()], [2]);
    assert.deepEqual([...setQuantity(cart, mug, 0).keys()], [2]);
    assert.equal(removeFromCart(cart, 99), cart);
  });

  it("computes line totals and the cart total in integer cents", () => {
    const cart = setQuantity(setQuantity(emptyCart, mug, 3), tee, 2);
    const lines = cartLines(cart, catalogue);
    assert.deepEqual(
      lines.map((line) => [line.product.id, line.quantity, line.lineTotalCents]),
      [
        [1, 3, 3750],
        [2, 2, 4998],
      ],
    );
    assert.equal(cartTotalCents(lines), 8748);
    assert.equal(cartTotalCents([]), 0);
  });

  it("skips products that are no longer in the catalogue", () => {
    const cart = addToCart(addToCart(emptyCart, mug), tee);
    assert.deepEqual(
      cartLines(cart, [tee]).map((line) => line.product.id),
      [2],
    );
  });

  it("reconciles the cart with refreshed stock", () => {
    const cart = setQuantity(setQuantity(emptyCart, mug, 3), tee, 2);
    const refreshed = [
      { ...mug, stock: 1 },
      { ...tee, stock: 0 },
    ];
    assert.deepEqual([...reconcileCart(cart, refreshed)], [[1, 1]]);
  });

  it("turns the cart into the backend's order request", () => {
    const cart = setQuantity(addToCart(emptyCart, tee), mug, 4);
    assert.deepEqual(toOrderRequest(cart), {
      items: [
        { productId: 2, quantity: 1 },
        { productId: 1, quantity: 4 },
      ],
    });
  });
});
