// OpenVEX documents read strictly: a malformed one is an error naming the component, the file and the field; the vex folder's layout; purls.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GateInputError } from "../../modules/gates/src/errors.js";
import { instantOf, parseOpenVex } from "../../modules/gates/src/openvex.js";
import { parsePurl, purlCovers } from "../../modules/gates/src/purl.js";
import { checkVexLayout, parseVexFiles } from "../../modules/gates/src/vex-files.js";
import { productDigests } from "../../modules/gates/src/vex.js";
import { DIGEST_BACKEND } from "./fixtures.js";
import { vexEdited, vexText } from "./vex-fixtures.js";

const NOT_AFFECTED = "backend-not-affected.openvex.json";
const WHERE = "vex backend/bad.json (attached to backend)";

/** The GateInputError message of parsing `text` as backend/bad.json. */
function refusal(text: string): string {
  try {
    parseOpenVex(text, "backend", "backend/bad.json");
  } catch (e) {
    assert.ok(e instanceof GateInputError, String(e));
    return e.message;
  }
  assert.fail("the document was accepted");
}

describe("OpenVEX documents", () => {
  it("reads the fixtures: author, timestamps inherited from the document or the statement's own", () => {
    const history = parseOpenVex(vexText("backend-history.openvex.json"), "backend", "backend/h.json");
    assert.deepEqual(
      history.statements.map((s) => [s.status, s.timestamp, s.author]),
      [
        ["under_investigation", "2026-05-01T08:00:00Z", "Webshop Security Team <security@example.com>"],
        ["affected", "2026-05-06T14:00:00+02:00", "Webshop Security Team <security@example.com>"],
      ],
    );
    assert.equal(history.statements[1].actionStatement, "Rebuild on alpine 3.9.5, whose musl 1.1.20-r5 has the fix.");
  });

  it("refuses not_affected without a justification or an impact_statement, and affected without an action_statement", () => {
    const bare = vexEdited(NOT_AFFECTED, (d) => {
      delete d.statements[0].justification;
      delete d.statements[0].impact_statement;
    });
    assert.equal(
      refusal(bare),
      `${WHERE}: not a valid OpenVEX v0.2.0 document (1 problem):\n  statements[0]: status not_affected needs a justification (component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist) or an impact_statement saying why the product is not affected`,
    );
    const affected = vexEdited(NOT_AFFECTED, (d) => (d.statements[0].status = "affected"));
    assert.match(refusal(affected), /\n {2}statements\[0\]: status affected needs an action_statement saying how to remediate or mitigate$/);
  });

  it("names each bad field with its path and what is valid: status, justification, timestamp, a misspelled key, a missing name", () => {
    const bad = vexEdited(NOT_AFFECTED, (d) => {
      d.timestamp = "2026-05-04 09:30";
      d.statements[0].status = "not affected";
      d.statements[0].justification = "code_not_reachable";
      d.statements[0].product = d.statements[0].products;
      delete d.statements[0].vulnerability.name;
    });
    assert.equal(
      refusal(bad),
      [
        `${WHERE}: not a valid OpenVEX v0.2.0 document (5 problems):`,
        '  timestamp: must be an RFC 3339 date-time such as 2026-05-04T10:00:00Z, got "2026-05-04 09:30"',
        "  statements[0].vulnerability.name: is required (expected string)",
        '  statements[0].status: expected "not_affected" or "affected" or "fixed" or "under_investigation", got "not affected"',
        '  statements[0].justification: expected "component_not_present" or "vulnerable_code_not_present" or "vulnerable_code_not_in_execute_path" or "vulnerable_code_cannot_be_controlled_by_adversary" or "inline_mitigations_already_exist", got "code_not_reachable"',
        "  statements[0].product: is not an OpenVEX v0.2.0 field",
      ].join("\n"),
    );
  });

  it("refuses a product or subcomponent that names nothing, and identifiers without purl or cpe", () => {
    const bad = vexEdited(NOT_AFFECTED, (d) => {
      d.statements[0].products.push({ hashes: { "sha-256": "ab" } });
      d.statements[0].products[0].subcomponents.push({});
      d.statements[0].products[0].identifiers = {};
    });
    const message = refusal(bad);
    assert.match(message, /\n {2}statements\[0\]\.products\[0\]\.identifiers: needs purl, cpe22 or cpe23/);
    assert.match(message, /\n {2}statements\[0\]\.products\[0\]\.subcomponents\[2\]: needs @id or identifiers \(a subcomponent must name the package it is about\)/);
    assert.match(message, /\n {2}statements\[0\]\.products\[1\]: needs @id or identifiers \(a product must name what the statement is about\)/);
  });

  it("refuses what is not a v0.2.0 document: not JSON (with the position), a list, an in-toto statement, another @context, no statements", () => {
    assert.equal(refusal('{"@context": "https://openvex.dev/ns/v0.2.0",'), `${WHERE}: is not JSON (line 1, column 46: the text ends before the JSON does; a truncated file?)`);
    assert.equal(refusal("[]"), `${WHERE}: must be an OpenVEX document (a JSON object with "@context": "https://openvex.dev/ns/v0.2.0"), got a list`);
    const envelope = JSON.stringify({
      _type: "https://in-toto.io/Statement/v0.1",
      predicateType: "https://openvex.dev/ns",
      subject: [{ name: "backend", digest: { sha256: DIGEST_BACKEND.slice(7) } }],
      predicate: JSON.parse(vexText(NOT_AFFECTED)),
    });
    assert.equal(refusal(envelope), `${WHERE}: is an in-toto statement (predicateType "https://openvex.dev/ns"), not an OpenVEX document: pass its predicate, the document itself`);
    assert.equal(
      refusal(vexEdited(NOT_AFFECTED, (d) => (d["@context"] = "https://openvex.dev/ns"))),
      `${WHERE}: @context "https://openvex.dev/ns" is not supported: the gate reads OpenVEX v0.2.0 ("@context": "https://openvex.dev/ns/v0.2.0")`,
    );
    assert.equal(refusal(vexEdited(NOT_AFFECTED, (d) => (d.statements = []))), `${WHERE}: not a valid OpenVEX v0.2.0 document (1 problem):\n  statements: must hold at least one statement`);
    assert.match(refusal(vexEdited(NOT_AFFECTED, (d) => delete d.author)), /\n {2}author: is required \(expected string\)$/);
    assert.match(refusal(vexEdited(NOT_AFFECTED, (d) => (d.version = "1"))), /\n {2}version: expected number, got "1"$/);
  });

  it("reads RFC 3339 times to the nanosecond, with offsets; refuses impossible dates and times", () => {
    assert.equal(instantOf("2026-05-06T14:00:00+02:00"), instantOf("2026-05-06T12:00:00Z"));
    assert.ok((instantOf("2026-05-06T12:00:00.000000001Z") as bigint) > (instantOf("2026-05-06T12:00:00Z") as bigint));
    for (const bad of ["2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00", "2026-01-01"]) assert.equal(instantOf(bad), undefined, bad);
  });
});

