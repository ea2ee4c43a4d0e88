import type { OrderItem } from "./validation.js";

export interface Product {
  id: number;
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
}

export interface OrderLine {
  lineNo: number;
  productId: number;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

/** Largest total the orders.total_cents column (PostgreSQL integer) can hold. */
export const MAX_TOTAL_CENTS = 2_147_483_647;

export type OrderRejection = {
  ok: false;
  status: 404 | 409 | 422;
  error: "unknown_product" | "insufficient_stock" | "total_too_large";
  message: string;
  productId?: number;
};

export type OrderPlan = { ok: true; lines: OrderLine[]; totalCents: number } | OrderRejection;

/** Sum of quantity × unit price, in integer cents. */
export function computeOrderTotal(
  lines: readonly { quantity: number; unitPriceCents: number }[],
): number {
  let total = 0;
  for (const line of lines) {
    if (!Number.isInteger(line.quantity) || !Number.isInteger(line.unitPriceCents)) {
      throw new TypeError("quantity and unitPriceCents must be integers");
    }
    total += line.quantity * line.unitPriceCents;
  }
  if (!Number.isSafeInteger(total)) throw new RangeError("order total is out of range");
  return total;
}

/**
 * Checks a validated order against the current products (as locked in the transaction)
 * and prices it. Pure: the caller writes the plan to the database.
 */
export function planOrder(
  items: readonly OrderItem[],
  products: ReadonlyMap<number, Product>,
): OrderPlan {
  const lines: OrderLine[] = [];
  for (const [index, item] of items.entries()) {
    const product = products.get(item.productId);
    if (!product) {
      return {
        ok: false,
        status: 404,
        error: "unknown_product",
        message: `items[${index}].productId: product ${item.productId} does not exist`,
        productId: item.productId,
      };
    }
    if (product.stock < item.quantity) {
      return {
        ok: false,
        status: 409,
        error: "insufficient_stock",
        message: `items[${index}].quantity: only ${product.stock} of "${product.name}" in stock, ${item.quantity} requested`,
        productId: item.productId,
      };
    }
    lines.push({
      lineNo: index + 1,
      productId: product.id,
      name: product.name,
      quantity: item.quantity,
      unitPriceCents: product.priceCents,
      lineTotalCents: item.quantity * product.priceCents,
    });
  }
  const totalCents = computeOrderTotal(lines);
  if (totalCents > MAX_TOTAL_CENTS) {
    return {
      ok: false,
      status: 422,
      error: "total_too_large",
      message: "order total exceeds the maximum order value",
    };
  }
  return { ok: true, lines, totalCents };
}
