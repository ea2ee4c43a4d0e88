// A list flag's value as the Dagger CLI reads it (pflag's StringSlice: the first record of Go's
// encoding/csv, defaults). The cases are Go's documented rules: quoted fields keep commas, quotes
// (doubled) and line breaks; a bare quote is an error; nothing is trimmed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readListFlag } from "../../scripts/list-flag.js";

describe("a list flag's value, read as one CSV record", () => {
  const cases: [string, string[]][] = [
    ["", []],
    ["a", ["a"]],
    ["a,b", ["a", "b"]],
    [" a , b ", [" a ", " b "]],
    ["a,", ["a", ""]],
    ['"a,b",c', ["a,b", "c"]],
    ['"say ""hi"", world.ts"', ['say "hi", world.ts']],
    ['"web/order form.ts"', ["web/order form.ts"]],
    ['"a\nb",c', ["a\nb", "c"]],
    ['"a\r\nb"', ["a\nb"]],
    ["a\nb,c", ["a"]],
    ["\n\na,b", ["a", "b"]],
  ];
  for (const [value, fields] of cases) it(`${JSON.stringify(value)} holds ${JSON.stringify(fields)}`, () => assert.deepEqual(readListFlag(value), fields));

  it("malformed quoting is refused, as Go's reader refuses it", () => {
    assert.throws(() => readListFlag('a"b'), /bare " in non-quoted field/);
    assert.throws(() => readListFlag('"a"b'), /extraneous or missing " in quoted field/);
    assert.throws(() => readListFlag('"a'), /extraneous or missing " in quoted field/);
    assert.throws(() => readListFlag("\n"), /EOF/);
  });
});
