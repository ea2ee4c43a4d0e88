// The waivers file in the GitOps repository, and the blocking-severity list.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCalendarDate, utcDate } from "../../modules/gates/src/dates.js";
import { GateInputError } from "../../modules/gates/src/errors.js";
import { blockingSeverities } from "../../modules/gates/src/severity.js";
import { parseWaivers } from "../../modules/gates/src/waivers.js";
import { DIGEST_BACKEND } from "./fixtures.js";

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
    assert.deepEqual(parseWaivers(GOOD, "waivers.yaml"), [{ cve: "CVE-2019-14697", digest: DIGEST_BACKEND, reason: "musl is not reached by the Node runtime", approver: "jane.doe@example.com", expires: "2026-12-31" }]);
  });

  it("a missing file, an empty file and an empty list hold no waivers", () => {
    assert.deepEqual(parseWaivers(undefined, "waivers.yaml"), []);
    assert.deepEqual(parseWaivers("", "waivers.yaml"), []);
    assert.deepEqual(parseWaivers("waivers:\n#  - cve: CVE-1\n", "waivers.yaml"), []);
    assert.deepEqual(parseWaivers("waivers: []\n", "waivers.yaml"), []);
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
      () => parseWaivers(bad, "prod/waivers.yaml"),
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
    assert.throws(() => parseWaivers("waivers:\n  - cve: [unclosed\n", "w.yaml"), (e: Error) => e instanceof GateInputError && /^w\.yaml: is not valid YAML:\n {2}w\.yaml:\d+: /.test(e.message));
    assert.throws(() => parseWaivers("- cve: CVE-1\n", "w.yaml"), (e: Error) => e instanceof GateInputError && e.message === "w.yaml: must be a mapping with a waivers: list, each entry with cve (or misconfiguration), digest, reason, approver and expires; got a list");
    assert.throws(() => parseWaivers("waivers: yes\n", "w.yaml"), /w\.yaml:1 waivers: expected array, got "yes"/);
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
    assert.throws(() => blockingSeverities(["HIGH", "SEVERE", "moderate"]), (e: Error) => e instanceof GateInputError && e.message === 'blocking severities: "SEVERE", "moderate" are not Trivy severities; valid: UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL');
    assert.throws(() => blockingSeverities([]), /blocking severities: the list is empty/);
  });
});
