// The vulnerability gate fails closed on every report it cannot trust (issue 15, part 2), and judges
// Trivy's Secrets and Misconfigurations sections like its vulnerabilities. Each report shape here is
// one a real scan or a careless copy can produce; each is refused naming the component, the report
// file and what is wrong.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GateInputError } from "../../modules/gates/src/errors.js";
import { renderVulnerabilityVerdict } from "../../modules/gates/src/markdown.js";
import { type ScannedImage, vulnerabilityGate, type VulnerabilityGateInput, type VulnerabilityVerdict } from "../../modules/gates/src/vulnerabilities.js";
import { parseWaivers, type Waiver } from "../../modules/gates/src/waivers.js";
import { ROOT } from "../tiers/modules.js";
import { DIGEST_BACKEND, DIGEST_OTHER, imageIdOf, imageRef, trivyEdited, trivyText } from "./fixtures.js";

const TODAY = "2026-06-01";
const FILE = "backend.json";
const IMAGE = imageRef("backend", DIGEST_BACKEND);
/** What every refusal of a report that shows nothing says after its reason. */
const UNSCANNED = "nothing in it shows what the image contains; check the scan (its --skip-dirs, --skip-files and log) and scan again";
const MISSPELLED = "the gate does not guess what a misspelled section holds";

/** The backend image with a report: alpine-39 (2 CRITICAL) tied to it by its config digest unless a test changes it. */
const backend = (over: Partial<ScannedImage> = {}): ScannedImage => ({
  component: "backend",
  image: IMAGE,
  report: trivyText("alpine-39"),
  reportFile: FILE,
  imageId: imageIdOf("alpine-39"),
  ...over,
});
const gate = (over: Partial<VulnerabilityGateInput> = {}) => vulnerabilityGate({ images: [backend()], waivers: [], today: TODAY, ...over });
/** alpine-39 with an edit, as the backend's report. */
const edited = (edit: (r: Record<string, any>) => void) => gate({ images: [backend({ report: trivyEdited("alpine-39", edit) })] });
const withText = (report: string | undefined) => gate({ images: [backend({ report })] });

/** The gate refused the backend for `problem`, and says so in the details with the component's name. */
function refused(v: VulnerabilityVerdict, problem: string): void {
  assert.equal(v.passed, false, `passed: ${v.summary}`);
  assert.equal(v.components[0].reportProblem, problem);
  assert.equal(v.details[0], `backend: ${problem}`);
  assert.match(v.summary, /^blocked: backend: no usable scan report/);
}