describe("the vex folder", () => {
  it("takes <component>/<name>.json, and empty component folders", () => {
    assert.doesNotThrow(() => checkVexLayout(["backend/", "backend/a.json", "db/"]));
    const docs = parseVexFiles([{ path: "backend/musl.json", text: vexText(NOT_AFFECTED) }]);
    assert.deepEqual(
      docs.map((d) => [d.component, d.file]),
      [["backend", "backend/musl.json"]],
    );
  });

  it("refuses files outside a component folder, nested folders, other names, and names that are no component", () => {
    assert.throws(
      () => checkVexLayout(["backend.json", "backend/x/", "backend/notes.txt", "Backend/a.json"]),
      (e: Error) =>
        e instanceof GateInputError &&
        e.message ===
          'vex: "backend.json", "backend/x/", "backend/notes.txt", "Backend/a.json" are not where the gate reads VEX: one folder per component holding one OpenVEX document per file: <component>/<name>.json',
    );
  });

  it("a malformed document errors the whole call, naming its component and file (the same as a malformed waivers file)", () => {
    const files = [
      { path: "backend/good.json", text: vexText(NOT_AFFECTED) },
      { path: "db/bad.json", text: "{}" },
    ];
    assert.throws(
      () => parseVexFiles(files),
      (e: Error) => e instanceof GateInputError && e.message.startsWith("vex db/bad.json (attached to db): @context undefined is not supported"),
    );
  });
});

