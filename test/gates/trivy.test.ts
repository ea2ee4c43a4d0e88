// Real Trivy JSON reports: every one parses, and the gate counts what is in them.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GateInputError } from "../../modules/gates/src/errors.js";
import { countFindings, findingsOf, misconfigurationsOf, parseTrivyReport, secretsOf, vulnerabilitiesOf } from "../../modules/gates/src/trivy.js";
import { ROOT } from "../tiers/modules.js";
import { TRIVY_FIXTURES, trivyEdited, trivyFiles, trivyText } from "./fixtures.js";

/** Vulnerabilities (or failed misconfiguration checks) counted by walking the raw JSON, sharing no code with the gate. */
function countRaw(text: string, section: "Vulnerabilities" | "Misconfigurations" = "Vulnerabilities"): Record<string, number> {
  const counts: Record<string, number> = { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 };
  const report = JSON.parse(text) as { Results?: Record<string, { Severity: string; Status?: string }[] | undefined>[] };
  for (const result of report.Results ?? []) for (const v of result[section] ?? []) if (section === "Vulnerabilities" || v.Status === "FAIL") counts[v.Severity] += 1;
  return counts;
}

// Counted by hand (and with jq) from the files; a third opinion in case both codes share a mistake.
const BY_HAND: Record<string, Partial<Record<string, number>>> = {
  "alpine-39-high-critical": { CRITICAL: 2 },
  "alpine-39": { CRITICAL: 2, MEDIUM: 4 },
  "centos-7": { MEDIUM: 1, LOW: 2 },
  "debian-buster-ignore-unfixed": { CRITICAL: 1 },
  dockerfile: {},
  "fluentd-multiple-lockfiles": { CRITICAL: 1, HIGH: 1, LOW: 1 },
  helm_testchart: {},
  npm: { MEDIUM: 1 },
  pip: { HIGH: 1, MEDIUM: 1 },
  "terraform-remote-module": {},
  "ubuntu-1804": { MEDIUM: 4, LOW: 1 },
};
// Failed misconfiguration checks, by hand: the three config scans (every check in them is FAIL).
const MISCONFIGURATIONS_BY_HAND: Record<string, Partial<Record<string, number>>> = {
  dockerfile: { HIGH: 1 },
  helm_testchart: { HIGH: 1, MEDIUM: 3, LOW: 2 },
  "terraform-remote-module": { HIGH: 1, MEDIUM: 1, LOW: 1 },
};
const shortName = (file: string) => file.replace(/^trivy__integration__testdata__/, "").replace(/\.json\.golden$/, "");

