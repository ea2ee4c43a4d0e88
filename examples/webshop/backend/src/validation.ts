export interface OrderItem {
  productId: number;
  quantity: number;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

export const MAX_ORDER_ITEMS = 50;
export const MAX_QUANTITY = 100;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(field: string, message: string): { ok: false; field: string; message: string } {
  return { ok: false, field, message: `${field} ${message}` };
}

/**
 * Validates the body of POST /api/orders: `{ "items": [{ "productId": 1, "quantity": 2 }] }`.
 * Error messages name the offending field (`items[1].quantity`).
 */
export function parseOrderRequest(body: unknown): Validation<OrderItem[]> {
  if (!isPlainObject(body)) return fail("body", "must be a JSON object");
  const { items } = body;
  if (items === undefined) return fail("items", "is required");
  if (!Array.isArray(items)) return fail("items", "must be an array");
  if (items.length === 0) return fail("items", "must contain at least one item");
  if (items.length > MAX_ORDER_ITEMS) {
    return fail("items", `must contain at most ${MAX_ORDER_ITEMS} items`);
  }
  const seen = new Map<number, number>();
  const result: OrderItem[] = [];
  for (const [index, item] of items.entries()) {
    const path = `items[${index}]`;
    if (!isPlainObject(item)) return fail(path, "must be an object");
    const { productId, quantity } = item;
    if (typeof productId !== "number" || !Number.isSafeInteger(productId) || productId < 1) {
      return fail(`${path}.productId`, "must be a positive integer");
    }
    if (
      typeof quantity !== "number" ||
      !Number.isInteger(quantity) ||
      quantity < 1 ||
      quantity > MAX_QUANTITY
    ) {
      return fail(`${path}.quantity`, `must be an integer between 1 and ${MAX_QUANTITY}`);
    }
    const first = seen.get(productId);
    if (first !== undefined) {
      return fail(`${path}.productId`, `duplicates items[${first}].productId`);
    }
    seen.set(productId, index);
    result.push({ productId, quantity });
  }
  return { ok: true, value: result };
}
