// OpenVEX statements as a second waiver source of the vulnerability gate, over real documents
// (test/fixtures/gates/openvex: Trivy's own, and hand-written ones following the spec).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderVulnerabilityVerdict } from "../../modules/gates/src/markdown.js";
import { parseOpenVex, type VexDocument } from "../../modules/gates/src/openvex.js";
import { type ScannedImage, vulnerabilityGate, type VulnerabilityGateInput } from "../../modules/gates/src/vulnerabilities.js";
import type { Waiver } from "../../modules/gates/src/waivers.js";
import { DIGEST_BACKEND, DIGEST_OTHER, imageIdOf, imageRef, trivyEdited, trivyText } from "./fixtures.js";
import { vexEdited, vexText } from "./vex-fixtures.js";

const TODAY = "2026-06-01";
const MUSL = "CVE-2019-14697"; // CRITICAL in alpine-39, in musl and musl-utils
const HEX_BACKEND = DIGEST_BACKEND.slice("sha256:".length);

/** The backend image scanned (alpine-39, tied to it by its config digest). */
const backend = (over: Partial<ScannedImage> = {}): ScannedImage => ({
  component: "backend",
  image: imageRef("backend", DIGEST_BACKEND),
  report: trivyText("alpine-39"),
  reportFile: "backend.json",
  imageId: imageIdOf("alpine-39"),
  ...over,
});
const gate = (over: Partial<VulnerabilityGateInput> = {}) => vulnerabilityGate({ images: [backend()], waivers: [], today: TODAY, ...over });

/** A fixture parsed as attached to a component. */
const doc = (name: string, component = "backend", text = vexText(name)): VexDocument => parseOpenVex(text, component, `${component}/${name}`);

const NOT_AFFECTED = "backend-not-affected.openvex.json";
const HISTORY = "backend-history.openvex.json";
const TRIVY = "trivy__.vex__oci.openvex.json";

