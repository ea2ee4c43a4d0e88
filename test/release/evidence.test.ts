// The release record's evidence per digest: finding counts of a Trivy report, and its digest.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { reportDigest, scanCounts } from "../../.dagger/src/release/evidence.js";
import { ROOT } from "../tiers/modules.js";

const fixture = readFileSync(join(ROOT, "test/fixtures/gates/reports/image-secrets-misconfigs.json"), "utf8");

describe("release evidence", () => {
  it("counts vulnerabilities, secrets and failed misconfiguration checks by severity (a passed check is no finding)", () => {
    // Counted independently (a Python one-liner over the same file): one finding each of CRITICAL, HIGH, MEDIUM and LOW.
    assert.deepEqual(scanCounts(fixture), { CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 1 });
  });
  it("a report without Results, or not JSON, counts nothing (the gate is what refuses it)", () => {
    assert.deepEqual(scanCounts('{"SchemaVersion":2}'), {});
    assert.deepEqual(scanCounts("not json"), {});
  });
  it("the report's digest is the SHA-256 of its exact text", () => {
    assert.equal(reportDigest(fixture), `sha256:${createHash("sha256").update(fixture).digest("hex")}`);
  });
});
