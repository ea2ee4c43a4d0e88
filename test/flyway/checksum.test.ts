// Flyway's checksum, computed without Flyway, against what real Flyway 11.20.3 stored in
// flyway_schema_history and what its own ChecksumCalculator returned (test/fixtures/flyway).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flywayChecksum } from "../../modules/flyway/src/checksum.js";
import { FIXTURES, filesOf, fixture, history } from "./fixtures.js";

/** Every file of DIR has the checksum Flyway stored for it in SCENARIO's database. */
function assertStored(dir: string, scenario: string, expectedFiles: number) {
  const rows = history(scenario);
  const files = filesOf(dir);
  assert.equal(files.length, expectedFiles, `${dir}: expected ${expectedFiles} migrations`);
  for (const { name, content } of files) {
    const row = rows.find((r) => r.script === name);
    assert.ok(row, `${name}: not in history-${scenario}.json; re-record with scripts/integration/record-flyway-fixtures.sh`);
    assert.equal(flywayChecksum(content, name), row.checksum, `${name}: checksum differs from what Flyway stored (if the file changed on purpose, re-record the fixtures)`);
  }
}

describe("Flyway checksum", () => {
  it("equals what Flyway stored for the example's three migrations", () => assertStored("examples/webshop/db/migrations", "webshop", 3));

  it("equals what Flyway stored for files with a BOM, CRLF, lone CR, mixed endings, no final newline, UTF-8, and a repeatable", () => assertStored("test/fixtures/flyway/migrations/edge", "edge", 5));

  it("equals what Flyway stored for a migration it recorded as failed", () => {
    const row = history("failed").find((r) => r.script === "V1_2_0__index_order_dates.sql");
    assert.equal(row?.success, false);
    assertStored("test/fixtures/flyway/migrations/failed", "failed", 1);
  });

  it("of an edited migration equals Flyway's 'Resolved locally' in its checksum mismatch", () => {
    const [edited] = filesOf("test/fixtures/flyway/migrations/edited");
    const message = JSON.parse(fixture("validate-checksum-mismatch.json")).invalidMigrations[0].errorDetails.errorMessage as string;
    const applied = Number(/Applied to database : (-?\d+)/.exec(message)?.[1]);
    const local = Number(/Resolved locally {4}: (-?\d+)/.exec(message)?.[1]);
    assert.equal(flywayChecksum(edited.content), local);
    assert.equal(applied, history("webshop").find((r) => r.script === edited.name)?.checksum);
    assert.notEqual(local, applied);
  });

  it("equals Flyway's ChecksumCalculator on texts a database run cannot cover", () => {
    const { cases } = JSON.parse(fixture("checksum-cases.json")) as { cases: { name: string; text: string; checksum: number }[] };
    assert.ok(cases.length >= 15, `${FIXTURES}/checksum-cases.json has only ${cases.length} cases`);
    for (const c of cases) {
      assert.equal(flywayChecksum(c.text), c.checksum, `case "${c.name}"`);
      // The same text as file bytes (a lone surrogate cannot be in a UTF-8 file).
      if (!c.name.includes("surrogate")) assert.equal(flywayChecksum(Buffer.from(c.text, "utf8")), c.checksum, `case "${c.name}" as bytes`);
    }
  });

  it("ignores line endings, a final newline, blank lines and one leading BOM, and nothing else", () => {
    const lf = flywayChecksum("SELECT 1;\nSELECT 2;\n");
    for (const same of ["SELECT 1;\r\nSELECT 2;\r\n", "SELECT 1;\rSELECT 2;", "\uFEFFSELECT 1;\n\n\nSELECT 2;", "SELECT 1;SELECT 2;"]) assert.equal(flywayChecksum(same), lf, JSON.stringify(same));
    for (const other of ["SELECT 1; \nSELECT 2;\n", "\uFEFF\uFEFFSELECT 1;\nSELECT 2;\n", "SELECT 1;\nselect 2;\n", "SELECT 1;\u2028SELECT 2;"])
      assert.notEqual(flywayChecksum(other), lf, JSON.stringify(other));
  });

  it("reads bytes as UTF-8 the way strings are read, BOM included", () => {
    const text = "\uFEFF-- café €\r\nSELECT 1;\r\n";
    assert.equal(flywayChecksum(Buffer.from(text, "utf8")), flywayChecksum(text));
    assert.equal(flywayChecksum(Buffer.from(text, "utf8")), flywayChecksum("-- café €\nSELECT 1;"));
  });

  it("is a signed 32-bit integer, as Flyway stores it", () => {
    const sums = filesOf("examples/webshop/db/migrations").map((f) => flywayChecksum(f.content));
    assert.ok(
      sums.some((s) => s < 0),
      "Java's (int) cast makes CRCs above 2^31 negative",
    );
    for (const s of sums) assert.ok(Number.isInteger(s) && s >= -(2 ** 31) && s < 2 ** 31);
  });

  it("refuses bytes that are not UTF-8, naming the file, as Flyway refuses them", () => {
    assert.throws(() => flywayChecksum(Uint8Array.from([0x53, 0xe9, 0x0a]), "V1_0_0__latin1.sql"), /V1_0_0__latin1\.sql: not valid UTF-8/);
  });
});
