/**
 * Which Playwright runs the E2E tests. The image's browsers must be the ones the project's
 * @playwright/test expects, or every test dies with "Executable doesn't exist": the version is
 * read from the E2E project's lockfile, and a configured image of another version is refused.
 */
import { InputError } from "../errors.js";
import { parseImageReference } from "../vendor/image-reference.js";

/** The Playwright image of a release of @playwright/test (Ubuntu 24.04 "noble" variant). */
export const playwrightImageFor = (version: string) => `mcr.microsoft.com/playwright:v${version}-noble`;

/** The @playwright/test version a package-lock.json (lockfile v1, v2 or v3) installs. */
export function lockedPlaywrightVersion(lockfile: string, file: string): string {
  let lock: { packages?: Record<string, { version?: string }>; dependencies?: Record<string, { version?: string }> };
  try {
    lock = JSON.parse(lockfile);
  } catch (e) {
    throw new InputError(`${file}: is not valid JSON (${(e as Error).message}); commit the lockfile npm wrote`);
  }
  const version = lock.packages?.["node_modules/@playwright/test"]?.version ?? lock.dependencies?.["@playwright/test"]?.version;
  if (!version) throw new InputError(`${file}: installs no @playwright/test; the E2E project needs it as a dependency (npm install -D @playwright/test)`);
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new InputError(`${file}: @playwright/test version ${JSON.stringify(version)} is not a release version`);
  return version;
}

/**
 * The image to run the tests in: the configured one, or the official image of the locked
 * version. A configured image whose tag names another Playwright version is refused; one whose
 * tag names none is checked inside the container (browserCheckScript).
 */
export function playwrightImage(lockedVersion: string, lockfile: string, configured: string | undefined): string {
  if (!configured) return playwrightImageFor(lockedVersion);
  // Playwright's images are tagged v<version>-<ubuntu release>; another tag names no version.
  const tagged = /^v?(\d+\.\d+\.\d+)(?:-[A-Za-z0-9.]+)?$/.exec(parseImageReference(configured)?.tag ?? "")?.[1];
  if (tagged && tagged !== lockedVersion)
    throw new InputError(
      `e2e.image: ${configured} has Playwright ${tagged}, but ${lockfile} installs @playwright/test ${lockedVersion}; its browsers would not start. Use ${playwrightImageFor(lockedVersion)} or update the lockfile`,
    );
  return configured;
}

/**
 * A Node script run in the test container after `npm ci`: it compares the browser revisions
 * the installed playwright-core expects (browsers.json) with the browsers the image carries,
 * and exits 3 with a message naming both when Chromium's is missing.
 */
export const browserCheckScript = `
const fs = require("node:fs");
const path = require("node:path");
const dir = process.env.PLAYWRIGHT_BROWSERS_PATH || "/ms-playwright";
const core = require(path.resolve("node_modules/playwright-core/package.json")).version;
const wanted = require(path.resolve("node_modules/playwright-core/browsers.json")).browsers.filter((b) => b.name === "chromium" || b.name === "chromium-headless-shell");
const present = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
const found = wanted.filter((b) => present.includes(b.name.replace(/-/g, "_") + "-" + b.revision));
if (found.length === 0) {
  console.error("Playwright " + core + " needs " + wanted.map((b) => b.name.replace(/-/g, "_") + "-" + b.revision).join(" or ") + " in " + dir + ", but the image has " + (present.join(", ") || "no browsers") + ": run the tests in mcr.microsoft.com/playwright:v" + core + "-noble, or install the lockfile's version in the image");
  process.exit(3);
}
console.log("browsers: " + found.map((b) => b.name + " " + b.revision).join(", ") + " for Playwright " + core);
`;
