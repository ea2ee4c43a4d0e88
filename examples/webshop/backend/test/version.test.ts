import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compareVersions,
  flywayVersionToSemver,
  highestSchemaVersion,
  isSemver,
  resolveAppVersion,
} from "../src/version.js";

describe("isSemver", () => {
  it("accepts MAJOR.MINOR.PATCH with optional pre-release and build", () => {
    for (const v of [
      "1.2.0",
      "0.0.1",
      "10.20.30",
      "1.2.0-rc.1",
      "1.2.0+build.7",
      "2.0.0-beta+exp.sha.5114f85",
    ]) {
      assert.equal(isSemver(v), true, v);
    }
  });
  it("rejects other forms", () => {
    for (const v of ["1.2", "v1.2.0", "01.2.0", "1.2.0.4", "", "latest", "1.2.0-"]) {
      assert.equal(isSemver(v), false, v);
    }
  });
});

describe("resolveAppVersion", () => {
  const unreadable = () => {
    throw new Error("package.json must not be read when APP_VERSION is set");
  };
  it("prefers APP_VERSION", () => {
    assert.equal(resolveAppVersion("2.3.4", unreadable), "2.3.4");
    assert.equal(resolveAppVersion(" 2.3.4-rc.1 ", unreadable), "2.3.4-rc.1");
  });
  it("falls back to the package.json version when APP_VERSION is unset or blank", () => {
    assert.equal(
      resolveAppVersion(undefined, () => "1.2.0"),
      "1.2.0",
    );
    assert.equal(
      resolveAppVersion("  ", () => "1.2.0"),
      "1.2.0",
    );
  });
  it("rejects versions that are not semver", () => {
    assert.throws(
      () => resolveAppVersion("latest", unreadable),
      /APP_VERSION must be a semantic version/,
    );
    assert.throws(() => resolveAppVersion(undefined, () => "1.2"), /package\.json "version"/);
  });
});

describe("flywayVersionToSemver", () => {
  it("keeps full versions and pads short ones", () => {
    assert.equal(flywayVersionToSemver("1.1.0"), "1.1.0");
    assert.equal(flywayVersionToSemver("1.1"), "1.1.0");
    assert.equal(flywayVersionToSemver("2"), "2.0.0");
    assert.equal(flywayVersionToSemver("1_0_1"), "1.0.1");
    assert.equal(flywayVersionToSemver("01.002.0"), "1.2.0");
  });
  it("rejects versions with more than three parts or non-digits", () => {
    assert.throws(() => flywayVersionToSemver("1.2.3.4"), /MAJOR\.MINOR\.PATCH/);
    assert.throws(() => flywayVersionToSemver("1.x.0"), /MAJOR\.MINOR\.PATCH/);
    assert.throws(() => flywayVersionToSemver(""), /MAJOR\.MINOR\.PATCH/);
  });
});

describe("compareVersions", () => {
  it("compares numerically, not lexically", () => {
    assert.equal(compareVersions("1.10.0", "1.9.0"), 1);
    assert.equal(compareVersions("1.9.0", "1.10.0"), -1);
    assert.equal(compareVersions("1.1.0", "1.1.0"), 0);
    assert.equal(compareVersions("2.0.0", "1.99.99"), 1);
  });
});

describe("highestSchemaVersion", () => {
  const row = (version: string | null, success = true, type = "SQL") => ({
    version,
    type,
    success,
  });
  it("picks the highest successful versioned migration", () => {
    assert.equal(highestSchemaVersion([row("1.0.0"), row("1.0.1"), row("1.1.0")]), "1.1.0");
  });
  it("compares numerically and ignores the order of the rows", () => {
    assert.equal(highestSchemaVersion([row("1.10.0"), row("1.9.0"), row("1.2.0")]), "1.10.0");
  });
  it("ignores failed migrations, repeatable migrations, deleted and undo rows", () => {
    const rows = [
      row("1.0.0"),
      row("1.1.0", false),
      row(null, true, "SQL"),
      row("1.2.0", true, "DELETE"),
      row("1.3.0", true, "UNDO_SQL"),
    ];
    assert.equal(highestSchemaVersion(rows), "1.0.0");
  });
  it("counts a baseline", () => {
    assert.equal(highestSchemaVersion([row("1", true, "BASELINE")]), "1.0.0");
  });
  it("returns null when nothing was applied", () => {
    assert.equal(highestSchemaVersion([]), null);
  });
});
