import type { OrderLine, OrderRejection, Product } from "./orders.js";
import type { OrderItem } from "./validation.js";

export type PlaceOrderResult =
  | { ok: true; orderId: number; totalCents: number; lines: OrderLine[] }
  | OrderRejection;

/** What the HTTP layer needs from storage; PostgreSQL in production, a fake in unit tests. */
export interface Repository {
  /** Highest applied Flyway migration as MAJOR.MINOR.PATCH. Throws if unreachable/unmigrated. */
  schemaVersion(): Promise<string>;
  listProducts(): Promise<Product[]>;
  placeOrder(items: readonly OrderItem[]): Promise<PlaceOrderResult>;
}

/** Raised when no database connection can be obtained; the API answers 503. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}
