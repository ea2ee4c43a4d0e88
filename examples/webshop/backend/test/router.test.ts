import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchRoute, normalizePath } from "../src/router.js";

describe("normalizePath", () => {
  it("drops the query string, fragment and trailing slashes", () => {
    assert.equal(normalizePath("/api/products?page=2"), "/api/products");
    assert.equal(normalizePath("/api/products/"), "/api/products");
    assert.equal(normalizePath("/health#x"), "/health");
    assert.equal(normalizePath("/"), "/");
    assert.equal(normalizePath(undefined), "/");
  });
});

describe("matchRoute", () => {
  it("matches the three endpoints", () => {
    assert.deepEqual(matchRoute("GET", "/health"), { kind: "route", name: "health" });
    assert.deepEqual(matchRoute("GET", "/api/products"), { kind: "route", name: "listProducts" });
    assert.deepEqual(matchRoute("POST", "/api/orders"), { kind: "route", name: "createOrder" });
  });
  it("answers HEAD like GET", () => {
    assert.deepEqual(matchRoute("HEAD", "/health"), { kind: "route", name: "health" });
  });
  it("reports a wrong method with the allowed ones", () => {
    assert.deepEqual(matchRoute("DELETE", "/api/products"), {
      kind: "methodNotAllowed",
      allow: ["GET"],
    });
    assert.deepEqual(matchRoute("GET", "/api/orders"), {
      kind: "methodNotAllowed",
      allow: ["POST"],
    });
  });
  it("reports unknown paths", () => {
    assert.deepEqual(matchRoute("GET", "/api/unknown"), { kind: "notFound" });
    assert.deepEqual(matchRoute("GET", "/api/products/1"), { kind: "notFound" });
    assert.deepEqual(matchRoute("GET", "/healthz"), { kind: "notFound" });
  });
});