describe("vulnerability gate: reports it cannot trust are refused", () => {
  it("no report for the image: names the file it expected and how to write it", () => {
    refused(
      withText(undefined),
      `no scan report for ${IMAGE}: ${FILE} is missing; scan the image (trivy image --format json --output ${FILE} registry.example.com/acme/webshop/backend@${DIGEST_BACKEND})`,
    );
  });

  it("a report of another digest (RepoDigests), even a clean one", () => {
    const other = (r: Record<string, any>) => (r.Metadata.RepoDigests = [`registry.example.com/acme/webshop/backend@${DIGEST_OTHER}`]);
    const problem = `${FILE} is a report of registry.example.com/acme/webshop/backend@${DIGEST_OTHER}, not of ${DIGEST_BACKEND}`;
    refused(gate({ images: [backend({ report: trivyEdited("alpine-39", other), imageId: undefined })] }), problem);
    const clean = trivyEdited("alpine-39", (r) => {
      other(r);
      delete r.Results[0].Vulnerabilities;
    });
    refused(gate({ images: [backend({ report: clean, imageId: undefined })] }), problem);
  });

  it("no Results key (what Trivy writes when every path was skipped)", () => {
    refused(
      edited((r) => delete r.Results),
      `${FILE}: has no Results (Trivy writes none when it found nothing to scan): ${UNSCANNED}`,
    );
  });

  it("Results: null", () => {
    refused(
      edited((r) => (r.Results = null)),
      `${FILE}: Results is null: ${UNSCANNED}`,
    );
  });

  it("Results: [] (Trivy never writes an empty list: it omits the key)", () => {
    refused(
      edited((r) => (r.Results = [])),
      `${FILE}: Results is empty: ${UNSCANNED}`,
    );
  });

  it("a misspelled Results key: results, Result", () => {
    for (const key of ["results", "Result"]) {
      refused(
        edited((r) => {
          r[key] = r.Results;
          delete r.Results;
        }),
        `${FILE}: has no Results, but "${key}", which Trivy never writes (its key is Results, case-sensitive): ${MISSPELLED}`,
      );
    }
  });

  it("a misspelled section inside a result: vulnerabilities, Secret, Misconfiguration", () => {
    refused(
      edited((r) => {
        r.Results[0].vulnerabilities = r.Results[0].Vulnerabilities;
        delete r.Results[0].Vulnerabilities;
      }),
      `${FILE}: Results[0] has "vulnerabilities", which Trivy never writes (its key is Vulnerabilities, case-sensitive): ${MISSPELLED}`,
    );
    refused(
      edited((r) => r.Results.push({ Target: "/app/.env", Class: "secret", Secret: [{ RuleID: "aws-access-key-id", Severity: "CRITICAL" }] })),
      `${FILE}: Results[1] has "Secret", which Trivy never writes (its key is Secrets, case-sensitive): ${MISSPELLED}`,
    );
    refused(
      edited((r) => r.Results.push({ Target: "Dockerfile", Class: "config", Misconfiguration: [] })),
      `${FILE}: Results[1] has "Misconfiguration", which Trivy never writes (its key is Misconfigurations, case-sensitive): ${MISSPELLED}`,
    );
  });

  it("Results that is no list, and entries that are not objects", () => {
    refused(
      edited((r) => (r.Results = "none")),
      `${FILE}: Results must be a list of scanned targets, got "none"`,
    );
    refused(
      edited((r) => r.Results.push("os-pkgs", null, [])),
      `${FILE}: Results[1] ("os-pkgs"), Results[2] (null) and Results[3] ([]) are not scanned targets: each entry is an object with Target, Class and its findings`,
    );
    refused(
      edited((r) => (r.Results[0] = 42)),
      `${FILE}: Results[0] (42) is not a scanned target: each entry is an object with Target, Class and its findings`,
    );
  });

  it("no SchemaVersion, an unknown one, and Trivy's list format from before SchemaVersion 2", () => {
    refused(
      edited((r) => delete r.SchemaVersion),
      `${FILE}: has no SchemaVersion: the gate reads Trivy's JSON report, SchemaVersion 2 (trivy image --format json, Trivy 0.20 and later)`,
    );
    for (const version of [1, 3, "2"]) {
      refused(
        edited((r) => (r.SchemaVersion = version)),
        `${FILE}: SchemaVersion ${JSON.stringify(version)} is not supported: the gate reads SchemaVersion 2 (Trivy's JSON report since Trivy 0.20)`,
      );
    }
    const list = JSON.stringify((JSON.parse(trivyText("alpine-39")) as { Results: unknown[] }).Results);
    refused(
      withText(list),
      `${FILE}: is a JSON list, not a Trivy report: Trivy before 0.20 wrote a bare list of results without SchemaVersion; the gate reads Trivy's JSON report, SchemaVersion 2 (trivy image --format json, Trivy 0.20 and later)`,
    );
  });

  it("malformed JSON, naming the line and column", () => {
    const text = trivyText("alpine-39");
    // Cut inside the first vulnerability: line and column of the end, counted here from the text itself.
    const cut = text.slice(0, text.indexOf('"VulnerabilityID"') + 5);
    const lines = cut.split("\n");
    refused(withText(cut), `${FILE}: is not JSON (line ${lines.length}, column ${lines[lines.length - 1].length + 1}: the text ends before the JSON does; a truncated file?)`);
    refused(withText('{\n  "SchemaVersion": 2,\n  "Results": [\n    {"Target": "x",}\n  ]\n}'), `${FILE}: is not JSON (line 4, column 20: expected a key in double quotes, found "}")`);
    refused(withText("<html>rate limited</html>"), `${FILE}: is not JSON (line 1, column 1: unexpected "<")`);
    refused(withText(""), `${FILE}: is not JSON (line 1, column 1: the file is empty)`);
    refused(withText('{"SchemaVersion": 2} {"SchemaVersion": 2}'), `${FILE}: is not JSON (line 1, column 22: unexpected "{" after the end of the JSON value)`);
  });
});

