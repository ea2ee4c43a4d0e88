// Released migrations are immutable: edits, removals and renames are caught before a database
// sees them, and each verdict agrees with what real Flyway 11.20.3 did (test/fixtures/flyway).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flywayChecksum } from "../../modules/flyway/src/checksum.js";
import { parseReleasedMigrations, releasedMigrationProblems, releaseRecord } from "../../modules/flyway/src/released.js";
import { filesOf, fixture, history } from "./fixtures.js";

const example = filesOf("examples/webshop/db/migrations");
const released = releaseRecord("4f2c1e9", example);
const [edited] = filesOf("test/fixtures/flyway/migrations/edited");
const replace = (name: string, change: (f: { name: string; content: Uint8Array | string }) => { name: string; content: Uint8Array | string }) => example.map((f) => (f.name === name ? change(f) : f));
const only = (problems: string[]) => {
  assert.equal(problems.length, 1, problems.join("\n"));
  return problems[0];
};

describe("release record of the migrations", () => {
  it("lists every migration with its Flyway version and the checksum Flyway stores", () => {
    assert.deepEqual(
      released.migrations,
      history("webshop").map((row) => ({ script: row.script, version: row.version, checksum: row.checksum })),
    );
    assert.equal(released.release, "4f2c1e9");
  });

  it("records repeatables without a version, takes known checksums, and skips files Flyway does not read", () => {
    const record = releaseRecord("r1", [
      { name: "R__views.sql", content: "CREATE VIEW v AS SELECT 1;\n" },
      { name: "V2.0.1__x.sql", checksum: 42 },
      { name: "README.md", content: "notes" },
      { name: "V1__no_description", content: "" },
    ]);
    assert.deepEqual(record.migrations, [
      { script: "R__views.sql", checksum: flywayChecksum("CREATE VIEW v AS SELECT 1;\n") },
      { script: "V2.0.1__x.sql", version: "2.0.1", checksum: 42 },
    ]);
  });

  it("round-trips through JSON, and a malformed record names itself and the expected shape", () => {
    assert.deepEqual(parseReleasedMigrations(JSON.stringify(released)), released);
    assert.throws(() => parseReleasedMigrations("{", "release 4f2c1e9"), /^Error: release 4f2c1e9: not JSON .*expected \{ "release"/);
    assert.throws(() => parseReleasedMigrations('{"release":"x","migrations":[{"script":"V1__a.sql","checksum":"12"}]}'), /migrations\[0\]\.checksum must be a signed 32-bit integer \(got "12"\)/);
    assert.throws(() => parseReleasedMigrations('{"release":"x","migrations":[{"script":"notes.txt","checksum":1}]}'), /migrations\[0\]\.script must be a Flyway migration file name/);
    assert.throws(() => parseReleasedMigrations('{"migrations":[]}'), /"release" must be a non-empty string/);
    assert.throws(() => releasedMigrationProblems(example, "[]"), /released migrations record: not a JSON object/);
  });
});

describe("released migrations check", () => {
  it("finds nothing when the released migrations are unchanged and new ones were added", () => {
    assert.deepEqual(releasedMigrationProblems(example, released), []);
    assert.deepEqual(releasedMigrationProblems([...example, { name: "V1_2_0__add_payments.sql", content: "CREATE TABLE payments ();\n" }], JSON.stringify(released)), []);
  });

  it("reports an edited migration with the file, version, release and the checksums Flyway compares", () => {
    const problem = only(
      releasedMigrationProblems(
        replace(edited.name, () => edited),
        released,
      ),
    );
    // Flyway's own words for the same edit, from a real validate.
    const flyway = JSON.parse(fixture("validate-checksum-mismatch.json")).invalidMigrations[0].errorDetails.errorMessage as string;
    const [, applied, local] = /Applied to database : (-?\d+)\n-> Resolved locally {4}: (-?\d+)/.exec(flyway) ?? [];
    assert.equal(
      problem,
      `V1_0_1__seed_products.sql: migration 1.0.1, released in 4f2c1e9, was edited since (checksum ${applied} → ${local}); Flyway refuses to migrate databases that ran it (checksum mismatch). Revert the file and put the change in a new migration versioned above 1.1.0.`,
    );
  });

  it("does not count line endings or a BOM as an edit, as Flyway does not", () => {
    const crlf = replace("V1_0_0__create_products.sql", (f) => ({ name: f.name, content: `\uFEFF${Buffer.from(f.content).toString("utf8").replace(/\n/g, "\r\n")}` }));
    assert.deepEqual(releasedMigrationProblems(crlf, released), []);
  });

  it("reports a removed migration", () => {
    const problem = only(
      releasedMigrationProblems(
        example.filter((f) => f.name !== "V1_0_0__create_products.sql"),
        released,
      ),
    );
    assert.match(problem, /^V1_0_0__create_products\.sql: migration 1\.0\.0, released in 4f2c1e9, was removed \(checksum 1913290676 → no file\);.*Restore the file/);
  });

  it("reports a migration renamed to another version", () => {
    const problem = only(
      releasedMigrationProblems(
        replace("V1_0_1__seed_products.sql", (f) => ({ ...f, name: "V1_0_2__seed_products.sql" })),
        released,
      ),
    );
    assert.match(
      problem,
      /^V1_0_2__seed_products\.sql: migration 1\.0\.1, released in 4f2c1e9 as V1_0_1__seed_products\.sql, was renamed to version 1\.0\.2 .*Rename it back to V1_0_1__seed_products\.sql\.$/,
    );
  });

  it("reports a rename that changes the description, as Flyway does (DESCRIPTION_MISMATCH)", () => {
    const flyway = JSON.parse(fixture("validate-renamed-description.json"));
    assert.equal(flyway.validationSuccessful, false);
    assert.equal(flyway.invalidMigrations[0].errorDetails.errorCode, "DESCRIPTION_MISMATCH");
    const problem = only(
      releasedMigrationProblems(
        replace("V1_0_1__seed_products.sql", (f) => ({ ...f, name: "V1_0_1__seed_catalogue.sql" })),
        released,
      ),
    );
    assert.match(problem, /^V1_0_1__seed_catalogue\.sql: .*description "seed products" → "seed catalogue".*Rename it back to V1_0_1__seed_products\.sql\.$/);
  });

  it("reports a rename that also edits, naming both", () => {
    const problem = only(
      releasedMigrationProblems(
        replace("V1_0_1__seed_products.sql", () => ({ name: "V1_0_1__seed_catalogue.sql", content: edited.content })),
        released,
      ),
    );
    assert.match(problem, /was renamed and edited since \(checksum -1546206154 → 355017297\)/);
  });

  it("accepts a rename Flyway accepts: the same version and description (V1_0_1 → V1.0.1)", () => {
    assert.equal(JSON.parse(fixture("validate-renamed-separator.json")).validationSuccessful, true);
    assert.deepEqual(
      releasedMigrationProblems(
        replace("V1_0_1__seed_products.sql", (f) => ({ ...f, name: "V1.0.1__seed_products.sql" })),
        released,
      ),
      [],
    );
  });

  it("lets repeatable migrations change or go, as Flyway reruns them", () => {
    const withViews = [...example, { name: "R__views.sql", content: "CREATE OR REPLACE VIEW v AS SELECT 1;\n" }];
    const record = releaseRecord("r2", withViews);
    const changed = withViews.map((f) => (f.name === "R__views.sql" ? { ...f, content: "CREATE OR REPLACE VIEW v AS SELECT 2;\n" } : f));
    assert.deepEqual(releasedMigrationProblems(changed, record), []);
    assert.deepEqual(releasedMigrationProblems(example, record), []);
  });

  it("reports every problem at once, one line each", () => {
    const files = replace(edited.name, () => edited).filter((f) => f.name !== "V1_1_0__create_orders.sql");
    const problems = releasedMigrationProblems(files, released);
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.ok(problems.every((p) => !p.includes("\n")));
    assert.match(problems.join("\n"), /V1_0_1__seed_products\.sql: .*edited[\s\S]*V1_1_0__create_orders\.sql: .*removed/);
  });
});
