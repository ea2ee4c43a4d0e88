// The vulnerability gate over real Trivy reports: blocking severities, waivers, emergencies, and failing closed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GateInputError } from "../../modules/gates/src/errors.js";
import { digestOf } from "../../modules/gates/src/identity.js";
import { renderVulnerabilityVerdict } from "../../modules/gates/src/markdown.js";
import { type ScannedImage, vulnerabilityGate, type VulnerabilityGateInput } from "../../modules/gates/src/vulnerabilities.js";
import type { Finding, VulnerabilityFinding } from "../../modules/gates/src/trivy.js";
import type { Waiver } from "../../modules/gates/src/waivers.js";
import { DIGEST_BACKEND, DIGEST_DB, DIGEST_OTHER, imageIdOf, imageRef, trivyEdited, trivyText } from "./fixtures.js";

/** A finding these tests expect to be a vulnerability (the assertion fails otherwise). */
function vuln(f: Finding): VulnerabilityFinding {
  assert.equal(f.kind, "vulnerability");
  return f as VulnerabilityFinding;
}

const TODAY = "2026-06-01";
const MUSL = "CVE-2019-14697"; // CRITICAL in alpine-39, in two packages (musl, musl-utils)

/** The backend image, scanned: alpine-39 tied to it by its config digest (the corpus reports have no RepoDigests). */
const backend = (over: Partial<ScannedImage> = {}): ScannedImage => ({
  component: "backend",
  image: imageRef("backend", DIGEST_BACKEND),
  report: trivyText("alpine-39"),
  reportFile: "backend.trivy.json",
  imageId: imageIdOf("alpine-39"),
  ...over,
});
const waiver = (over: Partial<Waiver> = {}): Waiver => ({
  cve: MUSL,
  digest: DIGEST_BACKEND,
  reason: "musl is not reached by the Node runtime",
  approver: "jane.doe@example.com",
  expires: "2026-12-31",
  ...over,
});
const gate = (over: Partial<VulnerabilityGateInput> = {}) => vulnerabilityGate({ images: [backend()], waivers: [], today: TODAY, ...over });

