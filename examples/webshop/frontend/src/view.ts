import type { CartLine } from "./cart.js";
import { formatPrice, formatStock, pluralize } from "./format.js";
import { escapeHtml as e } from "./html.js";
import type { Health, OrderConfirmation, Product } from "./types.js";

/** DOM-free views: each returns an HTML string, so they are unit-tested under Node. */

export function renderProducts(
  products: readonly Product[],
  inCart: (id: number) => number,
): string {
  if (products.length === 0) return `<p class="empty">No products available.</p>`;
  const items = products.map((product) => {
    const left = product.stock - inCart(product.id);
    const soldOut = product.stock <= 0;
    const disabled = left <= 0 ? " disabled" : "";
    const label = soldOut ? "Sold out" : left <= 0 ? "All in cart" : "Add to cart";
    return `<li class="product${soldOut ? " sold-out" : ""}" data-testid="product" data-product-id="${product.id}">
  <h3 class="product-name" data-testid="product-name">${e(product.name)}</h3>
  <p class="price" data-testid="product-price">${formatPrice(product.priceCents)}</p>
  <p class="stock" data-testid="product-stock" data-stock="${product.stock}">${formatStock(product.stock)}</p>
  <button type="button" data-action="add" data-product-id="${product.id}"${disabled}>${label}</button>
</li>`;
  });
  return `<ul class="products">${items.join("\n")}</ul>`;
}

export function renderCart(lines: readonly CartLine[], totalCents: number, busy = false): string {
  if (lines.length === 0) {
    return `<h2>Cart</h2><p class="empty" data-testid="cart-empty">Your cart is empty.</p>`;
  }
  const count = lines.reduce((sum, line) => sum + line.quantity, 0);
  const rows = lines.map(
    (line) => `<tr data-testid="cart-line" data-product-id="${line.product.id}">
  <td>${e(line.product.name)}</td>
  <td class="qty">${line.quantity}</td>
  <td class="amount">${formatPrice(line.lineTotalCents)}</td>
  <td><button type="button" class="link" data-action="remove" data-product-id="${line.product.id}" aria-label="Remove ${e(line.product.name)}">Remove</button></td>
</tr>`,
  );
  return `<h2>Cart <small>(${pluralize(count, "item")})</small></h2>
<table class="cart-lines"><tbody>${rows.join("\n")}</tbody></table>
<p class="total">Total: <strong data-testid="cart-total">${formatPrice(totalCents)}</strong></p>
<button type="button" class="primary" data-action="checkout"${busy ? " disabled" : ""}>${busy ? "Placing order…" : "Place order"}</button>`;
}

export function renderConfirmation(order: OrderConfirmation): string {
  const lines = order.lines.map(
    (line) => `<li>${line.quantity} × ${e(line.name)} — ${formatPrice(line.lineTotalCents)}</li>`,
  );
  return `<section class="confirmation" data-testid="confirmation" role="status">
  <h2>Thank you!</h2>
  <p>Order <strong data-testid="order-id">#${order.orderId}</strong> has been placed.
  Total: <strong data-testid="order-total">${formatPrice(order.totalCents)}</strong></p>
  <ul>${lines.join("")}</ul>
</section>`;
}

export function renderError(message: string): string {
  return `<p class="error" data-testid="error" role="alert">${e(message)}</p>`;
}

/** Footer: backend version and database schema version from GET /health. */
export function renderFooter(health: Health | null, error?: string): string {
  if (!health) {
    return `<span data-testid="backend-status">Backend unavailable${error ? `: ${e(error)}` : ""}</span>`;
  }
  const schema = health.database?.schemaVersion ?? "unknown";
  return `<span>Backend <span data-testid="backend-version">${e(health.version)}</span></span>
<span aria-hidden="true"> · </span>
<span>Database schema <span data-testid="schema-version">${e(schema)}</span></span>
<span aria-hidden="true"> · </span>
<span>Status <span data-testid="backend-status">${e(health.status)}</span></span>`;
}