describe("Trivy JSON reports (real, from Trivy's integration tests)", () => {
  it("the fixtures are the eleven corpus files, each counted by hand", () => {
    assert.deepEqual(trivyFiles().map(shortName).sort(), Object.keys(BY_HAND).sort());
  });

  for (const file of trivyFiles()) {
    const name = shortName(file);
    it(`${name}: parses, and its counts by severity equal the raw JSON's and the hand count`, () => {
      const text = trivyText(name);
      const report = parseTrivyReport(text, file);
      const counts = countFindings(vulnerabilitiesOf(report));
      assert.deepEqual(counts, countRaw(text));
      assert.deepEqual(counts, { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0, ...BY_HAND[name] });
      const misconfigurations = countFindings(misconfigurationsOf(report));
      assert.deepEqual(misconfigurations, countRaw(text, "Misconfigurations"));
      assert.deepEqual(misconfigurations, { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0, ...MISCONFIGURATIONS_BY_HAND[name] });
      assert.deepEqual(secretsOf(report), []);
      assert.equal(findingsOf(report).length, vulnerabilitiesOf(report).length + misconfigurationsOf(report).length);
    });
  }

  it("keeps what a verdict lists: id, package, its purl, installed, fixed, severity, title, target; absent Title and FixedVersion stay absent", () => {
    const findings = vulnerabilitiesOf(parseTrivyReport(trivyText("alpine-39"), "alpine-39"));
    const musl = findings.find((f) => f.package === "musl");
    assert.deepEqual(musl, {
      kind: "vulnerability",
      id: "CVE-2019-14697",
      package: "musl",
      purl: "pkg:apk/alpine/musl@1.1.20-r4?arch=x86_64&distro=3.9.4",
      installed: "1.1.20-r4",
      fixed: "1.1.20-r5",
      severity: "CRITICAL",
      target: "testdata/fixtures/images/alpine-39.tar.gz (alpine 3.9.4)",
    });
    const bash = vulnerabilitiesOf(parseTrivyReport(trivyText("centos-7"), "centos-7")).find((f) => f.package === "bash");
    assert.equal(bash?.fixed, undefined);
    assert.equal(bash?.title, "bash: when effective UID is not equal to its real UID the saved UID is not dropped");
    const gem = vulnerabilitiesOf(parseTrivyReport(trivyText("fluentd-multiple-lockfiles"), "f")).find((f) => f.severity === "HIGH");
    assert.deepEqual([gem?.package, gem?.fixed, gem?.target], ["activesupport", "6.0.3.1, 5.2.4.3", "Ruby"]);
  });

  it("refuses a report missing what the gate reads, naming the file, the JSON path and what was expected", () => {
    const text = trivyEdited("alpine-39", (r) => {
      delete r.Results[0].Vulnerabilities[4].Severity;
      r.Results[0].Vulnerabilities[1].Severity = "SEVERE";
      delete r.ArtifactName;
    });
    assert.throws(
      () => parseTrivyReport(text, "reports/backend.trivy.json"),
      (e: Error) =>
        e instanceof GateInputError &&
        e.message.startsWith("reports/backend.trivy.json: not a Trivy JSON report") &&
        e.message.includes("  ArtifactName: is required (expected string)") &&
        e.message.includes('  Results[0].Vulnerabilities[4].Severity: is required (expected "UNKNOWN" or "LOW" or "MEDIUM" or "HIGH" or "CRITICAL")') &&
        e.message.includes('  Results[0].Vulnerabilities[1].Severity: expected "UNKNOWN" or "LOW" or "MEDIUM" or "HIGH" or "CRITICAL", got "SEVERE"'),
    );
  });

  it("refuses other formats and other schema versions, saying which one it reads", () => {
    assert.throws(
      () => parseTrivyReport('{"bomFormat":"CycloneDX","specVersion":"1.5"}', "scan.cdx.json"),
      (e: Error) =>
        e instanceof GateInputError && e.message === "scan.cdx.json: has no SchemaVersion: the gate reads Trivy's JSON report, SchemaVersion 2 (trivy image --format json, Trivy 0.20 and later)",
    );
    assert.throws(
      () =>
        parseTrivyReport(
          trivyEdited("npm", (r) => (r.SchemaVersion = 1)),
          "old.json",
        ),
      (e: Error) => e instanceof GateInputError && e.message === "old.json: SchemaVersion 1 is not supported: the gate reads SchemaVersion 2 (Trivy's JSON report since Trivy 0.20)",
    );
    assert.throws(
      () => parseTrivyReport("<html>rate limited</html>", "scan.json"),
      (e: Error) => e instanceof GateInputError && e.message === 'scan.json: is not JSON (line 1, column 1: unexpected "<")',
    );
  });

  it("takes sections Trivy omits when empty as empty (null or absent Vulnerabilities), but never a report without Results", () => {
    const nulls = parseTrivyReport(
      trivyEdited("alpine-39", (r) => (r.Results[0].Vulnerabilities = null)),
      "nulls.json",
    );
    assert.deepEqual(findingsOf(nulls), []);
    const absent = parseTrivyReport(
      trivyEdited("alpine-39", (r) => delete r.Results[0].Vulnerabilities),
      "absent.json",
    );
    assert.deepEqual(findingsOf(absent), []);
    // What Trivy writes when it found nothing to scan: no Results at all. Nothing shows the image is clean.
    assert.throws(
      () => parseTrivyReport('{"SchemaVersion":2,"ArtifactName":"x","ArtifactType":"container_image"}', "bare.json"),
      (e: Error) => e instanceof GateInputError && e.message.startsWith("bare.json: has no Results (Trivy writes none when it found nothing to scan): "),
    );
  });

  // The shared corpus sits beside the repository on development machines (../shared), not in every
  // checkout: the copies are pinned by SHA256SUMS (written when they were copied) and compared with
  // the corpus itself wherever it is present.
  const CORPUS = join(ROOT, "..", "shared", "corpora", "trivy");
  it("the copies are the corpus files, byte for byte (SHA256SUMS, and the corpus when present)", () => {
    const sums = readFileSync(join(TRIVY_FIXTURES, "SHA256SUMS"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/));
    assert.deepEqual(sums.map(([, f]) => f).sort(), trivyFiles());
    for (const [sum, f] of sums)
      assert.equal(
        createHash("sha256")
          .update(readFileSync(join(TRIVY_FIXTURES, f)))
          .digest("hex"),
        sum,
        f,
      );
    if (!existsSync(CORPUS)) return;
    assert.deepEqual(
      readdirSync(CORPUS)
        .filter((f) => f.endsWith(".json.golden"))
        .sort(),
      trivyFiles(),
    );
    for (const f of trivyFiles()) assert.equal(readFileSync(join(TRIVY_FIXTURES, f), "utf8"), readFileSync(join(CORPUS, f), "utf8"), f);
  });
});