describe("vulnerability gate", () => {
  it("blocks a CRITICAL finding, listing it with package, versions and the counts of the whole report", () => {
    const v = gate();
    assert.equal(v.passed, false);
    assert.equal(v.waivedByEmergency, false);
    const [c] = v.components;
    assert.equal(c.passed, false);
    assert.deepEqual(
      c.blocking.map(vuln).map((f) => [f.id, f.package, f.installed, f.fixed, f.severity]),
      [
        [MUSL, "musl", "1.1.20-r4", "1.1.20-r5", "CRITICAL"],
        [MUSL, "musl-utils", "1.1.20-r4", "1.1.20-r5", "CRITICAL"],
      ],
    );
    assert.deepEqual(c.counts, { UNKNOWN: 0, LOW: 0, MEDIUM: 4, HIGH: 0, CRITICAL: 2 });
    assert.deepEqual(v.counts, c.counts);
    assert.equal(c.summary, `backend: 2 CRITICAL not waived (${MUSL})`);
    assert.match(v.summary, /^blocked: backend: 2 CRITICAL not waived \(CVE-2019-14697\); fix, waive .* or declare an emergency/);
    assert.equal(v.details[0], `backend: ${MUSL} CRITICAL in musl 1.1.20-r4 (fixed in 1.1.20-r5)`);
  });

  it("lets it through with a waiver for that CVE and digest, valid through its expiry day", () => {
    const v = gate({ waivers: [waiver({ expires: TODAY })] });
    assert.equal(v.passed, true);
    const [c] = v.components;
    assert.deepEqual(c.blocking, []);
    assert.deepEqual(
      c.waived.map((w) => [vuln(w.finding).package, w.waiver.approver]),
      [
        ["musl", "jane.doe@example.com"],
        ["musl-utils", "jane.doe@example.com"],
      ],
    );
    assert.equal(v.summary, "1 image, no unwaived CRITICAL findings (2 waived)");
    assert.match(v.details[0], /^backend: CVE-2019-14697 CRITICAL in musl .*: waived until 2026-06-01 by jane\.doe@example\.com: musl is not reached/);
  });

  it("matches the waiver's CVE without regard to case", () => {
    assert.equal(gate({ waivers: [waiver({ cve: MUSL.toLowerCase() })] }).passed, true);
  });

  it("blocks when the waiver expired, naming the expiry date", () => {
    const v = gate({ waivers: [waiver({ expires: "2026-05-31" })] });
    assert.equal(v.passed, false);
    const [c] = v.components;
    assert.equal(c.blocking.length, 2);
    assert.deepEqual(
      c.expired.map((e) => e.waiver.expires),
      ["2026-05-31", "2026-05-31"],
    );
    assert.equal(v.details[0], `backend: ${MUSL} CRITICAL in musl 1.1.20-r4 (fixed in 1.1.20-r5): waiver for ${MUSL} expired on 2026-05-31 (approved by jane.doe@example.com)`);
  });

  it("a renewed waiver counts although an expired one for the same finding remains", () => {
    const v = gate({ waivers: [waiver({ expires: "2026-01-31" }), waiver({ expires: "2026-09-30", approver: "sam" })] });
    assert.equal(v.passed, true);
    assert.deepEqual(v.components[0].expired, []);
    assert.equal(v.components[0].waived[0].waiver.approver, "sam");
  });

  it("does not count a waiver for another image's digest, and says where it applies", () => {
    const v = gate({ waivers: [waiver({ digest: DIGEST_OTHER })] });
    assert.equal(v.passed, false);
    assert.match(v.details[0], /: the waiver for CVE-2019-14697 applies to sha256:000000000000, not to this image$/);
  });

  it("passes under an emergency with a reason, recording the reason and every finding it let through", () => {
    const v = gate({ emergency: { reason: "INC-4711: checkout down, fix needs this backend now" } });
    assert.equal(v.passed, true);
    assert.equal(v.waivedByEmergency, true);
    assert.deepEqual(v.emergency, { reason: "INC-4711: checkout down, fix needs this backend now" });
    const [c] = v.components;
    assert.equal(c.waivedByEmergency, true);
    assert.deepEqual(
      c.blocking.map(vuln).map((f) => f.package),
      ["musl", "musl-utils"],
    );
    assert.equal(v.summary, `waived by emergency (INC-4711: checkout down, fix needs this backend now): backend: 2 CRITICAL not waived (${MUSL}), waived by emergency`);
    assert.ok(
      v.details.every((d) => d.endsWith("(waived by emergency)")),
      v.details.join("\n"),
    );
  });

  it("an emergency needs a reason", () => {
    assert.throws(
      () => gate({ emergency: { reason: "  " } }),
      (e: Error) => e instanceof GateInputError && /emergency: needs a reason/.test(e.message),
    );
  });

  it("an emergency with nothing to waive is recorded but waives nothing", () => {
    const v = gate({ waivers: [waiver()], emergency: { reason: "INC-1" } });
    assert.deepEqual([v.passed, v.waivedByEmergency, v.emergency?.reason, v.components[0].waivedByEmergency], [true, false, "INC-1", false]);
  });

  it("blocks a component without a report", () => {
    const v = gate({ images: [backend({ report: undefined })] });
    assert.equal(v.passed, false);
    assert.equal(
      v.components[0].reportProblem,
      `no scan report for ${imageRef("backend", DIGEST_BACKEND)}: backend.trivy.json is missing; scan the image (trivy image --format json --output backend.trivy.json registry.example.com/acme/webshop/backend@${DIGEST_BACKEND})`,
    );
    assert.equal(v.summary.startsWith("blocked: backend: no usable scan report"), true);
  });

  it("blocks a malformed report with a clear error: not JSON, or a field missing", () => {
    const notJson = gate({ images: [backend({ report: '{"SchemaVersion": 2, "Results": [' })] });
    assert.equal(notJson.passed, false);
    assert.match(notJson.components[0].reportProblem ?? "", /^backend\.trivy\.json: is not JSON \(/);
    const missing = gate({ images: [backend({ report: trivyEdited("alpine-39", (r) => delete r.Results[0].Vulnerabilities[5].VulnerabilityID) })] });
    assert.equal(missing.passed, false);
    assert.equal(
      missing.components[0].reportProblem,
      "backend.trivy.json: not a Trivy JSON report (trivy image --format json, SchemaVersion 2):\n  Results[0].Vulnerabilities[5].VulnerabilityID: is required (expected string)",
    );
  });

  it("takes a report pulled by digest (RepoDigests) as the image's, whatever the repository's name", () => {
    const pulled = trivyEdited("alpine-39", (r) => (r.Metadata.RepoDigests = [`mirror.example.com/webshop/backend@${DIGEST_BACKEND}`]));
    const v = gate({ images: [backend({ report: pulled, imageId: undefined })], waivers: [waiver()] });
    assert.equal(v.passed, true);
    assert.equal(v.components[0].waived.length, 2);
  });

  it("reads an image's digest with the image-reference grammar: sha256 only, never from something that is no reference", () => {
    assert.equal(digestOf(`registry.example.com/acme/webshop/backend:1@${DIGEST_BACKEND}`), DIGEST_BACKEND);
    assert.equal(digestOf(`backend@${DIGEST_BACKEND}`), DIGEST_BACKEND);
    for (const ref of [
      "registry.example.com/acme/webshop/backend:1",
      `registry.example.com/acme/webshop/backend@sha512:${"a".repeat(128)}`,
      `two words@${DIGEST_BACKEND}`,
      `Backend@${DIGEST_BACKEND}`,
    ])
      assert.equal(digestOf(ref), undefined, ref);
  });

  it("blocks a report of another digest", () => {
    const other = trivyEdited("alpine-39", (r) => (r.Metadata.RepoDigests = [`registry.example.com/acme/webshop/backend@${DIGEST_OTHER}`]));
    const v = gate({ images: [backend({ report: other, imageId: undefined })] });
    assert.equal(v.passed, false);
    assert.equal(v.components[0].reportProblem, `backend.trivy.json is a report of registry.example.com/acme/webshop/backend@${DIGEST_OTHER}, not of ${DIGEST_BACKEND}`);
    // A clean report of the wrong image must not pass either.
    const clean = trivyEdited("alpine-39", (r) => {
      r.Metadata.RepoDigests = [`x/backend@${DIGEST_OTHER}`];
      r.Results = [];
    });
    assert.equal(gate({ images: [backend({ report: clean, imageId: undefined })] }).passed, false);
  });

  it("blocks a report of another image config, a repository scan, and an image archive scan nothing ties to the digest", () => {
    const wrongConfig = gate({ images: [backend({ imageId: imageIdOf("ubuntu-1804") })] });
    assert.equal(
      wrongConfig.components[0].reportProblem,
      `backend.trivy.json is a report of the image with config ${imageIdOf("alpine-39")}, not of ${DIGEST_BACKEND} (config ${imageIdOf("ubuntu-1804")})`,
    );
    const repo = gate({ images: [backend({ report: trivyText("npm") })] });
    assert.equal(repo.components[0].reportProblem, `backend.trivy.json is a scan of a repository (testdata/fixtures/repo/npm), not of an image: it cannot show what ${DIGEST_BACKEND} contains`);
    const archive = gate({ images: [backend({ report: trivyText("centos-7"), imageId: undefined })] });
    assert.match(
      archive.components[0].reportProblem ?? "",
      /^backend\.trivy\.json names no registry digest \(Trivy scanned testdata\/fixtures\/images\/centos-7\.tar\.gz, container_image, without RepoDigests\)/,
    );
    assert.deepEqual([wrongConfig.passed, repo.passed, archive.passed], [false, false, false]);
  });

  it("blocks an image reference without a digest", () => {
    const v = gate({ images: [backend({ image: "registry.example.com/acme/webshop/backend:1.2.3" })] });
    assert.equal(v.passed, false);
    assert.match(v.components[0].reportProblem ?? "", /carries no digest/);
  });

  it("an emergency also lets through an image without a usable report, and records why the report was unusable", () => {
    const v = gate({ images: [backend({ report: undefined })], emergency: { reason: "scanner database unreachable" } });
    assert.deepEqual([v.passed, v.waivedByEmergency], [true, true]);
    assert.equal(
      v.details[0],
      `backend: no scan report for ${imageRef("backend", DIGEST_BACKEND)}: backend.trivy.json is missing; scan the image (trivy image --format json --output backend.trivy.json registry.example.com/acme/webshop/backend@${DIGEST_BACKEND}) (waived by emergency)`,
    );
  });

  it("blocks HIGH too when configured (fluentd: its CRITICAL waived, its HIGH not)", () => {
    const sbom: ScannedImage = { component: "backend", image: imageRef("backend", DIGEST_BACKEND), report: trivyText("fluentd-multiple-lockfiles"), imageId: imageIdOf("fluentd-multiple-lockfiles") };
    const waivers = [waiver({ cve: "CVE-2019-18224" })];
    assert.equal(gate({ images: [sbom], waivers }).passed, true);
    const v = gate({ images: [sbom], waivers, blocking: ["HIGH"] });
    assert.equal(v.passed, false);
    assert.deepEqual(v.blockingSeverities, ["HIGH", "CRITICAL"]);
    assert.deepEqual(
      v.components[0].blocking.map(vuln).map((f) => [f.id, f.package, f.severity, f.fixed]),
      [["CVE-2020-8165", "activesupport", "HIGH", "6.0.3.1, 5.2.4.3"]],
    );
    assert.deepEqual(
      v.components[0].waived.map((w) => w.finding.id),
      ["CVE-2019-18224"],
    );
  });

  it("judges each component on its own and blocks the release when one is blocked", () => {
    const db: ScannedImage = { component: "db", image: imageRef("db", DIGEST_DB), report: trivyText("centos-7"), imageId: imageIdOf("centos-7") };
    const v = gate({ images: [db, backend()] });
    assert.deepEqual(
      v.components.map((c) => [c.component, c.passed]),
      [
        ["db", true],
        ["backend", false],
      ],
    );
    assert.equal(v.components[0].summary, "db: nothing blocking (1 MEDIUM, 2 LOW)");
    assert.equal(v.passed, false);
    assert.doesNotMatch(v.summary, /db/);
    assert.deepEqual(v.counts, { UNKNOWN: 0, LOW: 2, MEDIUM: 5, HIGH: 0, CRITICAL: 2 });
  });

  it("refuses bad input: a date that is not one, a component given twice, an image ID that is not a digest", () => {
    assert.throws(() => gate({ today: "01.06.2026" }), /today: must be a date YYYY-MM-DD/);
    assert.throws(() => gate({ images: [backend(), backend()] }), /component backend is given twice/);
    assert.throws(() => gate({ images: [backend({ imageId: "055936d3920576da" })] }), /images\.backend\.imageId: must be the image's config digest/);
    assert.throws(() => gate({ images: [] }), /the release has no images to judge/);
  });
});

describe("vulnerability verdict as Markdown", () => {
  it("shows the verdict, counts per component, what blocks and what was waived by whom", () => {
    const db: ScannedImage = { component: "db", image: imageRef("db", DIGEST_DB), report: trivyText("debian-buster-ignore-unfixed"), imageId: imageIdOf("debian-buster-ignore-unfixed") };
    const md = renderVulnerabilityVerdict(gate({ images: [backend(), db], waivers: [waiver({ cve: "CVE-2019-18224", digest: DIGEST_DB, reason: "not | reachable\nfrom SQL" })] }));
    const lines = md.split("\n");
    assert.equal(lines[0], "### Vulnerabilities: ❌ blocked");
    assert.ok(lines.includes("| component | image | verdict | CRITICAL | HIGH | MEDIUM | LOW | UNKNOWN |"), md);
    assert.ok(lines.includes("| backend | `sha256:bbbbbbbbbbbb` | ❌ blocked | 2 | 0 | 4 | 0 | 0 |"), md);
    assert.ok(lines.includes("| db | `sha256:dddddddddddd` | ✅ passed | 1 | 0 | 0 | 0 | 0 |"), md);
    assert.ok(lines.includes("| CVE-2019-14697 | musl | 1.1.20-r4 | 1.1.20-r5 | CRITICAL |  |  |"), md);
    assert.ok(
      lines.includes(
        "| CVE-2019-18224 | libidn2-0 | 2.0.5-1 | 2.0.5-1+deb10u1 | CRITICAL | libidn2: heap-based buffer overflow in idn2_to_ascii_4i in lib/lookup.c | jane.doe@example.com | 2026-12-31 | not \\| reachable from SQL |",
      ),
      md,
    );
  });

  it("shows no counts for an image without a usable report, and why", () => {
    const md = renderVulnerabilityVerdict(gate({ images: [backend({ report: "" })] }));
    assert.ok(md.includes("\n| backend | `sha256:bbbbbbbbbbbb` | ❌ blocked | – | – | – | – | – |\n"), md);
    assert.match(md, /\n\*\*backend\*\*: backend\.trivy\.json: is not JSON \(/);
  });

  it("says when an emergency let findings through, with the reason and the expired waiver", () => {
    const md = renderVulnerabilityVerdict(gate({ waivers: [waiver({ expires: "2026-01-31" })], emergency: { reason: "INC-4711" } }));
    assert.match(md, /^### Vulnerabilities: ⚠️ passed by emergency\n/);
    assert.match(md, /\n\*\*Emergency declared:\*\* INC-4711\n/);
    assert.match(md, /\n\*\*backend\*\*: let through by the emergency\n/);
    assert.match(md, /\n\| CVE-2019-14697 \| musl-utils \| 1\.1\.20-r4 \| 1\.1\.20-r5 \| CRITICAL \| {2}\| waiver expired on 2026-01-31 \|\n/);
  });
});