/** Our own image report with secrets and misconfigurations, pulled by the backend's digest (test/fixtures/gates/reports). */
const OWN = readFileSync(join(ROOT, "test/fixtures/gates/reports/image-secrets-misconfigs.json"), "utf8");
const own = (edit?: (r: Record<string, any>) => void): string => {
  if (!edit) return OWN;
  const r = JSON.parse(OWN) as Record<string, any>;
  edit(r);
  return JSON.stringify(r, null, 2);
};
/** Without its secret results: the report of an image whose only findings are misconfigurations. */
const noSecrets = (r: Record<string, any>) => (r.Results = r.Results.filter((x: { Class: string }) => x.Class !== "secret"));
const scanned = (report: string): ScannedImage => ({ component: "backend", image: IMAGE, report, reportFile: FILE });
const waiver = (over: Partial<Waiver> = {}): Waiver => ({
  misconfiguration: "DS-0002",
  digest: DIGEST_BACKEND,
  reason: "runs as uid 10001 through the pod's securityContext",
  approver: "jane.doe@example.com",
  expires: "2026-12-31",
  ...over,
});
const SECRET_NOTE = "a secret is never waived; remove it from the image, rotate it and rebuild";
const AWS = `secret aws-access-key-id CRITICAL in /app/.env line 2: AWS Access Key ID (AWS): ${SECRET_NOTE}`;
const DS2 = "misconfiguration DS-0002 HIGH in Dockerfile: Image user should not be 'root'";

