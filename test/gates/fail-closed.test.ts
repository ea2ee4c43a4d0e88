// The vulnerability gate fails closed on every report it cannot trust (issue 15, part 2). Each report
// shape here is one a real scan or a careless copy can produce; each is refused naming the
// component, the report file and what is wrong.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ScannedImage, vulnerabilityGate, type VulnerabilityGateInput, type VulnerabilityVerdict } from "../../modules/gates/src/vulnerabilities.js";
import { DIGEST_BACKEND, DIGEST_OTHER, imageIdOf, imageRef, trivyEdited, trivyText } from "./fixtures.js";

const TODAY = "2026-06-01";
const FILE = "backend.json";
const IMAGE = imageRef("backend", DIGEST_BACKEND);
/** What every refusal of a report that shows nothing says after its reason. */
const UNSCANNED = "nothing in it shows what the image contains; check the scan (its --skip-dirs, --skip-files and log) and scan again";
const MISSPELLED = "the gate does not guess what a misspelled section holds";

/** The backend image with a report: alpine-39 (2 CRITICAL) tied to it by its config digest unless a test changes it. */
const backend = (over: Partial<ScannedImage> = {}): ScannedImage => ({ component: "backend", image: IMAGE, report: trivyText("alpine-39"), reportFile: FILE, imageId: imageIdOf("alpine-39"), ...over });
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
    refused(withText(undefined), `no scan report for ${IMAGE}: ${FILE} is missing; scan the image (trivy image --format json --output ${FILE} registry.example.com/acme/webshop/backend@${DIGEST_BACKEND})`);
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

  it("a misspelled section inside a result: vulnerabilities", () => {
    refused(
      edited((r) => {
        r.Results[0].vulnerabilities = r.Results[0].Vulnerabilities;
        delete r.Results[0].Vulnerabilities;
      }),
      `${FILE}: Results[0] has "vulnerabilities", which Trivy never writes (its key is Vulnerabilities, case-sensitive): ${MISSPELLED}`,
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
    refused(withText(list), `${FILE}: is a JSON list, not a Trivy report: Trivy before 0.20 wrote a bare list of results without SchemaVersion; the gate reads Trivy's JSON report, SchemaVersion 2 (trivy image --format json, Trivy 0.20 and later)`);
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
