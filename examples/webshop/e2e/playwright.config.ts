import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

/**
 * Where the browser comes from. In the pipeline's E2E stage, the Playwright image carries the
 * browsers of the locked @playwright/test version. On machines that cannot download browsers
 * (`npx playwright install` needs the internet), set CHROMIUM_PATH to a system Chromium, e.g.
 * Debian's /usr/bin/chromium (apt-get install chromium).
 */
const chromiumPath = process.env.CHROMIUM_PATH || undefined;
if (chromiumPath && !existsSync(chromiumPath)) {
  throw new Error(`CHROMIUM_PATH=${chromiumPath} does not exist: install Chromium (apt-get install -y chromium) or unset it to use Playwright's own browsers`);
}

export default defineConfig({
  testDir: "tests",
  outputDir: "test-results",
  // The specs share one database: run them one after another, and never retry (a retried
  // checkout would place a second order and hide a real failure).
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { outputFolder: "playwright-report", open: "never" }]],
  use: {
    baseURL: process.env.BASE_URL || "http://127.0.0.1:8080",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    headless: true,
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          ...(chromiumPath ? { executablePath: chromiumPath } : {}),
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
          ],
        },
      },
    },
  ],
});
