// The sign stage's cosign commands for each signing setting (key or keyless, with or without the
// transparency log, plain-HTTP registry), the attestations' predicates, and pipeline.yaml's signing
// section. The key-based commands run against a real cosign in test/sign/cosign.integration.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../.dagger/src/config/load.js";
import type { Signing } from "../../.dagger/src/config/schema.js";
import { ATTESTATIONS, type AttestedBuild, provenancePredicate, testResultPredicate } from "../../.dagger/src/release/attestations.js";
import { attestCommand, byDigest, signCommand, verifyAttestationCommand, verifyCommand, whyCannotSign } from "../../.dagger/src/stages/sign.js";

const D = `sha256:${"e".repeat(64)}`;
const IMAGE = `registry.example.com/acme/webshop/backend@${D}`;
const KEY: Signing = { publicKey: "cosign.pub", transparencyLog: true };
const KEYLESS: Signing = {
  keyless: { issuer: "https://token.actions.githubusercontent.com", identity: "https://github.com/acme/webshop/.github/workflows/ci.yml@refs/heads/main" },
  transparencyLog: true,
  rekorUrl: "https://rekor.acme.example",
  fulcioUrl: "https://fulcio.acme.example",
};

const minimal = (signing: string) => `name: shop\ncomponents:\n  backend:\n    kind: service\n    toolchain: node\n    path: backend\nregistry:\n  address: registry.example.com/acme/shop\n${signing}`;

describe("cosign commands", () => {
  it("key-based, with the log: signs and uploads to Rekor; verification uses the public key and requires the entry", () => {
    assert.deepEqual(signCommand(KEY, { image: IMAGE, plainHttp: false }), ["cosign", "sign", "--yes", "--key", "/cosign/cosign.key", "--tlog-upload=true", IMAGE]);
    assert.deepEqual(verifyCommand(KEY, { image: IMAGE, plainHttp: false }), ["cosign", "verify", "--key", "/cosign/cosign.pub", "--output", "json", IMAGE]);
  });

  it("key-based without a log: nothing is uploaded, and verification is told to skip the log", () => {
    const s: Signing = { ...KEY, transparencyLog: false };
    assert.ok(signCommand(s, { image: IMAGE, plainHttp: true }).includes("--tlog-upload=false"));
    assert.ok(signCommand(s, { image: IMAGE, plainHttp: true }).includes("--allow-http-registry"));
    assert.deepEqual(verifyAttestationCommand(s, { image: IMAGE, plainHttp: false }, ATTESTATIONS.provenance), [
      "cosign",
      "verify-attestation",
      "--key",
      "/cosign/cosign.pub",
      "--insecure-ignore-tlog=true",
      "--type",
      "slsaprovenance1",
      IMAGE,
    ]);
  });

  it("keyless: the identity token file and Fulcio sign; verification names the identity and its issuer, and the Rekor instance", () => {
    const attest = attestCommand(KEYLESS, { image: IMAGE, plainHttp: false }, ATTESTATIONS.testResult);
    assert.deepEqual(attest, [
      "cosign",
      "attest",
      "--yes",
      "--replace",
      "--identity-token",
      "/cosign/identity-token",
      "--fulcio-url",
      "https://fulcio.acme.example",
      "--type",
      "https://in-toto.io/attestation/test-result/v0.1",
      "--predicate",
      "/cosign/predicate.json",
      "--tlog-upload=true",
      "--rekor-url",
      "https://rekor.acme.example",
      IMAGE,
    ]);
    const github = signCommand(KEYLESS, { image: IMAGE, plainHttp: false, identity: "github-actions" });
    assert.deepEqual(github.slice(3, 5), ["--oidc-provider", "github-actions"], "on GitHub Actions cosign asks the runner for a fresh token");
    assert.ok(!github.includes("--identity-token"));
    const trusted = verifyCommand(KEYLESS, { image: IMAGE, plainHttp: false, trustedRoot: true });
    assert.deepEqual(trusted.slice(trusted.indexOf("--trusted-root"), trusted.indexOf("--trusted-root") + 2), ["--trusted-root", "/cosign/trusted-root.json"], "a private Sigstore's trust root");
    const verify = verifyCommand(KEYLESS, { image: IMAGE, plainHttp: false });
    assert.deepEqual(verify.slice(2, 6), ["--certificate-identity", KEYLESS.keyless?.identity, "--certificate-oidc-issuer", KEYLESS.keyless?.issuer]);
    assert.ok(!verify.includes("--insecure-ignore-tlog=true"));
  });

  it("signs digests, never tags; a reference without a digest is refused naming it", () => {
    assert.equal(byDigest(`registry.example.com/acme/webshop/backend:${"a".repeat(40)}@${D}`), IMAGE);
    assert.throws(() => byDigest("registry.example.com/acme/webshop/backend:1.2.0"), /signing: registry\.example\.com\/acme\/webshop\/backend:1\.2\.0 is not an image reference with a sha256 digest/);
  });

  it("says which secret is missing for the configured signing", () => {
    const config = parseConfig(minimal("signing:\n  publicKey: cosign.pub\n"));
    assert.match(whyCannotSign(config, {}), /--signing-key/);
    assert.equal(whyCannotSign(config, { key: {} as never }), "");
    const keyless = parseConfig(minimal(`signing:\n  keyless:\n    issuer: ${KEYLESS.keyless?.issuer}\n    identity: ${KEYLESS.keyless?.identity}\n`));
    assert.match(whyCannotSign(keyless, { key: {} as never }), /--github-oidc-url and --github-oidc-token\) or a token \(--signing-token\)/);
    assert.equal(whyCannotSign(keyless, { githubOidc: { url: {} as never, token: {} as never } }), "");
    assert.equal(whyCannotSign(parseConfig(minimal("")), {}), "", "no signing section: nothing to sign with");
  });
});

