import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatPrice, formatStock, pluralize } from "../src/format.js";

describe("formatPrice", () => {
  it("formats integer cents as euros with two decimals", () => {
    assert.equal(formatPrice(1250), "€12.50");
    assert.equal(formatPrice(399), "€3.99");
    assert.equal(formatPrice(5), "€0.05");
    assert.equal(formatPrice(0), "€0.00");
  });
  it("groups thousands and keeps the sign", () => {
    assert.equal(formatPrice(123456789), "€1,234,567.89");
    assert.equal(formatPrice(100000), "€1,000.00");
    assert.equal(formatPrice(-1250), "-€12.50");
  });
  it("rejects fractional cents", () => {
    assert.throws(() => formatPrice(12.5), TypeError);
  });
});

describe("formatStock", () => {
  it("says sold out at zero", () => {
    assert.equal(formatStock(0), "Sold out");
    assert.equal(formatStock(3), "3 in stock");
  });
});

describe("pluralize", () => {
  it("uses the singular only for one", () => {
    assert.equal(pluralize(1, "item"), "1 item");
    assert.equal(pluralize(0, "item"), "0 items");
    assert.equal(pluralize(2, "box", "boxes"), "2 boxes");
  });
});
