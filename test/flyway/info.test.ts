// Flyway's -outputType=json read into types and verdicts: every output real Flyway 11.20.3 printed
// against PostgreSQL 15 (test/fixtures/flyway) and the samples of Flyway's documentation.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { flywayOutcome, parseFlywayError, parseInfo, parseMigrate, parseValidate } from "../../modules/flyway/src/info.js";
import { ROOT } from "../tiers/modules.js";
import { FIXTURES, fixture, manifest, run } from "./fixtures.js";

const WEBSHOP = ["V1_0_0__create_products.sql", "V1_0_1__seed_products.sql", "V1_1_0__create_orders.sql"];
const FAILED_SCENARIO = [...WEBSHOP, "V1_2_0__index_order_dates.sql"];

// The verdict each recorded run must get: succeeded, schema version, and what the message must say.
const VERDICTS: Record<string, { succeeded: boolean; schemaVersion: string; says: RegExp; files?: string[] }> = {
  "info-empty.json": { succeeded: true, schemaVersion: "", says: /^Schema version \(none: empty schema\); 0 applied, 3 pending\.$/ },
  "migrate-success.json": { succeeded: true, schemaVersion: "1.1.0", says: /applied V1_0_0__create_products\.sql, V1_0_1__seed_products\.sql, V1_1_0__create_orders\.sql; schema version 1\.1\.0/ },
  "info-migrated.json": { succeeded: true, schemaVersion: "1.1.0", says: /^Schema version 1\.1\.0; 3 applied, 0 pending\.$/ },
  "validate-success.json": { succeeded: true, schemaVersion: "", says: /Validated 3 migration\(s\)/ },
  "validate-checksum-mismatch.json": {
    succeeded: false,
    schemaVersion: "",
    says: /V1_0_1__seed_products\.sql: Migration checksum mismatch for migration version 1\.0\.1\. Applied to database: -1546206154\. Resolved locally: 355017297\./,
  },
  "migrate-checksum-mismatch.json": {
    succeeded: false,
    schemaVersion: "",
    files: WEBSHOP,
    says: /checksum mismatch for migration version 1\.0\.1 \(V1_0_1__seed_products\.sql\)\. Applied to database: -1546206154\. Resolved locally: 355017297\./,
  },
  "validate-renamed-separator.json": { succeeded: true, schemaVersion: "", says: /Validated 3 migration\(s\)/ },
  "validate-renamed-description.json": { succeeded: false, schemaVersion: "", says: /V1_0_1__seed_catalogue\.sql: Migration description mismatch for migration version 1\.0\.1/ },
  "migrate-edge.json": { succeeded: true, schemaVersion: "1.0.3", says: /R__edge_views\.sql; schema version 1\.0\.3/ },
  "info-drift.json": { succeeded: true, schemaVersion: "1.0.3", says: /2 applied, 1 pending, 1 outdated repeatable, 1 missing locally \(1\.0\.1\), 1 newer than the files \(1\.0\.3\)/ },
  "validate-drift.json": {
    succeeded: false,
    schemaVersion: "",
    says: /for 3 migration\(s\)\. migration 1\.0\.1: Detected applied migration not resolved locally.*R__edge_views\.sql: Detected outdated/,
  },
  "migrate-sql-error.json": {
    succeeded: false,
    schemaVersion: "1.1.0",
    says: /^Migration V1_2_0__add_payments\.sql \(line 2\) failed: ERROR: syntax error at or near "TABEL"\. Position: 43 \(SQL state 42601\)\./,
  },
  "info-after-sql-error.json": { succeeded: true, schemaVersion: "1.1.0", says: /3 applied, 1 pending/ },
  "migrate-non-transactional-error.json": {
    succeeded: false,
    schemaVersion: "1.1.0",
    says: /^Migration V1_2_0__index_order_dates\.sql \(line 3\) failed: ERROR: column "created_on" does not exist \(SQL state 42703\)\./,
  },
  "migrate-failed.json": { succeeded: false, schemaVersion: "1.1.0", says: /^Migration V1_2_0__index_order_dates\.sql \(line 3\) failed: ERROR: column "created_on" does not exist/ },
  "info-failed.json": { succeeded: false, schemaVersion: "1.2.0", says: /failed migration\(s\): V1_2_0__index_order_dates\.sql\..*repair/ },
  "migrate-after-failed.json": { succeeded: false, schemaVersion: "", files: FAILED_SCENARIO, says: /Detected failed migration to version 1\.2\.0 \(V1_2_0__index_order_dates\.sql\)/ },
  "migrate-duplicate-version.json": { succeeded: false, schemaVersion: "", says: /^Found more than one migration with version 1\.1\.0: V1\.1\.0__create_invoices\.sql, V1_1_0__create_orders\.sql\./ },
  "info-duplicate-version.json": { succeeded: false, schemaVersion: "", says: /^Found more than one migration with version 1\.1\.0: V1_1_0__create_orders\.sql, V1\.1\.0__create_invoices\.sql\./ },
};

