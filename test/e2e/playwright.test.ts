// Which Playwright runs the E2E tests, and the two scripts that run before them in the test
// container, executed here with real Node against a real HTTP server and playwright-core's real
// browsers.json (test/fixtures/playwright).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { browserCheckScript, lockedPlaywrightVersion, playwrightImage } from "../../.dagger/src/e2e/playwright.js";
import { E2E_EXIT, readinessScript } from "../../.dagger/src/e2e/scripts.js";
import { InputError } from "../../.dagger/src/errors.js";
import { ROOT } from "../tiers/modules.js";

const LOCK = readFileSync(join(ROOT, "examples/webshop/e2e/package-lock.json"), "utf8");

describe("Playwright version and image", () => {
  it("reads @playwright/test from the example's lockfile (v3) and from a v1 lockfile", () => {
    assert.equal(lockedPlaywrightVersion(LOCK, "e2e/package-lock.json"), "1.65.1");
    assert.equal(lockedPlaywrightVersion(JSON.stringify({ lockfileVersion: 1, dependencies: { "@playwright/test": { version: "1.44.0" } } }), "x"), "1.44.0");
  });

  it("refuses a lockfile without @playwright/test, or that is not JSON", () => {
    assert.throws(
      () => lockedPlaywrightVersion(JSON.stringify({ packages: {} }), "e2e/package-lock.json"),
      (e: Error) => e instanceof InputError && /e2e\/package-lock.json: installs no @playwright\/test/.test(e.message),
    );
    assert.throws(() => lockedPlaywrightVersion("{", "e2e/package-lock.json"), /e2e\/package-lock.json: is not valid JSON/);
  });

  it("uses the official image of the locked version, and refuses a configured image of another version", () => {
    assert.equal(playwrightImage("1.65.1", "e2e/package-lock.json", undefined), "mcr.microsoft.com/playwright:v1.65.1-noble");
    assert.equal(playwrightImage("1.65.1", "l", "mcr.microsoft.com/playwright:v1.65.1-jammy"), "mcr.microsoft.com/playwright:v1.65.1-jammy");
    assert.equal(playwrightImage("1.65.1", "l", "registry.local/qa/browsers:2026-11"), "registry.local/qa/browsers:2026-11", "no version in the tag: checked in the container");
    assert.throws(
      () => playwrightImage("1.65.1", "e2e/package-lock.json", "mcr.microsoft.com/playwright:v1.64.0-noble"),
      (e: Error) =>
        e instanceof InputError &&
        e.message.includes("has Playwright 1.64.0, but e2e/package-lock.json installs @playwright/test 1.65.1") &&
        e.message.includes("Use mcr.microsoft.com/playwright:v1.65.1-noble"),
    );
  });
});

describe("scripts of the test container (real Node)", () => {
  const work = mkdtempSync(join(tmpdir(), "pac-e2e-scripts-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  function project(browsers: string[]): { cwd: string; browsersDir: string } {
    const cwd = mkdtempSync(join(work, "project-"));
    const core = join(cwd, "node_modules/playwright-core");
    mkdirSync(core, { recursive: true });
    writeFileSync(join(core, "package.json"), JSON.stringify({ name: "playwright-core", version: "1.65.1" }));
    copyFileSync(join(ROOT, "test/fixtures/playwright/browsers-1.65.1.json"), join(core, "browsers.json"));
    const browsersDir = join(cwd, "ms-playwright");
    for (const b of browsers) mkdirSync(join(browsersDir, b), { recursive: true });
    return { cwd, browsersDir };
  }
  const runScript = (script: string, cwd: string, env: Record<string, string>) =>
    spawnSync(process.execPath, ["-e", script], { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 30_000 });

  it("browser check passes when the image has the revision playwright-core expects", () => {
    const { cwd, browsersDir } = project(["chromium_headless_shell-1255", "ffmpeg-1013"]);
    const r = runScript(browserCheckScript, cwd, { PLAYWRIGHT_BROWSERS_PATH: browsersDir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /browsers: chromium-headless-shell 1255 for Playwright 1\.65\.1/);
  });

  it("browser check fails with exit 3, naming both sides, when the image has another Playwright's browsers", () => {
    const { cwd, browsersDir } = project(["chromium-1200", "chromium_headless_shell-1200"]);
    const r = runScript(browserCheckScript, cwd, { PLAYWRIGHT_BROWSERS_PATH: browsersDir });
    assert.equal(r.status, E2E_EXIT.browsersMismatch);
    assert.match(
      r.stderr,
      /Playwright 1\.65\.1 needs chromium-1255 or chromium_headless_shell-1255 in .*, but the image has chromium-1200, chromium_headless_shell-1200: run the tests in mcr\.microsoft\.com\/playwright:v1\.65\.1-noble/,
    );
  });

  it("readiness polls until the health check answers 2xx", async () => {
    let calls = 0;
    const server = createServer((_, res) => {
      calls++;
      res.writeHead(calls < 3 ? 503 : 200).end(calls < 3 ? "starting" : "ok");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    const r = await new Promise<{ status: number | null; stdout: string }>((done) => {
      const child = spawn(process.execPath, ["-e", readinessScript], { env: { ...process.env, PIPELINE_READY_URL: url, PIPELINE_READY_SECONDS: "20" } });
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d));
      child.on("exit", (status: number | null) => done({ status, stdout }));
    });
    server.close();
    assert.equal(r.status, 0);
    assert.equal(calls, 3);
    assert.match(r.stdout, /ready: .* answered 200/);
  });

  it("readiness gives up after its deadline with exit 4 and the last answer", async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((done) => probe.close(done));
    const r = runScript(readinessScript, work, { PIPELINE_READY_URL: `http://127.0.0.1:${port}/healthz`, PIPELINE_READY_SECONDS: "1" });
    assert.equal(r.status, E2E_EXIT.notReady);
    assert.match(r.stderr, new RegExp(`not ready: http://127\\.0\\.0\\.1:${port}/healthz did not answer 2xx within 1 s \\(last: ECONNREFUSED\\)`));
  });
});
