import type { OrderRequest, Product } from "./types.js";

/** The cart: product id → quantity, in the order products were added. Immutable. */
export type Cart = ReadonlyMap<number, number>;

export interface CartLine {
  product: Product;
  quantity: number;
  lineTotalCents: number;
}

export const emptyCart: Cart = new Map();

export function quantityInCart(cart: Cart, productId: number): number {
  return cart.get(productId) ?? 0;
}

/** Adds one (or `amount`) of a product, never more than is in stock. */
export function addToCart(cart: Cart, product: Product, amount = 1): Cart {
  const current = quantityInCart(cart, product.id);
  const next = Math.min(current + amount, product.stock);
  if (next <= current) return cart;
  const updated = new Map(cart);
  updated.set(product.id, next);
  return updated;
}

export function removeFromCart(cart: Cart, productId: number): Cart {
  if (!cart.has(productId)) return cart;
  const updated = new Map(cart);
  updated.delete(productId);
  return updated;
}

/** Sets a quantity (clamped to stock); zero or less removes the product. */
export function setQuantity(cart: Cart, product: Product, quantity: number): Cart {
  if (!Number.isFinite(quantity) || quantity <= 0) return removeFromCart(cart, product.id);
  const updated = new Map(cart);
  updated.set(product.id, Math.min(Math.floor(quantity), product.stock));
  return updated;
}

/** Cart lines for known products; products that vanished from the catalogue are skipped. */
export function cartLines(cart: Cart, products: readonly Product[]): CartLine[] {
  const byId = new Map(products.map((product) => [product.id, product]));
  const lines: CartLine[] = [];
  for (const [productId, quantity] of cart) {
    const product = byId.get(productId);
    if (product && quantity > 0) {
      lines.push({ product, quantity, lineTotalCents: quantity * product.priceCents });
    }
  }
  return lines;
}

export function cartTotalCents(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.lineTotalCents, 0);
}

export function cartItemCount(cart: Cart): number {
  let count = 0;
  for (const quantity of cart.values()) count += quantity;
  return count;
}

/** Drops quantities that exceed the (refreshed) stock, e.g. after someone else bought. */
export function reconcileCart(cart: Cart, products: readonly Product[]): Cart {
  const byId = new Map(products.map((product) => [product.id, product]));
  const updated = new Map<number, number>();
  for (const [productId, quantity] of cart) {
    const stock = byId.get(productId)?.stock ?? 0;
    const kept = Math.min(quantity, stock);
    if (kept > 0) updated.set(productId, kept);
  }
  return updated;
}

export function toOrderRequest(cart: Cart): OrderRequest {
  return {
    items: [...cart].map(([productId, quantity]) => ({ productId, quantity })),
  };
}
