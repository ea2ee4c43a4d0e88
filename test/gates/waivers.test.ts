// The waivers file in the GitOps repository, and the blocking-severity list.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCalendarDate, oneYearAfter, utcDate } from "../../modules/gates/src/dates.js";
import { GateInputError } from "../../modules/gates/src/errors.js";
import { blockingSeverities } from "../../modules/gates/src/severity.js";
import { parseWaivers } from "../../modules/gates/src/waivers.js";
import { DIGEST_BACKEND } from "./fixtures.js";

/** The day the files are judged on. */
const TODAY = "2026-06-01";

const GOOD = `# Reviewed in the GitOps repository like every other change to prod.
waivers:
  - cve: CVE-2019-14697
    digest: ${DIGEST_BACKEND}
    reason: musl is not reached by the Node runtime
    approver: jane.doe@example.com
    expires: 2026-12-31
`;

describe("waivers file", () => {
  it("reads each waiver, with the YAML date kept as the text written", () => {
    assert.deepEqual(parseWaivers(GOOD, "waivers.yaml", TODAY), [
      { cve: "CVE-2019-14697", digest: DIGEST_BACKEND, reason: "musl is not reached by the Node runtime", approver: "jane.doe@example.com", expires: "2026-12-31" },
    ]);
  });

  it("a missing file, an empty file and an empty list hold no waivers", () => {
    assert.deepEqual(parseWaivers(undefined, "waivers.yaml", TODAY), []);
    assert.deepEqual(parseWaivers("", "waivers.yaml", TODAY), []);
    assert.deepEqual(parseWaivers("waivers:\n#  - cve: CVE-1\n", "waivers.yaml", TODAY), []);
    assert.deepEqual(parseWaivers("waivers: []\n", "waivers.yaml", TODAY), []);
  });

  it("names every problem with its file, line and path", () => {
    const bad = `waivers:
  - cve: CVE-2019-14697
    digest: backend:latest
    reason: ""
    approver: jane
    expires: 2026-02-30
  - cve: CVE-2019-1549
    digest: ${DIGEST_BACKEND}
    reason: ok
    approver: jane
    expiry: 2026-12-31
`;
    assert.throws(
      () => parseWaivers(bad, "prod/waivers.yaml", TODAY),
      (e: Error) => {
        assert.ok(e instanceof GateInputError);
        assert.equal(
          e.message,
          [
            "prod/waivers.yaml: 5 problems:",
            '  prod/waivers.yaml:3 waivers[0].digest: must be an image digest sha256:<64 hex digits>, got "backend:latest"',
            '  prod/waivers.yaml:4 waivers[0].reason: must say why the finding may ship, got ""',
            '  prod/waivers.yaml:6 waivers[0].expires: must be a date YYYY-MM-DD, got "2026-02-30"',
            "  prod/waivers.yaml:7 waivers[1].expires: is required (expected string)",
            "  prod/waivers.yaml:11 waivers[1].expiry: is not a waiver field; fields: cve, misconfiguration, digest, reason, approver, expires",
          ].join("\n"),
        );
        return true;
      },
    );
  });

  it("refuses YAML that does not parse, with the line, and a file that is not a waivers list", () => {
    assert.throws(
      () => parseWaivers("waivers:\n  - cve: [unclosed\n", "w.yaml", TODAY),
      (e: Error) => e instanceof GateInputError && /^w\.yaml: is not valid YAML:\n {2}w\.yaml:\d+: /.test(e.message),
    );
    assert.throws(
      () => parseWaivers("- cve: CVE-1\n", "w.yaml", TODAY),
      (e: Error) =>
        e instanceof GateInputError && e.message === "w.yaml: must be a mapping with a waivers: list, each entry with cve (or misconfiguration), digest, reason, approver and expires; got a list",
    );
    assert.throws(() => parseWaivers("waivers: yes\n", "w.yaml", TODAY), /w\.yaml:1 waivers: expected array, got "yes"/);
  });
});