describe("vulnerability gate with OpenVEX", () => {
  it("waives a vulnerability that a not_affected statement for the image's exact digest covers, naming author, time, justification and document", () => {
    const v = gate({ vex: [doc(NOT_AFFECTED)] });
    assert.equal(v.passed, true);
    const [c] = v.components;
    assert.deepEqual(c.blocking, []);
    assert.deepEqual(c.waived, []);
    assert.deepEqual(
      c.vexWaived.map((w) => [w.finding.id, w.finding.kind === "vulnerability" ? w.finding.package : "", w.statement.status, w.statement.author, w.statement.timestamp]),
      [
        [MUSL, "musl", "not_affected", "Webshop Security Team <security@example.com>", "2026-05-04T09:30:00Z"],
        [MUSL, "musl-utils", "not_affected", "Webshop Security Team <security@example.com>", "2026-05-04T09:30:00Z"],
      ],
    );
    assert.equal(
      v.details[0],
      `backend: ${MUSL} CRITICAL in musl 1.1.20-r4 (fixed in 1.1.20-r5): waived by the VEX statement of Webshop Security Team <security@example.com> (2026-05-04T09:30:00Z, backend/${NOT_AFFECTED} statements[0]): not_affected, vulnerable_code_not_in_execute_path: The x87 code path exists only on i386; this image is built for x86_64 only.`,
    );
    assert.equal(v.summary, "1 image, no unwaived CRITICAL findings (2 waived, 2 by VEX)");
    assert.equal(c.summary, "backend: nothing blocking (2 CRITICAL, 4 MEDIUM), 2 waived (2 by VEX)");
    // The module returns the verdict as JSON: the statement must serialise (no bigint in it).
    const json = JSON.parse(JSON.stringify(v)) as { components: { vexWaived: { statement: { file: string; justification: string } }[] }[] };
    assert.deepEqual(json.components[0].vexWaived[0].statement.file, `backend/${NOT_AFFECTED}`);
    assert.deepEqual(json.components[0].vexWaived[0].statement.justification, "vulnerable_code_not_in_execute_path");
  });

  it("waives for fixed too, and when the statement names the finding's ID as an alias", () => {
    const fixed = vexEdited(NOT_AFFECTED, (d) => {
      const s = d.statements[0];
      s.vulnerability = { name: "ALPINE-13661", aliases: [MUSL.toLowerCase()] };
      s.status = "fixed";
      delete s.justification;
      delete s.impact_statement;
    });
    const v = gate({ vex: [doc("fixed.json", "backend", fixed)] });
    assert.equal(v.passed, true);
    assert.match(v.details[0], /: waived by the VEX statement of .*: fixed$/);
  });

  it("does not waive for another digest, and says which product the statement is about", () => {
    const other = vexText(NOT_AFFECTED).replaceAll(HEX_BACKEND, DIGEST_OTHER.slice("sha256:".length));
    const v = gate({ vex: [doc("other.json", "backend", other)] });
    assert.equal(v.passed, false);
    assert.deepEqual(v.components[0].vexWaived, []);
    assert.equal(v.components[0].blocking.length, 2);
    assert.equal(
      v.details[0],
      `backend: ${MUSL} CRITICAL in musl 1.1.20-r4 (fixed in 1.1.20-r5): the VEX statement of Webshop Security Team <security@example.com> (2026-05-04T09:30:00Z, backend/other.json statements[0]) is about pkg:oci/backend@sha256%3A${"0".repeat(64)}?repository_url=registry.example.com%2Facme%2Fwebshop%2Fbackend, not about this image's digest ${DIGEST_BACKEND}`,
    );
  });

  it("does not use a statement attached to another component, even when it names this digest", () => {
    const v = gate({ vex: [doc(NOT_AFFECTED, "db")] });
    assert.equal(v.passed, false);
    assert.deepEqual(v.details.slice(-1), [`vex: db/${NOT_AFFECTED} attached to db, which is not among the images judged (backend); not used`]);
  });

  it("Trivy's own VEX (products with a repository and no digest) waives nothing, though it names the CVE and the package", () => {
    const report = trivyEdited("alpine-39", (r) => {
      r.Results[0].Vulnerabilities.push({
        VulnerabilityID: "CVE-2023-42363",
        PkgName: "busybox",
        PkgIdentifier: { PURL: "pkg:apk/alpine/busybox@1.29.3-r10?arch=x86_64&distro=3.9.4" },
        InstalledVersion: "1.29.3-r10",
        FixedVersion: "1.36.1-r16",
        Severity: "CRITICAL",
      });
    });
    const trivy = doc(TRIVY);
    assert.deepEqual([trivy.author, trivy.timestamp, trivy.statements.length], ["Aqua Security", "2024-07-10T12:17:44.60495+04:00", 7]);
    const v = gate({ images: [backend({ report })], vex: [trivy] });
    const busybox = v.details.find((d) => d.includes("CVE-2023-42363"));
    assert.equal(
      busybox,
      `backend: CVE-2023-42363 CRITICAL in busybox 1.29.3-r10 (fixed in 1.36.1-r16): the VEX statement of Aqua Security (2024-07-10T12:17:44.60495+04:00, backend/${TRIVY} statements[0]) is about pkg:oci/trivy?repository_url=index.docker.io%2Faquasec%2Ftrivy, pkg:oci/trivy?repository_url=public.ecr.aws%2Faquasecurity%2Ftrivy, pkg:oci/trivy?repository_url=ghcr.io/aquasecurity/trivy, not about this image's digest ${DIGEST_BACKEND}`,
    );
    assert.deepEqual(v.components[0].vexWaived, []);

    // The same statement with the product pinned to this digest waives busybox, and only busybox (its subcomponents).
    const pinned = vexEdited(TRIVY, (d) => (d.statements[0].products[2]["@id"] = `pkg:oci/trivy@sha256%3A${HEX_BACKEND}?repository_url=ghcr.io/aquasecurity/trivy`));
    const inMusl = trivyEdited("alpine-39", (r) => {
      const vulns = r.Results[0].Vulnerabilities;
      vulns.push({
        VulnerabilityID: "CVE-2023-42363",
        PkgName: "busybox",
        PkgIdentifier: { PURL: "pkg:apk/alpine/busybox@1.29.3-r10?arch=x86_64&distro=3.9.4" },
        InstalledVersion: "1.29.3-r10",
        Severity: "CRITICAL",
      });
      vulns.push({
        VulnerabilityID: "CVE-2023-42363",
        PkgName: "musl",
        PkgIdentifier: { PURL: "pkg:apk/alpine/musl@1.1.20-r4?arch=x86_64&distro=3.9.4" },
        InstalledVersion: "1.1.20-r4",
        Severity: "CRITICAL",
      });
    });
    const w = gate({ images: [backend({ report: inMusl })], vex: [doc("pinned.json", "backend", pinned)] });
    assert.deepEqual(
      w.components[0].vexWaived.map((x) => (x.finding.kind === "vulnerability" ? [x.finding.id, x.finding.package] : [])),
      [["CVE-2023-42363", "busybox"]],
    );
    assert.ok(w.components[0].blocking.some((f) => f.id === "CVE-2023-42363" && f.kind === "vulnerability" && f.package === "musl"));
    assert.ok(
      w.details.some(
        (d) =>
          d.includes("CVE-2023-42363 CRITICAL in musl") &&
          d.includes("is limited to pkg:apk/alpine/busybox, pkg:apk/alpine/busybox-binsh, pkg:apk/alpine/ssl_client, not pkg:apk/alpine/musl@1.1.20-r4?arch=x86_64&distro=3.9.4"),
      ),
      w.details.join("\n"),
    );
  });

  it("a statement limited to subcomponents does not waive a finding whose report gives no package URL", () => {
    const report = trivyEdited("alpine-39", (r) => {
      for (const v of r.Results[0].Vulnerabilities) delete v.PkgIdentifier;
    });
    const v = gate({ images: [backend({ report })], vex: [doc(NOT_AFFECTED)] });
    assert.equal(v.passed, false);
    assert.match(v.details[0], /is limited to pkg:apk\/alpine\/musl, pkg:apk\/alpine\/musl-utils and the report gives no package URL for musl$/);
  });

  it("affected and under_investigation never waive; the verdict says what the latest statement says", () => {
    for (const [status, extra] of [
      ["affected", { action_statement: "Rebuild on alpine 3.9.5." }],
      ["under_investigation", {}],
    ] as const) {
      const text = vexEdited(NOT_AFFECTED, (d) => {
        const s = d.statements[0];
        s.status = status;
        delete s.justification;
        delete s.impact_statement;
        Object.assign(s, extra);
      });
      const v = gate({ vex: [doc(`${status}.json`, "backend", text)] });
      assert.equal(v.passed, false, status);
      assert.deepEqual(v.components[0].vexWaived, [], status);
      assert.equal(
        v.details[0],
        `backend: ${MUSL} CRITICAL in musl 1.1.20-r4 (fixed in 1.1.20-r5): the VEX statement of Webshop Security Team <security@example.com> (2026-05-04T09:30:00Z, backend/${status}.json statements[0]) says ${status}${status === "affected" ? ": Rebuild on alpine 3.9.5." : ""}, which does not waive it`,
      );
    }
  });

  it("the latest statement wins by timestamp, across documents and within one (a statement's own timestamp before its document's)", () => {
    // under_investigation 2026-05-01, not_affected 2026-05-04, affected 2026-05-06 12:00 UTC: affected is the latest.
    const v = gate({ vex: [doc(NOT_AFFECTED), doc(HISTORY)] });
    assert.equal(v.passed, false);
    assert.match(
      v.details[0],
      /the VEX statement of .* \(2026-05-06T14:00:00\+02:00, backend\/backend-history\.openvex\.json statements\[1\]\) says affected: Rebuild on alpine 3\.9\.5, whose musl 1\.1\.20-r5 has the fix\., which does not waive it$/,
    );
    // Without the affected statement, the not_affected of 2026-05-04 is later than the investigation of 2026-05-01.
    const investigating = vexEdited(HISTORY, (d) => d.statements.pop());
    const w = gate({ vex: [doc(HISTORY, "backend", investigating), doc(NOT_AFFECTED)] });
    assert.equal(w.passed, true);
    assert.equal(w.components[0].vexWaived[0].statement.file, `backend/${NOT_AFFECTED}`);
    // A not_affected later than the affected one waives again: order in the folder does not matter, time does.
    const later = vexEdited(NOT_AFFECTED, (d) => (d.timestamp = "2026-05-06T12:00:00.000000001Z"));
    assert.equal(gate({ vex: [doc("later.json", "backend", later), doc(HISTORY)] }).passed, true);
    const same = vexEdited(NOT_AFFECTED, (d) => (d.timestamp = "2026-05-06T12:00:00Z"));
    assert.equal(gate({ vex: [doc("same.json", "backend", same), doc(HISTORY)] }).passed, false, "statements at the same moment that disagree do not waive");
  });

  it("a statement without products waives nothing (its products would come from an attestation subject the gate does not see)", () => {
    const bare = vexEdited(NOT_AFFECTED, (d) => delete d.statements[0].products);
    const v = gate({ vex: [doc("bare.json", "backend", bare)] });
    assert.equal(v.passed, false);
    assert.match(v.details[0], /statements\[0\]\) names no product \(the gate reads the document alone, so nothing ties it to this image's digest\)$/);
  });

  it("takes the digest from an image reference @id and from hashes sha-256 too", () => {
    const byHash = vexEdited(NOT_AFFECTED, (d) => (d.statements[0].products = [{ "@id": "https://registry.example.com/acme/webshop/backend", hashes: { "sha-256": HEX_BACKEND } }]));
    const byRef = vexEdited(NOT_AFFECTED, (d) => (d.statements[0].products = [{ "@id": `mirror.example.com/webshop/backend@${DIGEST_BACKEND}` }]));
    assert.equal(gate({ vex: [doc("hash.json", "backend", byHash)] }).passed, true);
    assert.equal(gate({ vex: [doc("ref.json", "backend", byRef)] }).passed, true);
  });

  it("does not trust a product that names this digest and another one", () => {
    const torn = vexEdited(NOT_AFFECTED, (d) => (d.statements[0].products[0].hashes = { "sha-256": DIGEST_OTHER.slice("sha256:".length) }));
    const v = gate({ vex: [doc("torn.json", "backend", torn)] });
    assert.equal(v.passed, false);
    assert.match(
      v.details[0],
      new RegExp(`statements\\[0\\]\\) names ${DIGEST_BACKEND} and another digest in one product \\(${DIGEST_BACKEND}, ${DIGEST_OTHER}\\), so it is not clear which image it is about$`),
    );
  });

  it("a YAML waiver is recorded first when both cover a finding, with a note when VEX says affected", () => {
    const waiver: Waiver = { cve: MUSL, digest: DIGEST_BACKEND, reason: "accepted until the rebuild", approver: "jane.doe@example.com", expires: "2026-06-30" };
    const v = gate({ waivers: [waiver], vex: [doc(NOT_AFFECTED), doc(HISTORY)] });
    assert.equal(v.passed, true);
    assert.equal(v.components[0].waived.length, 2);
    assert.deepEqual(v.components[0].vexWaived, []);
    assert.match(v.details[0], /: waived until 2026-06-30 by jane\.doe@example\.com: accepted until the rebuild \(note: the VEX statement of .* says affected\)$/);
  });

  it("shows VEX-waived findings in the Markdown with status, justification, author, time and document", () => {
    const md = renderVulnerabilityVerdict(gate({ vex: [doc(NOT_AFFECTED)] }));
    const lines = md.split("\n");
    assert.ok(lines.includes("**backend**: waived by VEX"), md);
    assert.ok(
      lines.includes(
        `| ${MUSL} | musl | 1.1.20-r4 | 1.1.20-r5 | CRITICAL |  | not_affected | vulnerable_code_not_in_execute_path: The x87 code path exists only on i386; this image is built for x86_64 only. | Webshop Security Team <security@example.com> | 2026-05-04T09:30:00Z | backend/${NOT_AFFECTED} statements[0] |`,
      ),
      md,
    );
  });
});

describe("VEX never waives a secret or a misconfiguration", () => {
  /** alpine-39 with a CRITICAL secret and a CRITICAL failed misconfiguration check added. */
  const withOthers = trivyEdited("alpine-39", (r) => {
    r.Results.push({ Target: "/app/.env", Class: "secret", Secrets: [{ RuleID: "aws-access-key-id", Category: "AWS", Severity: "CRITICAL", Title: "AWS Access Key ID", StartLine: 2 }] });
    r.Results.push({
      Target: "Dockerfile",
      Class: "config",
      Type: "dockerfile",
      Misconfigurations: [{ ID: "DS-0002", Title: "Image user should not be 'root'", Severity: "CRITICAL", Status: "FAIL" }],
    });
  });
  /** A not_affected statement for this digest naming `id`, without subcomponents. */
  const naming = (id: string) =>
    doc(
      `${id}.json`,
      "backend",
      vexEdited(NOT_AFFECTED, (d) => {
        d.statements[0].vulnerability = { name: id };
        delete d.statements[0].products[0].subcomponents;
      }),
    );

  it("keeps a secret and a misconfiguration blocking even when a statement for this digest names them, and says VEX waives vulnerabilities only", () => {
    const v = gate({ images: [backend({ report: withOthers })], vex: [doc(NOT_AFFECTED), naming("aws-access-key-id"), naming("DS-0002")] });
    assert.equal(v.passed, false);
    const [c] = v.components;
    assert.deepEqual(
      c.vexWaived.map((w) => w.finding.kind),
      ["vulnerability", "vulnerability"],
    );
    assert.deepEqual(
      c.blocking.map((f) => [f.kind, f.id]),
      [
        ["misconfiguration", "DS-0002"],
        ["secret", "aws-access-key-id"],
      ],
    );
    assert.ok(
      v.details.includes(
        "backend: misconfiguration DS-0002 CRITICAL in Dockerfile: Image user should not be 'root': the VEX statement of Webshop Security Team <security@example.com> (2026-05-04T09:30:00Z, backend/DS-0002.json statements[0]) names DS-0002: VEX waives vulnerabilities only, never a misconfiguration",
      ),
      v.details.join("\n"),
    );
    assert.ok(
      v.details.includes(
        "backend: secret aws-access-key-id CRITICAL in /app/.env line 2: AWS Access Key ID (AWS): a secret is never waived; remove it from the image, rotate it and rebuild (the VEX statement of Webshop Security Team <security@example.com> (2026-05-04T09:30:00Z, backend/aws-access-key-id.json statements[0]) names aws-access-key-id: VEX waives vulnerabilities only, never a secret)",
      ),
      v.details.join("\n"),
    );
    assert.match(v.summary, /a secret is never waived: remove it from the image, rotate it and rebuild$/);
  });
});
