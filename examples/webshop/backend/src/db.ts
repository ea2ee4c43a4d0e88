import pg from "pg";
import { type OrderLine, type Product, planOrder } from "./orders.js";
import { DatabaseUnavailableError, type PlaceOrderResult, type Repository } from "./repository.js";
import type { OrderItem } from "./validation.js";
import { highestSchemaVersion, type SchemaHistoryRow } from "./version.js";

/** SQLSTATE for "relation does not exist". */
const UNDEFINED_TABLE = "42P01";

export function createPool(connectionString: string): pg.Pool {
  return new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 10_000,
    application_name: "webshop-backend",
  });
}

interface ProductRow {
  id: number;
  sku: string;
  name: string;
  price_cents: number;
  stock: number;
}

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    priceCents: row.price_cents,
    stock: row.stock,
  };
}

export class PgRepository implements Repository {
  constructor(private readonly pool: pg.Pool) {}

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new DatabaseUnavailableError(
        `cannot connect to the database: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  async schemaVersion(): Promise<string> {
    const client = await this.connect();
    try {
      const { rows } = await client.query<SchemaHistoryRow>(
        "SELECT version, type, success FROM flyway_schema_history",
      );
      const version = highestSchemaVersion(rows);
      if (version === null) throw new Error("no successful versioned migration has been applied");
      return version;
    } catch (error) {
      if ((error as { code?: string }).code === UNDEFINED_TABLE) {
        throw new Error("database is not migrated: table flyway_schema_history does not exist");
      }
      throw error;
    } finally {
      client.release();
    }
  }

  async listProducts(): Promise<Product[]> {
    const client = await this.connect();
    try {
      const { rows } = await client.query<ProductRow>(
        "SELECT id, sku, name, price_cents, stock FROM products ORDER BY name, id",
      );
      return rows.map(toProduct);
    } finally {
      client.release();
    }
  }

  /**
   * One transaction: lock the ordered products (in id order, so concurrent orders cannot
   * deadlock), check stock, insert the order and its lines, decrement stock.
   */
  async placeOrder(items: readonly OrderItem[]): Promise<PlaceOrderResult> {
    const client = await this.connect();
    let failed = false;
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<ProductRow>(
        "SELECT id, sku, name, price_cents, stock FROM products WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE",
        [items.map((item) => item.productId)],
      );
      const products = new Map(rows.map((row) => [row.id, toProduct(row)]));
      const plan = planOrder(items, products);
      if (!plan.ok) {
        await client.query("ROLLBACK");
        return plan;
      }
      const inserted = await client.query<{ id: string }>(
        "INSERT INTO orders (total_cents) VALUES ($1) RETURNING id",
        [plan.totalCents],
      );
      const orderId = Number(inserted.rows[0]?.id);
      const lines: OrderLine[] = plan.lines;
      await client.query(
        `INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents)
         SELECT $1, line_no, product_id, quantity, unit_price_cents
         FROM unnest($2::int[], $3::int[], $4::int[], $5::int[])
           AS l(line_no, product_id, quantity, unit_price_cents)`,
        [
          orderId,
          lines.map((line) => line.lineNo),
          lines.map((line) => line.productId),
          lines.map((line) => line.quantity),
          lines.map((line) => line.unitPriceCents),
        ],
      );
      await client.query(
        `UPDATE products AS p SET stock = p.stock - o.quantity
         FROM unnest($1::int[], $2::int[]) AS o(product_id, quantity)
         WHERE p.id = o.product_id`,
        [lines.map((line) => line.productId), lines.map((line) => line.quantity)],
      );
      await client.query("COMMIT");
      return { ok: true, orderId, totalCents: plan.totalCents, lines };
    } catch (error) {
      failed = true;
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      // A client whose transaction failed may be in a bad state: do not return it to the pool.
      client.release(failed);
    }
  }
}
