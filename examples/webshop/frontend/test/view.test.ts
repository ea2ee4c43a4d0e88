import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cartLines, cartTotalCents, setQuantity } from "../src/cart.js";
import { escapeHtml } from "../src/html.js";
import type { Product } from "../src/types.js";
import {
  renderCart,
  renderConfirmation,
  renderError,
  renderFooter,
  renderProducts,
} from "../src/view.js";

const mug: Product = { id: 1, sku: "MUG-001", name: "Pipeline Mug", priceCents: 1250, stock: 40 };
const cap: Product = { id: 5, sku: "CAP-001", name: "Rollback Cap", priceCents: 1899, stock: 0 };
const nasty: Product = {
  id: 9,
  sku: "X",
  name: `<img src=x onerror="alert(1)">`,
  priceCents: 1,
  stock: 1,
};

describe("escapeHtml", () => {
  it("escapes the five HTML special characters", () => {
    assert.equal(
      escapeHtml(`<a href="x">Tom & Jerry's</a>`),
      "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;",
    );
  });
});

describe("renderProducts", () => {
  it("shows name, price, stock and an add button per product", () => {
    const html = renderProducts([mug], () => 0);
    assert.match(html, /data-testid="product" data-product-id="1"/);
    assert.match(html, /Pipeline Mug/);
    assert.match(html, /€12\.50/);
    assert.match(html, /data-stock="40">40 in stock</);
    assert.match(
      html,
      /<button type="button" data-action="add" data-product-id="1">Add to cart<\/button>/,
    );
  });
  it("disables sold-out products and products whose whole stock is in the cart", () => {
    assert.match(
      renderProducts([cap], () => 0),
      /data-product-id="5" disabled>Sold out</,
    );
    assert.match(
      renderProducts([mug], () => 40),
      /data-product-id="1" disabled>All in cart</,
    );
  });
  it("escapes product names", () => {
    const html = renderProducts([nasty], () => 0);
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/);
  });
  it("says when there is nothing to sell", () => {
    assert.match(
      renderProducts([], () => 0),
      /No products available/,
    );
  });
});

describe("renderCart", () => {
  it("shows an empty cart without a checkout button", () => {
    const html = renderCart([], 0);
    assert.match(html, /Your cart is empty/);
    assert.doesNotMatch(html, /data-action="checkout"/);
  });
  it("lists lines, the total and a checkout button", () => {
    const lines = cartLines(setQuantity(new Map(), mug, 2), [mug]);
    const html = renderCart(lines, cartTotalCents(lines));
    assert.match(html, /\(2 items\)/);
    assert.match(html, /data-testid="cart-total">€25\.00</);
    assert.match(html, /data-action="checkout">Place order</);
    assert.match(html, /data-action="remove" data-product-id="1"/);
  });
  it("disables checkout while an order is being placed", () => {
    const lines = cartLines(setQuantity(new Map(), mug, 1), [mug]);
    assert.match(renderCart(lines, 1250, true), /data-action="checkout" disabled>Placing order…</);
  });
});

describe("renderConfirmation", () => {
  it("shows the order id and total", () => {
    const html = renderConfirmation({
      orderId: 42,
      totalCents: 4495,
      lines: [
        {
          lineNo: 1,
          productId: 1,
          name: "Pipeline Mug",
          quantity: 2,
          unitPriceCents: 1250,
          lineTotalCents: 2500,
        },
      ],
    });
    assert.match(html, /data-testid="order-id">#42</);
    assert.match(html, /data-testid="order-total">€44\.95</);
    assert.match(html, /2 × Pipeline Mug — €25\.00/);
  });
});

describe("renderFooter", () => {
  it("shows the backend version and the database schema version", () => {
    const html = renderFooter({
      status: "ok",
      version: "1.2.0",
      database: { schemaVersion: "1.1.0" },
    });
    assert.match(html, /data-testid="backend-version">1\.2\.0</);
    assert.match(html, /data-testid="schema-version">1\.1\.0</);
    assert.match(html, /data-testid="backend-status">ok</);
  });
  it("says when the backend is unavailable", () => {
    assert.match(renderFooter(null, "HTTP 503"), /Backend unavailable: HTTP 503/);
  });
});

describe("renderError", () => {
  it("escapes the message", () => {
    assert.equal(
      renderError("a < b"),
      '<p class="error" data-testid="error" role="alert">a &lt; b</p>',
    );
  });
});