describe("Flyway JSON: every recorded run", () => {
  const recorded = readdirSync(FIXTURES).filter((f) => f.endsWith(".json") && !/^(history-|manifest|checksum-cases)/.test(f));

  it("each recorded output is in the manifest and has an expected verdict here", () => {
    assert.deepEqual(recorded.sort(), Object.keys(VERDICTS).sort());
    for (const file of recorded) run(file);
    assert.match(manifest.flyway, /^11\.20\.3$/);
    assert.match(manifest.postgres, /PostgreSQL\) 15\./);
  });

  for (const [file, expected] of Object.entries(VERDICTS)) {
    it(`${file}: ${expected.succeeded ? "succeeded" : "failed"}, schema version "${expected.schemaVersion}"`, () => {
      const { command, exitCode } = run(file);
      const outcome = flywayOutcome(command, exitCode, fixture(file), expected.files);
      assert.equal(outcome.succeeded, expected.succeeded, outcome.message);
      assert.equal(outcome.schemaVersion, expected.schemaVersion);
      assert.match(outcome.message, expected.says);
      assert.ok(!outcome.message.includes("\n"), "one paragraph");
      assert.ok(!outcome.message.includes("/flyway/sql/"), "file names, not paths");
    });
  }

  it("exit codes: failures exit 1, except failed validations (JSON output) and info on a failed migration, which exit 0", () => {
    // Only the JSON tells these apart from success: why the verdict reads it rather than the exit code.
    const exitZeroYetFailed = ["validate-checksum-mismatch.json", "validate-renamed-description.json", "validate-drift.json", "info-failed.json"];
    for (const r of manifest.runs) {
      if (r.output !== "json") continue;
      const expected = VERDICTS[r.file].succeeded || exitZeroYetFailed.includes(r.file) ? 0 : 1;
      assert.equal(r.exitCode, expected, `${r.file}: Flyway exited ${r.exitCode}`);
    }
    assert.equal(run("validate-checksum-mismatch.txt").exitCode, 1, "the same validate with text output exits 1");
    assert.match(fixture("validate-checksum-mismatch.txt"), /ERROR: Validate failed: Migrations have failed validation/);
  });
});

