import { readFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";

/** The backend version the footer must show: EXPECTED_BACKEND_VERSION or backend/package.json. */
const expectedBackendVersion =
  process.env.EXPECTED_BACKEND_VERSION ||
  (JSON.parse(readFileSync(new URL("../../backend/package.json", import.meta.url), "utf8")) as { version: string })
    .version;
/** The highest migration in db/migrations. */
const expectedSchemaVersion = process.env.EXPECTED_SCHEMA_VERSION || "1.1.0";

/** Products inserted by db/migrations/V1_0_1__seed_products.sql. */
const SEEDED = [
  { name: "Pipeline Mug", price: "€12.50" },
  { name: "Green Build T-Shirt", price: "€24.99" },
  { name: "Sticker Pack", price: "€3.99" },
  { name: "Release Hoodie", price: "€59.00" },
  { name: "Rollback Cap", price: "€18.99" },
];

function productCard(page: Page, name: string) {
  return page.getByTestId("product").filter({ has: page.getByTestId("product-name").getByText(name, { exact: true }) });
}

async function stockOf(page: Page, name: string): Promise<number> {
  const stock = productCard(page, name).getByTestId("product-stock");
  await expect(stock).toBeVisible();
  return Number(await stock.getAttribute("data-stock"));
}

// Tagged @smoke: read-only, so verification runs it against every environment, production included.
test("lists the products seeded by the database migrations", { tag: "@smoke" }, async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("product")).toHaveCount(SEEDED.length);
  for (const product of SEEDED) {
    const card = productCard(page, product.name);
    await expect(card).toBeVisible();
    await expect(card.getByTestId("product-price")).toHaveText(product.price);
  }
  // Seeded with stock 0: shown as sold out and cannot be added to the cart.
  const cap = productCard(page, "Rollback Cap");
  await expect(cap.getByTestId("product-stock")).toHaveText("Sold out");
  await expect(cap.getByRole("button")).toBeDisabled();
});

test("footer shows the backend version and the database schema version", { tag: "@smoke" }, async ({ page }) => {
  await page.goto("/");
  const footer = page.getByTestId("footer");
  await expect(footer.getByTestId("backend-version")).toHaveText(expectedBackendVersion);
  await expect(footer.getByTestId("schema-version")).toHaveText(expectedSchemaVersion);
  await expect(footer.getByTestId("backend-status")).toHaveText("ok");

  // The footer shows what the backend reports through the frontend's proxy.
  const health = await page.request.get("/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({
    status: "ok",
    version: expectedBackendVersion,
    database: { schemaVersion: expectedSchemaVersion },
  });
});

// Not @smoke: it writes an order (and takes stock) in the database it runs against.
test("placing an order shows a confirmation and the stock decreases in the database", async ({ page }) => {
  await page.goto("/");
  const before = await stockOf(page, "Pipeline Mug");
  expect(before).toBeGreaterThanOrEqual(2);

  const mug = productCard(page, "Pipeline Mug");
  await mug.getByRole("button", { name: "Add to cart" }).click();
  await mug.getByRole("button", { name: "Add to cart" }).click();
  const cart = page.getByRole("complementary", { name: "Shopping cart" });
  await expect(cart.getByTestId("cart-line")).toHaveCount(1);
  await expect(cart.getByTestId("cart-total")).toHaveText("€25.00");

  const placed = page.waitForResponse((res) => res.url().endsWith("/api/orders") && res.request().method() === "POST");
  await cart.getByRole("button", { name: "Place order" }).click();
  expect((await placed).status()).toBe(201);

  const confirmation = page.getByTestId("confirmation");
  await expect(confirmation).toBeVisible();
  await expect(confirmation.getByTestId("order-id")).toHaveText(/^#\d+$/);
  await expect(confirmation.getByTestId("order-total")).toHaveText("€25.00");
  await expect(cart.getByTestId("cart-empty")).toBeVisible();

  // A fresh page load reads the stock from PostgreSQL again: the write was committed.
  await page.reload();
  await expect(productCard(page, "Pipeline Mug").getByTestId("product-stock")).toHaveAttribute(
    "data-stock",
    String(before - 2),
  );
});

test("the API rejects an invalid order with a message naming the field", async ({ request }) => {
  const res = await request.post("/api/orders", { data: { items: [{ productId: 1, quantity: 0 }] } });
  expect(res.status()).toBe(400);
  expect(await res.json()).toMatchObject({ error: "invalid_request", field: "items[0].quantity" });
});