describe("vulnerability gate: secrets and misconfigurations", () => {
  it("a secret at a blocking severity refuses, named by rule, file and title; the others are counted", () => {
    const v = gate({ images: [scanned(OWN)] });
    assert.equal(v.passed, false);
    const [c] = v.components;
    assert.equal(c.reportProblem, undefined);
    assert.equal(c.summary, "backend: 1 CRITICAL not waived (secret aws-access-key-id in /app/.env)");
    assert.deepEqual(v.details, [`backend: ${AWS}`]);
    assert.match(v.summary, /; a secret is never waived: remove it from the image, rotate it and rebuild$/);
    assert.deepEqual(c.counts, { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 });
    assert.deepEqual(c.secretCounts, { UNKNOWN: 0, LOW: 0, MEDIUM: 1, HIGH: 0, CRITICAL: 1 });
    // The PASS entry (DS-0001, CRITICAL) is no finding.
    assert.deepEqual(c.misconfigurationCounts, { UNKNOWN: 0, LOW: 1, MEDIUM: 0, HIGH: 1, CRITICAL: 0 });
    assert.deepEqual(v.secretCounts, c.secretCounts);
    assert.deepEqual(v.misconfigurationCounts, c.misconfigurationCounts);
  });

  it("never shows a secret's Match or code, in any output", () => {
    for (const blocking of [["CRITICAL"], ["LOW"]]) {
      const v = gate({ images: [scanned(OWN)], blocking });
      for (const text of [JSON.stringify(v), renderVulnerabilityVerdict(v), v.summary, ...v.details]) assert.doesNotMatch(text, /CANARY/);
    }
    // Nor when the secret's entry is malformed: the report is refused without quoting it.
    const bad = gate({ images: [scanned(own((r) => (r.Results[2].Secrets[0] = r.Results[2].Secrets[0].Match)))] });
    assert.equal(bad.passed, false);
    assert.match(bad.components[0].reportProblem ?? "", /Results\[2\]\.Secrets\[0\]: expected object, got a value not shown \(part of a secret finding\)/);
    assert.doesNotMatch(JSON.stringify(bad), /CANARY/);
  });

  it("misconfigurations and secrets block at the configured severities, like vulnerabilities", () => {
    const v = gate({ images: [scanned(OWN)], blocking: ["HIGH"] });
    assert.equal(v.passed, false);
    assert.equal(v.components[0].summary, "backend: 1 CRITICAL, 1 HIGH not waived (misconfiguration DS-0002, secret aws-access-key-id in /app/.env)");
    assert.deepEqual(v.details, [`backend: ${DS2}`, `backend: ${AWS}`]);
    const medium = gate({ images: [scanned(OWN)], blocking: ["MEDIUM"] });
    assert.deepEqual(
      medium.components[0].blocking.map((f) => `${f.kind} ${f.id}`),
      ["misconfiguration DS-0002", "secret aws-access-key-id", "secret jwt-token"],
    );
  });

  it("an image with misconfigurations below the blocking severity passes, counting them", () => {
    const v = gate({ images: [scanned(own(noSecrets))] });
    assert.equal(v.passed, true);
    assert.equal(v.components[0].summary, "backend: nothing blocking (vulnerabilities: none; misconfigurations: 1 HIGH, 1 LOW)");
  });

  it("a waiver names a misconfiguration by its ID for one digest", () => {
    const v = gate({ images: [scanned(own(noSecrets))], blocking: ["HIGH"], waivers: [waiver()] });
    assert.equal(v.passed, true);
    assert.deepEqual(
      v.components[0].waived.map((w) => [w.finding.kind, w.finding.id, w.waiver.approver]),
      [["misconfiguration", "DS-0002", "jane.doe@example.com"]],
    );
    assert.deepEqual(v.details, [`backend: ${DS2}: waived until 2026-12-31 by jane.doe@example.com: runs as uid 10001 through the pod's securityContext`]);
    // For another digest it counts for nothing, and says where it applies.
    const other = gate({ images: [scanned(own(noSecrets))], blocking: ["HIGH"], waivers: [waiver({ digest: DIGEST_OTHER })] });
    assert.equal(other.passed, false);
    assert.deepEqual(other.details, [`backend: ${DS2}: the waiver for DS-0002 applies to sha256:000000000000, not to this image`]);
    // Expired: blocks, naming the date.
    const lapsed = gate({ images: [scanned(own(noSecrets))], blocking: ["HIGH"], waivers: [waiver({ expires: "2026-05-31" })] });
    assert.deepEqual(lapsed.details, [`backend: ${DS2}: waiver for DS-0002 expired on 2026-05-31 (approved by jane.doe@example.com)`]);
  });

  it("a misconfiguration waiver matches Trivy's older IDs too (ID DS002 with AVDID AVD-DS-0002), in either form", () => {
    const older = own((r) => {
      noSecrets(r);
      Object.assign(r.Results[1].Misconfigurations[0], { ID: "DS002", AVDID: "AVD-DS-0002" });
    });
    for (const id of ["DS-0002", "AVD-DS-0002", "ds002"]) {
      assert.equal(gate({ images: [scanned(older)], blocking: ["HIGH"], waivers: [waiver({ misconfiguration: id })] }).passed, true, id);
    }
    assert.equal(gate({ images: [scanned(own(noSecrets))], blocking: ["HIGH"], waivers: [waiver({ misconfiguration: "AVD-DS-0002" })] }).passed, true);
  });

  it("a CVE waiver does not waive a misconfiguration of the same name, and says which key would", () => {
    const v = gate({ images: [scanned(own(noSecrets))], blocking: ["HIGH"], waivers: [{ cve: "DS-0002", digest: DIGEST_BACKEND, reason: "r", approver: "a", expires: "2026-12-31" }] });
    assert.equal(v.passed, false);
    assert.deepEqual(v.details, [`backend: ${DS2}: a waiver names DS-0002 as cve, which waives vulnerabilities only; a misconfiguration is waived with misconfiguration: DS-0002`]);
  });

  it("a secret is never waived, whatever a waiver names", () => {
    const waivers: Waiver[] = [
      { cve: "aws-access-key-id", digest: DIGEST_BACKEND, reason: "test key", approver: "a", expires: "2026-12-31" },
      { misconfiguration: "aws-access-key-id", digest: DIGEST_BACKEND, reason: "test key", approver: "a", expires: "2026-12-31" },
    ];
    const v = gate({ images: [scanned(OWN)], waivers });
    assert.equal(v.passed, false);
    assert.deepEqual(v.components[0].waived, []);
    assert.deepEqual(v.details, [`backend: ${AWS} (a waiver names aws-access-key-id: it does not count for a secret)`]);
  });

  it("the waivers file: misconfiguration is a waiver field; a secret key is refused saying why; exactly one of cve and misconfiguration", () => {
    const file = (entry: string) => `waivers:\n  - ${entry}\n    digest: ${DIGEST_BACKEND}\n    reason: r\n    approver: ops-lead\n    expires: 2026-12-31\n`;
    assert.deepEqual(parseWaivers(file("misconfiguration: DS-0002"), "w.yaml", TODAY), [
      { misconfiguration: "DS-0002", digest: DIGEST_BACKEND, reason: "r", approver: "ops-lead", expires: "2026-12-31" },
    ]);
    assert.throws(
      () => parseWaivers(file("secret: aws-access-key-id"), "w.yaml", TODAY),
      (e: Error) =>
        e instanceof GateInputError &&
        e.message ===
          [
            "w.yaml: 2 problems:",
            "  w.yaml:2 waivers[0].secret: a secret cannot be waived: it is readable by everyone who can pull the image; remove it, rotate it and rebuild (or declare an emergency)",
            "  w.yaml:2 waivers[0]: needs cve (a vulnerability ID such as CVE-2019-14697) or misconfiguration (a Trivy check ID such as DS-0002)",
          ].join("\n"),
    );
    assert.throws(
      () => parseWaivers(file("cve: CVE-2019-14697\n    misconfiguration: DS-0002"), "w.yaml", TODAY),
      /w\.yaml:2 waivers\[0\]: names both cve and misconfiguration; one waiver covers one finding/,
    );
  });

  it("an emergency lets a secret through too, recorded with the reason", () => {
    const v = gate({ images: [scanned(OWN)], emergency: { reason: "INC-7: revoked key, rebuild underway" } });
    assert.deepEqual([v.passed, v.waivedByEmergency], [true, true]);
    assert.deepEqual(v.details, [`backend: ${AWS} (waived by emergency)`]);
  });

  it("refuses a misconfiguration or secret it cannot read: unknown Status, no ID, no RuleID, no Severity", () => {
    const problem = (edit: (r: Record<string, any>) => void) => gate({ images: [scanned(own(edit))] }).components[0].reportProblem ?? "";
    assert.equal(
      problem((r) => (r.Results[1].Misconfigurations[0].Status = "FAILED")),
      `${FILE}: not a Trivy JSON report (trivy image --format json, SchemaVersion 2):\n  Results[1].Misconfigurations[0].Status: expected "FAIL" or "PASS" or "EXCEPTION", got "FAILED"`,
    );
    assert.match(
      problem((r) => delete r.Results[1].Misconfigurations[0].ID),
      /\n {2}Results\[1\]\.Misconfigurations\[0\]: needs ID or AVDID \(the check's ID, such as DS-0002\)/,
    );
    assert.match(
      problem((r) => delete r.Results[2].Secrets[0].RuleID),
      /\n {2}Results\[2\]\.Secrets\[0\]\.RuleID: is required \(expected string\)$/,
    );
    assert.match(
      problem((r) => delete r.Results[3].Secrets[0].Severity),
      /\n {2}Results\[3\]\.Secrets\[0\]\.Severity: is required/,
    );
  });

  it("shows secrets and misconfigurations in the Markdown: counts, what blocks and what was waived", () => {
    const md = renderVulnerabilityVerdict(gate({ images: [scanned(OWN)], blocking: ["HIGH"], waivers: [waiver()] }));
    const lines = md.split("\n");
    assert.ok(lines.includes("Also found: backend: 2 secrets (1 CRITICAL, 1 MEDIUM), 2 misconfigurations (1 HIGH, 1 LOW)."), md);
    assert.ok(lines.includes("| kind | id | target | severity | title | note |"), md);
    assert.ok(lines.includes(`| secret | aws-access-key-id | /app/.env:2 | CRITICAL | AWS Access Key ID | ${SECRET_NOTE} |`), md);
    assert.ok(
      lines.includes("| misconfiguration | DS-0002 | Dockerfile | HIGH | Image user should not be 'root' | jane.doe@example.com | 2026-12-31 | runs as uid 10001 through the pod's securityContext |"),
      md,
    );
  });
});