describe("Flyway JSON: info", () => {
  it("an empty schema: no version, every migration pending with its file", () => {
    const info = parseInfo(fixture("info-empty.json"));
    assert.equal(info.schemaVersion, null);
    assert.deepEqual(
      info.pending.map((m) => [m.version, m.script, m.state, m.installedOn]),
      WEBSHOP.map((f) => [f.slice(1, 6).replace(/_/g, "."), f, "Pending", undefined]),
    );
    assert.equal(info.applied.length, 0);
  });

  it("after migrate: applied migrations with their install time; no checksums in Flyway 11's info JSON", () => {
    const info = parseInfo(fixture("info-migrated.json"));
    assert.equal(info.schemaVersion, "1.1.0");
    assert.deepEqual(
      info.applied.map((m) => m.script),
      WEBSHOP,
    );
    for (const m of info.applied) {
      assert.match(m.installedOn ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.equal(m.checksum, undefined);
    }
    assert.equal(info.database, "webshop");
    assert.equal(info.flywayVersion, "11.20.3");
  });

  it("takes a checksum when the output has one", () => {
    const json = JSON.parse(fixture("info-migrated.json"));
    json.migrations[0].checksum = 1913290676;
    assert.equal(parseInfo(json).migrations[0].checksum, 1913290676);
  });

  it("drift: a removed file is missing, a removed highest file is future, an edited repeatable outdated and pending", () => {
    const info = parseInfo(fixture("info-drift.json"));
    assert.deepEqual(
      info.missing.map((m) => [m.version, m.script, m.state]),
      [["1.0.1", null, "Missing"]],
    );
    assert.deepEqual(
      info.future.map((m) => [m.version, m.script, m.state]),
      [["1.0.3", null, "Future"]],
    );
    assert.deepEqual(
      info.outdated.map((m) => [m.version, m.script, m.category]),
      [[null, "R__edge_views.sql", "Repeatable"]],
    );
    assert.deepEqual(
      info.pending.map((m) => m.script),
      ["R__edge_views.sql"],
    );
    assert.deepEqual(
      info.applied.map((m) => m.script),
      ["V1_0_0__bom_crlf.sql", "V1_0_2__utf8_no_final_newline.sql"],
    );
  });

  it("a failed migration is in failed, and Flyway counts its version as the schema version", () => {
    const info = parseInfo(fixture("info-failed.json"));
    assert.deepEqual(
      info.failed.map((m) => [m.version, m.script, m.state]),
      [["1.2.0", "V1_2_0__index_order_dates.sql", "Failed"]],
    );
    assert.equal(info.schemaVersion, "1.2.0");
  });

  it("refuses an error object, saying what Flyway reported", () => {
    assert.throws(() => parseInfo(fixture("info-duplicate-version.json")), /flyway info output: Flyway reported an error instead of a result: Found more than one migration with version 1\.1\.0/);
  });
});

describe("Flyway JSON: migrate and validate", () => {
  it("migrate: versions before and after, the migrations it applied", () => {
    const result = parseMigrate(fixture("migrate-success.json"));
    assert.deepEqual([result.initialSchemaVersion, result.targetSchemaVersion, result.migrationsExecuted, result.success], [null, "1.1.0", 3, true]);
    assert.deepEqual(
      result.migrations.map((m) => m.script),
      WEBSHOP,
    );
    assert.equal(result.error, undefined);
  });

  it("a failed migrate: the migrations applied before it, and the error", () => {
    const result = parseMigrate(fixture("migrate-sql-error.json"));
    assert.equal(result.success, false);
    assert.equal(result.targetSchemaVersion, null);
    assert.deepEqual(
      result.migrations.map((m) => m.script),
      WEBSHOP,
    );
    assert.equal(result.error?.script, "V1_2_0__add_payments.sql");
  });

  it("validate: success, and each invalid migration with Flyway's error code", () => {
    assert.deepEqual(parseValidate(fixture("validate-success.json")), { validationSuccessful: true, validateCount: 3, invalidMigrations: [] });
    const drift = parseValidate(fixture("validate-drift.json"));
    assert.equal(drift.validationSuccessful, false);
    assert.deepEqual(
      drift.invalidMigrations.map((m) => [m.version, m.script, m.errorCode]),
      [
        ["1.0.1", null, "APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED"],
        [null, "R__edge_views.sql", "OUTDATED_REPEATABLE_MIGRATION"],
        [null, "R__edge_views.sql", "RESOLVED_REPEATABLE_MIGRATION_NOT_APPLIED"],
      ],
    );
  });
});

describe("Flyway JSON: errors", () => {
  it("a SQL syntax error: the file, the line, the SQL state and the database's words", () => {
    const error = parseFlywayError(fixture("migrate-sql-error.json"));
    assert.equal(error.errorCode, "FAILED_VERSIONED_MIGRATION");
    assert.deepEqual([error.script, error.line, error.sqlState, error.cause], ["V1_2_0__add_payments.sql", 2, "42601", 'ERROR: syntax error at or near "TABEL". Position: 43.']);
    assert.match(error.summary, /^Migration V1_2_0__add_payments\.sql \(line 2\) failed: ERROR: syntax error at or near "TABEL"/);
    assert.match(error.flywayMessage, /^Failed to execute script V1_2_0__add_payments\.sql\n/);
  });

  it("a statement failing outside a transaction: the file and the cause", () => {
    for (const file of ["migrate-non-transactional-error.json", "migrate-failed.json"]) {
      const error = parseFlywayError(fixture(file));
      assert.equal(error.script, "V1_2_0__index_order_dates.sql", file);
      assert.match(error.summary, /V1_2_0__index_order_dates\.sql \(line 3\) failed: ERROR: column "created_on" does not exist/, file);
    }
  });

  it("without structured fields, the file, line and cause come from Flyway's message", () => {
    const json = JSON.parse(fixture("migrate-sql-error.json"));
    const { message, errorCode } = json.error;
    const error = parseFlywayError({ error: { errorCode, message, cause: null } });
    assert.deepEqual([error.script, error.line, error.sqlState, error.cause], ["V1_2_0__add_payments.sql", 2, "42601", 'ERROR: syntax error at or near "TABEL".']);
  });

  it("a validation error names the file when the migration files are given", () => {
    const error = parseFlywayError(fixture("migrate-checksum-mismatch.json"), "migrate", WEBSHOP);
    assert.equal(error.errorCode, "VALIDATE_ERROR");
    assert.match(error.summary, /no longer match the database's history: Migration checksum mismatch for migration version 1\.0\.1 \(V1_0_1__seed_products\.sql\)/);
    assert.doesNotMatch(error.summary, /Need more flexibility|rd\.gt/);
  });

  it("unknown error codes keep Flyway's message as one paragraph", () => {
    const error = parseFlywayError('{"error":{"errorCode":"CONFIGURATION","message":"Unable to connect to the database.\\nConfigure the url, user and password!","cause":null}}');
    assert.equal(error.summary, "Flyway failed (CONFIGURATION): Unable to connect to the database. Configure the url, user and password!");
  });

  it("refuses output without an error object, naming the input and the expected shape", () => {
    assert.throws(() => parseFlywayError(fixture("info-migrated.json"), "flyway info stdout"), /^Error: flyway info stdout: no "error" object; expected .*\{ "error": \{ "errorCode"/);
  });
});

describe("Flyway JSON: malformed input", () => {
  it("names the input and what was expected", () => {
    assert.throws(() => parseInfo(""), /^Error: flyway info output: empty output; expected the JSON Flyway prints with -outputType=json: \{ "schemaVersion"/);
    assert.throws(() => parseInfo("ERROR: Unable to connect", "db info"), /^Error: db info: not JSON \(.*it starts with "ERROR: Unable to connect"\); expected/);
    assert.throws(() => parseInfo("[]"), /not a JSON object/);
    assert.throws(() => parseInfo("{}"), /"schemaVersion" is missing/);
    assert.throws(() => parseMigrate('{"schemaVersion":"1"}'), /flyway migrate output: "targetSchemaVersion" and "migrationsExecuted" are missing/);
    assert.throws(() => parseValidate("{}"), /flyway validate output: "validationSuccessful" is missing/);
    const json = JSON.parse(fixture("info-migrated.json"));
    json.migrations[1].state = "Exploded";
    assert.throws(() => parseInfo(json), /migrations\[1\]\.state "Exploded" is not a Flyway migration state \(Success, /);
  });

  it("a run without JSON fails with the exit code and the reason", () => {
    const outcome = flywayOutcome("migrate", 1, "Exception in thread main java.lang.OutOfMemoryError");
    assert.equal(outcome.succeeded, false);
    assert.match(outcome.message, /^flyway migrate exited 1 without a result: flyway migrate output: not JSON/);
  });

  it("a clean result with a non-zero exit code is not a success", () => {
    const outcome = flywayOutcome("info", 1, fixture("info-migrated.json"));
    assert.equal(outcome.succeeded, false);
    assert.match(outcome.message, /Flyway exited 1\.$/);
  });
});

describe("Flyway JSON: samples from Flyway's documentation", () => {
  it("info (copied to test/fixtures/flyway/docs): Windows paths, an empty schema, a repeatable", () => {
    const info = parseInfo(readFileSync(join(FIXTURES, "docs/info.json"), "utf8"), "docs/info.json");
    assert.equal(info.schemaVersion, null);
    assert.deepEqual(
      info.pending.map((m) => [m.category, m.version, m.script]),
      [
        ["Versioned", "1", "V1__first.sql"],
        ["Repeatable", null, "R__repeatable.sql"],
      ],
    );
  });

  it("migrate (copied to test/fixtures/flyway/docs): no success field means success", () => {
    const result = parseMigrate(readFileSync(join(FIXTURES, "docs/migrate.json"), "utf8"), "docs/migrate.json");
    assert.deepEqual([result.success, result.targetSchemaVersion, result.migrationsExecuted], [true, "1", 2]);
    assert.deepEqual(
      result.migrations.map((m) => m.script),
      ["V1__first.sql", "R__repeatable.sql"],
    );
    assert.equal(flywayOutcome("migrate", 0, readFileSync(join(FIXTURES, "docs/migrate.json"), "utf8")).succeeded, true);
  });

  // The shared corpus sits beside the repository on development machines (../shared), not in every checkout.
  const CORPUS = join(ROOT, "..", "shared", "corpora", "flyway", "output-json");
  it("the copies are the documentation samples byte for byte (SHA256SUMS), and every info/migrate/validate sample of the corpus parses where it is present", () => {
    const sums = readFileSync(join(FIXTURES, "docs/SHA256SUMS"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/));
    assert.deepEqual(sums.map(([, f]) => f).sort(), ["info.json", "migrate.json"]);
    for (const [sum, f] of sums)
      assert.equal(
        createHash("sha256")
          .update(readFileSync(join(FIXTURES, "docs", f)))
          .digest("hex"),
        sum,
        f,
      );
    if (!existsSync(CORPUS)) return;
    const samples = readdirSync(CORPUS).filter((f) => /Commands__(Info|Migrate|Validate)\.md__json-block-\d+\.json$/.test(f));
    assert.ok(samples.length >= 2, `expected the Info and Migrate samples in ${CORPUS}, found ${samples.join(", ")}`);
    for (const f of samples) {
      const text = readFileSync(join(CORPUS, f), "utf8");
      if (f.includes("__Info.md")) parseInfo(text, f);
      else if (f.includes("__Migrate.md")) parseMigrate(text, f);
      else parseValidate(text, f);
    }
    assert.equal(readFileSync(join(FIXTURES, "docs/info.json"), "utf8"), readFileSync(join(CORPUS, "flyway__docs__Commands__Info.md__json-block-1.json"), "utf8"));
    assert.equal(readFileSync(join(FIXTURES, "docs/migrate.json"), "utf8"), readFileSync(join(CORPUS, "flyway__docs__Commands__Migrate.md__json-block-1.json"), "utf8"));
  });
});