describe("pipeline.yaml signing", () => {
  it("needs exactly one of publicKey and keyless, and keyless needs the log", () => {
    assert.throws(() => parseConfig(minimal("signing:\n  transparencyLog: false\n")), /signing: must name exactly one of publicKey \(a key pair\) or keyless/);
    assert.throws(() => parseConfig(minimal(`signing:\n  publicKey: cosign.pub\n  keyless:\n    issuer: https://x.example\n    identity: me\n`)), /exactly one of publicKey/);
    assert.throws(() => parseConfig(minimal("signing:\n  keyless:\n    issuer: https://x.example\n    identity: me\n  transparencyLog: false\n")), /keyless signing needs the transparency log/);
    assert.equal(parseConfig(minimal("signing:\n  publicKey: cosign.pub\n")).signing?.transparencyLog, true, "the log is on by default");
  });
});

describe("attestation predicates", () => {
  const build: AttestedBuild = {
    pipeline: "webshop",
    component: "backend",
    revision: "a".repeat(40),
    source: "https://github.com/acme/webshop",
    runUrl: "https://ci.example/1",
    started: "2026-12-07T08:00:00Z",
    baseImages: [`node:22-bookworm-slim@${D}`],
    tests: [{ name: "backend/unit", passed: true }],
    reused: false,
  };

  it("a test result is PASSED only when every test passed, and never for no tests", () => {
    assert.equal(testResultPredicate(build).result, "PASSED");
    assert.equal(testResultPredicate({ ...build, tests: [...build.tests, { name: "e2e/playwright", passed: false }] }).result, "FAILED");
    assert.deepEqual(testResultPredicate({ ...build, tests: [...build.tests, { name: "e2e/playwright", passed: false }] }).failedTests, ["e2e/playwright"]);
    assert.equal(testResultPredicate({ ...build, tests: [] }).result, "FAILED");
  });

  it("provenance names the commit and the base images by digest; an unpinned base is refused", () => {
    const p = provenancePredicate(build) as { buildDefinition: { resolvedDependencies: unknown[] }; runDetails: { builder: { id: string } } };
    assert.deepEqual(p.buildDefinition.resolvedDependencies, [
      { uri: `git+https://github.com/acme/webshop@${"a".repeat(40)}`, digest: { gitCommit: "a".repeat(40) } },
      { uri: "oci://node:22-bookworm-slim", digest: { sha256: "e".repeat(64) } },
    ]);
    assert.equal(p.runDetails.builder.id, `https://github.com/acme/webshop/.dagger@${"a".repeat(40)}`);
    assert.throws(() => provenancePredicate({ ...build, baseImages: ["node:22-bookworm-slim"] }), /not pinned by digest/);
  });
});
