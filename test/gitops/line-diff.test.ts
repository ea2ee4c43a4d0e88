/** The line diff the write-back tests rely on to show that only image lines changed. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { lineDiff } from "./line-diff.js";

test("identical texts differ in nothing", () => {
  assert.deepEqual(lineDiff("a\nb\n", "a\nb\n"), { removed: [], added: [] });
});

test("a replaced line, an inserted line and a removed line, numbered in their own text", () => {
  const d = lineDiff("a\nb\nc\nd\n", "a\nB\nc\nx\n");
  assert.deepEqual(d.removed, [
    { line: 2, text: "b" },
    { line: 4, text: "d" },
  ]);
  assert.deepEqual(d.added, [
    { line: 2, text: "B" },
    { line: 4, text: "x" },
  ]);
  assert.deepEqual(lineDiff("a\nc\n", "a\nb1\nb2\nc\n"), {
    removed: [],
    added: [
      { line: 2, text: "b1" },
      { line: 3, text: "b2" },
    ],
  });
});

test("a changed line ending is a changed line", () => {
  assert.deepEqual(lineDiff("a\r\nb\r\n", "a\r\nb\n"), { removed: [{ line: 2, text: "b\r" }], added: [{ line: 2, text: "b" }] });
});

test("a few changes far apart in a long text", () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
  const changed = [...lines];
  changed[10] = "ten";
  changed[4000] = "four thousand";
  changed.splice(2500, 0, "inserted");
  const d = lineDiff(lines.join("\n"), changed.join("\n"));
  assert.deepEqual(
    d.removed.map((l) => l.line),
    [11, 4001],
  );
  assert.deepEqual(
    d.added.map((l) => l.line),
    [11, 2501, 4002],
  );
});