describe("waiver expiry and approver", () => {
  const one = (approver: string, expires: string) =>
    `waivers:\n  - cve: CVE-2019-14697\n    digest: ${DIGEST_BACKEND}\n    reason: musl is not reached\n    approver: "${approver}"\n    expires: ${expires}\n`;

  it("refuses an expiry more than a year after the day it is judged, naming the latest date allowed", () => {
    assert.throws(
      () => parseWaivers(one("jane.doe@example.com", "9999-12-31"), "prod/waivers.yaml", TODAY),
      (e: Error) =>
        e instanceof GateInputError &&
        e.message ===
          "prod/waivers.yaml: 1 problem:\n  prod/waivers.yaml:6 waivers[0].expires: 9999-12-31 is more than a year after today (2026-06-01): a waiver lasts at most a year, so expires must be on or before 2027-06-01; renew it when it runs out",
    );
    assert.throws(() => parseWaivers(one("jane.doe@example.com", "2027-06-02"), "w.yaml", TODAY), /w\.yaml:6 waivers\[0\]\.expires: 2027-06-02 is more than a year after today/);
  });

  it("accepts an expiry up to the same date next year, and one already past (the gate reports it as expired)", () => {
    assert.equal(parseWaivers(one("jane.doe@example.com", "2027-06-01"), "w.yaml", TODAY)[0].expires, "2027-06-01");
    assert.equal(parseWaivers(one("jane.doe@example.com", "2026-01-31"), "w.yaml", TODAY)[0].expires, "2026-01-31");
  });

  it("takes a year after 29 February as 28 February", () => {
    assert.equal(oneYearAfter("2028-02-29"), "2029-02-28");
    assert.equal(oneYearAfter("2026-12-31"), "2027-12-31");
    assert.equal(parseWaivers(one("jane.doe@example.com", "2029-02-28"), "w.yaml", "2028-02-29").length, 1);
    assert.throws(() => parseWaivers(one("jane.doe@example.com", "2029-03-01"), "w.yaml", "2028-02-29"), /on or before 2029-02-28/);
  });

  it("refuses placeholder approvers, saying what is wanted and what was found", () => {
    for (const placeholder of ["-", "?", "--", "TBD", "n/a", "N/A", "none", "Unknown", "someone", "x", "xxx", "todo", "42"]) {
      assert.throws(
        () => parseWaivers(one(placeholder, "2026-12-31"), "w.yaml", TODAY),
        (e: Error) =>
          e instanceof GateInputError &&
          e.message ===
            `w.yaml: 1 problem:\n  w.yaml:5 waivers[0].approver: must name who decided (a person or team, e.g. jane.doe@example.com), not a placeholder, got ${JSON.stringify(placeholder)}`,
        placeholder,
      );
    }
    for (const name of ["jane.doe@example.com", "Jane Doe", "@platform-team", "jd", "Zoë"]) assert.equal(parseWaivers(one(name, "2026-12-31"), "w.yaml", TODAY)[0].approver, name);
  });

  it("lists a too-late expiry and a placeholder approver together with the file's other problems, in line order", () => {
    const bad = `${one("-", "9999-12-31")}  - cve: CVE-2019-1549\n    digest: backend:latest\n    reason: r\n    approver: sam\n    expires: 2026-12-31\n`;
    assert.throws(
      () => parseWaivers(bad, "w.yaml", TODAY),
      (e: Error) =>
        e instanceof GateInputError &&
        e.message ===
          [
            "w.yaml: 3 problems:",
            '  w.yaml:5 waivers[0].approver: must name who decided (a person or team, e.g. jane.doe@example.com), not a placeholder, got "-"',
            "  w.yaml:6 waivers[0].expires: 9999-12-31 is more than a year after today (2026-06-01): a waiver lasts at most a year, so expires must be on or before 2027-06-01; renew it when it runs out",
            '  w.yaml:8 waivers[1].digest: must be an image digest sha256:<64 hex digits>, got "backend:latest"',
          ].join("\n"),
    );
  });
});

describe("calendar dates", () => {
  it("accepts real dates only, and takes today in UTC", () => {
    assert.deepEqual(["2026-12-31", "2028-02-29", "2026-02-29", "2026-1-31", "26-01-31", "2026-13-01"].map(isCalendarDate), [true, true, false, false, false, false]);
    assert.equal(utcDate(new Date("2026-03-01T23:30:00-05:00")), "2026-03-02");
  });
});

describe("blocking severities", () => {
  it("default to CRITICAL", () => {
    assert.deepEqual(blockingSeverities(), ["CRITICAL"]);
  });

  it("are read as a floor: HIGH also blocks CRITICAL; UNKNOWN blocks only when listed", () => {
    assert.deepEqual(blockingSeverities(["high"]), ["HIGH", "CRITICAL"]);
    assert.deepEqual(blockingSeverities(["CRITICAL", "MEDIUM"]), ["MEDIUM", "HIGH", "CRITICAL"]);
    assert.deepEqual(blockingSeverities(["UNKNOWN", "CRITICAL"]), ["UNKNOWN", "CRITICAL"]);
    assert.deepEqual(blockingSeverities(["UNKNOWN"]), ["UNKNOWN"]);
  });

  it("refuse names Trivy does not use, and an empty list", () => {
    assert.throws(
      () => blockingSeverities(["HIGH", "SEVERE", "moderate"]),
      (e: Error) => e instanceof GateInputError && e.message === 'blocking severities: "SEVERE", "moderate" are not Trivy severities; valid: UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL',
    );
    assert.throws(() => blockingSeverities([]), /blocking severities: the list is empty/);
  });
});
