// The signature gate's own checks on cosign's answers, in the shapes real cosign writes them
// (test/sign/cosign.integration.ts feeds it real ones): a verify answer naming another digest, a
// statement for another digest that cosign let through, a test result that is not PASSED, an
// unreadable answer, and an emergency.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CosignAnswer, signatureGate, TEST_RESULT } from "../../modules/gates/src/signatures.js";

const D = `sha256:${"1".repeat(64)}`;
const OTHER = `sha256:${"2".repeat(64)}`;
const IMAGE = `registry.example/acme/backend:${"a".repeat(40)}@${D}`;
const SBOM = "https://cyclonedx.org/bom";
const REQUIRED = [SBOM, TEST_RESULT];

const ok = (stdout: string): CosignAnswer => ({ exitCode: 0, stdout, stderr: "" });
/** cosign verify's stdout: the simple-signing payloads. */
const signed = (digest: string) =>
  ok(
    JSON.stringify([
      { critical: { identity: { "docker-reference": "registry.example/acme/backend" }, image: { "docker-manifest-digest": digest }, type: "cosign container image signature" }, optional: null },
    ]),
  );
/** One DSSE envelope per line, as cosign verify-attestation writes them. */
const attested = (type: string, digest: string, predicate: Record<string, unknown> = {}) =>
  ok(
    `${JSON.stringify({ payloadType: "application/vnd.in-toto+json", payload: Buffer.from(JSON.stringify({ _type: "https://in-toto.io/Statement/v0.1", predicateType: type, subject: [{ name: "registry.example/acme/backend", digest: { sha256: digest.slice(7) } }], predicate })).toString("base64"), signatures: [{ keyid: "", sig: "MEUCIQ" }] })}\n`,
  );

const judge = (signature: CosignAnswer, attestations: Record<string, CosignAnswer>, emergency?: string) =>
  signatureGate({ images: [{ component: "backend", image: IMAGE, verification: { signature, attestations } }], required: REQUIRED, ...(emergency ? { emergency: { reason: emergency } } : {}) });
const good = () => ({ [SBOM]: attested(SBOM, D), [TEST_RESULT]: attested(TEST_RESULT, D, { result: "PASSED" }) });

describe("signature gate", () => {
  it("passes a signature and attestations made for the promoted digest", () => {
    const v = judge(signed(D), good());
    assert.equal(v.passed, true, v.details.join("\n"));
    assert.equal(v.waivedByEmergency, false);
  });

  it("refuses a signed payload that names another digest", () => {
    const v = judge(signed(OTHER), good());
    assert.equal(v.passed, false);
    assert.match(v.details.join("\n"), new RegExp(`backend sha256:111111111111: the signature is for another digest \\(${OTHER}\\)`));
  });

  it("refuses an attestation whose statement is for another digest, even when cosign exited 0", () => {
    const v = judge(signed(D), { ...good(), [SBOM]: attested(SBOM, OTHER) });
    assert.equal(v.passed, false);
    assert.match(v.details.join("\n"), /the https:\/\/cyclonedx\.org\/bom attestation was made for another digest/);
  });

  it("refuses a test result that is not PASSED, and a missing attestation", () => {
    const failed = judge(signed(D), { ...good(), [TEST_RESULT]: attested(TEST_RESULT, D, { result: "FAILED" }) });
    assert.match(failed.details.join("\n"), /test result attested for this digest is not PASSED \(FAILED\)/);
    const missing = judge(signed(D), { [TEST_RESULT]: attested(TEST_RESULT, D, { result: "PASSED" }) });
    assert.match(missing.details.join("\n"), /the https:\/\/cyclonedx\.org\/bom attestation was not checked/);
    const wrongType = judge(signed(D), { ...good(), [SBOM]: attested("https://spdx.dev/Document", D) });
    assert.match(wrongType.details.join("\n"), /no https:\/\/cyclonedx\.org\/bom attestation$/m);
  });

  it("fails closed on cosign's failure and on answers it cannot read, naming cosign's error", () => {
    const v = judge(
      { exitCode: 10, stdout: "", stderr: "WARNING: Skipping tlog verification\nError: no matching signatures: invalid signature when validating ASN.1 encoded signature\n" },
      { [SBOM]: ok("not json"), [TEST_RESULT]: ok("{}\n") },
    );
    assert.equal(v.passed, false);
    const details = v.details.join("\n");
    assert.match(details, /no valid signature: Error: no matching signatures: invalid signature/);
    assert.match(details, /a https:\/\/cyclonedx\.org\/bom attestation cannot be read/);
    assert.match(details, /a https:\/\/in-toto\.io\/attestation\/test-result\/v0\.1 attestation has no payload/);
  });

  it("an emergency passes the gate and keeps every problem in the details", () => {
    const v = judge({ exitCode: 1, stdout: "", stderr: "Error: no signatures found" }, good(), "prod is down");
    assert.equal(v.passed, true);
    assert.equal(v.waivedByEmergency, true);
    assert.match(v.summary, /waived by the emergency \(prod is down\)/);
    assert.match(v.details.join("\n"), /no valid signature: Error: no signatures found/);
  });
});
