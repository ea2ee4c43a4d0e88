import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_HOST, DEFAULT_PORT, loadConfig, parsePort } from "../src/config.js";

const pkg = () => "1.2.0";
const url = "postgresql://webshop:secret@127.0.0.1:5432/webshop";

describe("loadConfig", () => {
  it("uses defaults for PORT, HOST and the version", () => {
    assert.deepEqual(loadConfig({ DATABASE_URL: url }, pkg), {
      port: DEFAULT_PORT,
      host: DEFAULT_HOST,
      databaseUrl: url,
      appVersion: "1.2.0",
    });
    assert.equal(DEFAULT_PORT, 8080);
  });
  it("reads PORT, HOST and APP_VERSION", () => {
    const config = loadConfig(
      { DATABASE_URL: url, PORT: "9090", HOST: "127.0.0.1", APP_VERSION: "1.3.0-rc.2" },
      pkg,
    );
    assert.equal(config.port, 9090);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.appVersion, "1.3.0-rc.2");
  });
  it("requires a PostgreSQL DATABASE_URL", () => {
    assert.throws(() => loadConfig({}, pkg), /DATABASE_URL is required/);
    assert.throws(() => loadConfig({ DATABASE_URL: "mysql://x" }, pkg), /postgresql:\/\//);
  });
});

describe("parsePort", () => {
  it("falls back when unset", () => {
    assert.equal(parsePort(undefined, 8080), 8080);
    assert.equal(parsePort("", 8080), 8080);
  });
  it("rejects invalid ports", () => {
    for (const bad of ["-1", "65536", "80a", "1.5", "http"]) {
      assert.throws(() => parsePort(bad, 8080), /PORT must be an integer/, bad);
    }
  });
});