describe("package URLs and product digests", () => {
  it("parses type, namespace, name, version and qualifiers, decoded; an unencoded npm scope is a namespace", () => {
    assert.deepEqual(parsePurl("pkg:oci/trivy@sha256%3Aabc?repository_url=ghcr.io%2Faquasecurity%2Ftrivy"), {
      type: "oci",
      namespace: "",
      name: "trivy",
      version: "sha256:abc",
      qualifiers: { repository_url: "ghcr.io/aquasecurity/trivy" },
    });
    assert.deepEqual(parsePurl("pkg:npm/@angular/core"), { type: "npm", namespace: "@angular", name: "core", qualifiers: {} });
    assert.deepEqual(parsePurl("pkg:golang/github.com/docker/docker@v24.0.9%2Bincompatible"), {
      type: "golang",
      namespace: "github.com/docker",
      name: "docker",
      version: "v24.0.9+incompatible",
      qualifiers: {},
    });
    assert.equal(parsePurl("https://example.com/x"), undefined);
    assert.equal(parsePurl("pkg:oci"), undefined);
  });

  it("a subcomponent without version or qualifiers covers every version; given ones must match", () => {
    const musl = parsePurl("pkg:apk/alpine/musl@1.1.20-r4?arch=x86_64&distro=3.9.4")!;
    assert.equal(purlCovers(parsePurl("pkg:apk/alpine/musl")!, musl), true);
    assert.equal(purlCovers(parsePurl("pkg:apk/alpine/musl@1.1.20-r4?arch=x86_64")!, musl), true);
    assert.equal(purlCovers(parsePurl("pkg:apk/alpine/musl@1.1.20-r5")!, musl), false);
    assert.equal(purlCovers(parsePurl("pkg:apk/alpine/musl?arch=aarch64")!, musl), false);
    assert.equal(purlCovers(parsePurl("pkg:apk/alpine/musl-utils")!, musl), false);
  });

  it("finds a product's digest in an oci or docker purl (encoded or not), an image reference, a bare digest or hashes; none in a repository-only purl", () => {
    const hex = DIGEST_BACKEND.slice(7);
    assert.deepEqual(productDigests({ "@id": `pkg:oci/backend@sha256%3A${hex}` }), [DIGEST_BACKEND]);
    assert.deepEqual(productDigests({ "@id": `pkg:docker/acme/backend@sha256:${hex}` }), [DIGEST_BACKEND]);
    assert.deepEqual(productDigests({ "@id": `registry.example.com/acme/backend@${DIGEST_BACKEND}` }), [DIGEST_BACKEND]);
    assert.deepEqual(productDigests({ "@id": DIGEST_BACKEND }), [DIGEST_BACKEND]);
    assert.deepEqual(productDigests({ "@id": "https://example.com/backend", hashes: { "sha-256": hex } }), [DIGEST_BACKEND]);
    assert.deepEqual(productDigests({ "@id": "pkg:oci/trivy?repository_url=ghcr.io/aquasecurity/trivy" }), []);
    assert.deepEqual(productDigests({ "@id": `pkg:apk/alpine/musl@sha256:${hex}` }), [], "only image purls name an image digest");
  });
});
