// Issue 16's Flyway classes: the MAJOR.MINOR.PATCH rule is a policy (pipeline.yaml
// components.<db>.migrationNaming), valid Flyway names pass under `flyway`, undo and baseline
// scripts pass under both, and Flyway JSON of another command's shape is a failed verdict.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { flywayOutcome } from "../../modules/flyway/src/info.js";
import { compareVersions, lintMigrations, migrationNaming, toSemver } from "../../modules/flyway/src/migrations.js";
import { flywayResult } from "../../modules/flyway/src/result.js";
import { fixture } from "./fixtures.js";

/** Names Flyway reads with its default settings (prefixes V, U, B, R; separator "__"; suffix .sql). */
const FLYWAY_NAMES = ["V17.1__x.sql", "V2.1__x.sql", "V002__x.sql", "U002__x.sql", "B001__x.sql", "R__x.sql", "V1__init.sql", "V1_2__a.sql", "V3.0.0.0__b.sql", "V4__.sql", "R__.sql"];

describe("migration naming policy", () => {
  it("flyway: every name Flyway reads passes, with its kind and version", () => {
    const r = lintMigrations(FLYWAY_NAMES, "flyway");
    assert.deepEqual(r.problems, []);
    assert.deepEqual(Object.fromEntries(r.migrations.map((m) => [m.file, [m.kind, m.version]])), {
      "B001__x.sql": ["baseline", "1"],
      "R__.sql": ["repeatable", undefined],
      "R__x.sql": ["repeatable", undefined],
      "U002__x.sql": ["undo", "2"],
      "V002__x.sql": ["versioned", "2"],
      "V17.1__x.sql": ["versioned", "17.1"],
      "V1_2__a.sql": ["versioned", "1.2"],
      "V1__init.sql": ["versioned", "1"],
      "V2.1__x.sql": ["versioned", "2.1"],
      "V3.0.0.0__b.sql": ["versioned", "3.0.0.0"],
      "V4__.sql": ["versioned", "4"],
    });
    // The schema's semver: the highest version as MAJOR.MINOR.PATCH.
    assert.equal(r.version, "17.1.0");
  });

  it("flyway: names Flyway does not read are still refused (lower-case prefix, missing separator, a letter in the version, not .sql)", () => {
    const r = lintMigrations(["v1__a.sql", "V1_a.sql", "V1a__x.sql", "V1.__x.sql", "X1__x.sql", "V1__x.SQL.bak"], "flyway");
    assert.equal(r.problems.length, 6);
    assert.match(r.problems.join("\n"), /V1a__x\.sql: does not follow Flyway's naming: .* \(e\.g\. V2\.1__add_orders\.sql\)/);
  });

  it("flyway: 1.1 and 1.1.0 (or 01.1) are one version to Flyway, so two files with them are a duplicate", () => {
    assert.deepEqual(lintMigrations(["V1.1__a.sql", "V01_1_0__b.sql", "U1.1__a.sql"], "flyway").problems, ["V01_1_0__b.sql, V1.1__a.sql: 2 versioned migrations share version 1.1.0"]);
  });

  it("semver (the default): the same Flyway names are refused with a way out; MAJOR.MINOR.PATCH undo and baseline scripts pass", () => {
    const r = lintMigrations(["V17.1__x.sql", "V002__x.sql", "U002__x.sql", "B001__x.sql", "V1_0_0__a.sql", "U1_0_0__a.sql", "B1_0_0__base.sql", "R__x.sql"]);
    assert.deepEqual(r.problems, [
      "B001__x.sql: version 001 has 1 part(s); versions are MAJOR.MINOR.PATCH, e.g. B1_2_0__… (or set migrationNaming: flyway in pipeline.yaml to accept every version Flyway reads)",
      "U002__x.sql: version 002 has 1 part(s); versions are MAJOR.MINOR.PATCH, e.g. U1_2_0__… (or set migrationNaming: flyway in pipeline.yaml to accept every version Flyway reads)",
      "V002__x.sql: version 002 has 1 part(s); versions are MAJOR.MINOR.PATCH, e.g. V1_2_0__… (or set migrationNaming: flyway in pipeline.yaml to accept every version Flyway reads)",
      "V17.1__x.sql: version 17.1 has 2 part(s); versions are MAJOR.MINOR.PATCH, e.g. V1_2_0__… (or set migrationNaming: flyway in pipeline.yaml to accept every version Flyway reads)",
    ]);
    assert.deepEqual(lintMigrations(["V1_0_0__a.sql", "U1_0_0__a.sql", "B1_0_0__base.sql", "R__x.sql"]).problems, []);
  });

  it("a baseline counts toward the schema's version (a fresh database that runs it is at its version); an undo does not", () => {
    assert.equal(lintMigrations(["B2_0_0__base.sql", "V1_0_0__a.sql", "U3_0_0__x.sql"]).version, "2.0.0");
  });

  it("a highest version of more than three significant parts has no semver, and says so", () => {
    const r = lintMigrations(["V1.2.3.4__x.sql"], "flyway");
    assert.deepEqual([r.problems, r.version], [[], undefined]);
    assert.match(r.unversionable as string, /the highest migration version 1\.2\.3\.4 has more than three parts/);
    assert.equal(toSemver("1.2.3.0"), "1.2.3");
    assert.equal(toSemver("002"), "2.0.0");
    assert.equal(toSemver("17_1"), "17.1.0");
    assert.equal(toSemver("1.2.3.4"), undefined);
    assert.equal(compareVersions("1.10", "1.9.5"), 1);
    assert.equal(compareVersions("99999999999999999999.1", "99999999999999999999.0.9"), 1);
  });

  it("the module's result gives the database's version as MAJOR.MINOR.PATCH, however the file wrote it (gates compare semvers)", () => {
    const info = JSON.parse(fixture("info-migrated.json")) as Record<string, unknown>;
    assert.equal(flywayResult("info", 0, JSON.stringify({ ...info, schemaVersion: "17.1" }), "").schemaVersion, "17.1.0");
    assert.equal(flywayResult("info", 0, JSON.stringify({ ...info, schemaVersion: "002" }), "").schemaVersion, "2.0.0");
    assert.equal(flywayResult("info", 0, fixture("info-migrated.json"), "").schemaVersion, "1.1.0");
  });

  it("an unknown policy is refused, naming the value and the valid ones", () => {
    assert.throws(() => migrationNaming("semvr"), /^Error: naming: "semvr" is not a migration naming policy; valid: semver .*, flyway /);
  });

  it("pipeline.yaml: components.<db>.migrationNaming is semver or flyway, and only on flyway components", () => {
    const example = readFileSync(join(import.meta.dirname, "../../examples/webshop/pipeline.yaml"), "utf8");
    const doc = parse(example) as { components: Record<string, { toolchain: string; migrationNaming?: string }> };
    const db = Object.keys(doc.components).find((n) => doc.components[n].toolchain === "flyway") as string;
    const backend = Object.keys(doc.components).find((n) => doc.components[n].toolchain === "node") as string;
    const withNaming = (name: string, value: string) => example.replace(new RegExp(`^(  ${name}:\\n)`, "m"), `$1    migrationNaming: ${value}\n`);
    assert.equal(parseConfig(withNaming(db, "flyway"), "pipeline.yaml").components[db].migrationNaming, "flyway");
    assert.equal(parseConfig(example, "pipeline.yaml").components[db].migrationNaming, undefined);
    assert.throws(() => parseConfig(withNaming(db, "loose"), "pipeline.yaml"), new RegExp(`components\\.${db}\\.migrationNaming`));
    assert.throws(() => parseConfig(withNaming(backend, "flyway"), "pipeline.yaml"), new RegExp(`components\\.${backend}\\.migrationNaming: only flyway components have migrations`));
  });
});

describe("Flyway JSON of another command's shape: a failed verdict, never an exception", () => {
  const RECORDED = { info: "info-migrated.json", migrate: "migrate-success.json", validate: "validate-success.json" } as const;
  for (const expected of ["info", "migrate", "validate"] as const) {
    for (const [given, file] of Object.entries(RECORDED)) {
      if (given === expected) continue;
      it(`${given} JSON where ${expected} JSON is expected (recorded ${file})`, () => {
        const outcome = flywayOutcome(expected, 0, fixture(file));
        assert.equal(outcome.succeeded, false);
        assert.equal(outcome.message, `flyway ${expected} output is the JSON of flyway ${given} ("operation": "${given}"), not of flyway ${expected}; check which command printed it.`);
      });
    }
  }

  it("without Flyway 11's operation field (older Flyway), the fields tell the command", () => {
    const { operation: _, ...info } = JSON.parse(fixture("info-migrated.json")) as Record<string, unknown>;
    const outcome = flywayOutcome("migrate", 0, JSON.stringify(info));
    assert.equal(outcome.succeeded, false);
    assert.match(outcome.message, /^flyway migrate output is the JSON of flyway info \(it has "schemaVersion"\), not of flyway migrate/);
  });

  it("an error object or a result of no known shape: failed, saying what is wrong", () => {
    const cases: [string, RegExp][] = [
      ['{"error": "boom"}', /^flyway info exited 1 with JSON that is not a info result: flyway info output: "schemaVersion" is missing/],
      ['{"error": {"message": "no code"}}', /^flyway info exited 1 with JSON that is not a info result: flyway info output: "error" has no "errorCode" or "message"/],
      ['{"schemaVersion": "1", "migrations": [{"description": "x", "state": "Exploded"}]}', /state "Exploded" is not a Flyway migration state/],
      ['{"schemaVersion": "1", "migrations": "none"}', /"migrations" is missing or not an array/],
      ["[1, 2]", /^flyway info exited 1 without a result: flyway info output: not a JSON object/],
    ];
    for (const [json, message] of cases) {
      const outcome = flywayOutcome("info", 1, json);
      assert.equal(outcome.succeeded, false, json);
      assert.match(outcome.message, message, json);
    }
    // A migrate error object is still read as Flyway's error (the recorded failing run).
    assert.match(flywayOutcome("migrate", 1, fixture("migrate-sql-error.json")).message, /^Migration V1_2_0__add_payments\.sql \(line 2\) failed/);
  });
});
