// Real cosign (built from the Go module proxy, scripts/integration/cosign.sh) against a real
// registry (Debian's docker-registry on a loopback port): the sign stage's own commands
// (.dagger/src/stages/sign.ts) sign and attest an image with a throwaway key pair, the verify
// commands' real answers go to the gates module's signature gate, and the gate decides. No
// transparency log here (nothing leaves the machine): signing.transparencyLog is false, as a
// private setup without Rekor would set it. Nothing here ran in Dagger.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Signing } from "../../.dagger/src/config/schema.js";
import { ATTESTATIONS, type AttestationKind, provenancePredicate, reportOfVulnPredicate, testResultPredicate, VEX_ATTESTATION, vulnPredicate } from "../../.dagger/src/release/attestations.js";
import { attestCommand, attestedPredicates, type CosignFiles, signCommand, verifyAttestationCommand, verifyCommand } from "../../.dagger/src/stages/sign.js";
import { type CosignAnswer, type ImageVerification, signatureGate } from "../../modules/gates/src/signatures.js";
import { pushImage } from "../registry/push.js";
import { type RegistryServer, startRegistry } from "../registry/registry-server.js";

const run = promisify(execFile);
const COSIGN = process.env.COSIGN_BIN ?? "";
const REV = "0123456789abcdef0123456789abcdef01234567";
const SIGNING: Signing = { publicKey: "cosign.pub", transparencyLog: false };
const REQUIRED = Object.values(ATTESTATIONS).map((k) => k.predicateType);
/** A small CycloneDX 1.6 document, as Trivy's conversion writes one (trimmed to one component). */
const SBOM = {
  bomFormat: "CycloneDX",
  specVersion: "1.6",
  serialNumber: "urn:uuid:6f1c1f4e-2f5c-4a4e-9f0e-1f2a3b4c5d6e",
  version: 1,
  components: [{ type: "library", name: "pg", version: "8.23.1", purl: "pkg:npm/pg@8.23.1" }],
};

/** A Trivy JSON report (SchemaVersion 2) with one finding, as the scan stage writes one. */
const REPORT = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: "/scan/image.tar",
  ArtifactType: "container_image",
  Metadata: { ImageID: `sha256:${"c".repeat(64)}` },
  Results: [{ Target: "Node.js", Class: "lang-pkgs", Type: "node-pkg", Vulnerabilities: [{ VulnerabilityID: "CVE-2099-10001", PkgName: "pg", InstalledVersion: "8.23.1", Severity: "CRITICAL" }] }],
});

/** One throwaway key pair, written by cosign itself. */
interface KeyPair {
  files: CosignFiles;
  password: string;
}

async function cosign(args: string[], env: Record<string, string> = {}): Promise<CosignAnswer> {
  assert.equal(args[0], "cosign");
  try {
    const { stdout, stderr } = await run(COSIGN, args.slice(1), { env: { ...process.env, ...env, COSIGN_YES: "true" }, timeout: 120_000, maxBuffer: 64 << 20 });
    return { exitCode: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: typeof err.code === "number" ? err.code : -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

async function keyPair(dir: string, password: string): Promise<KeyPair> {
  const r = await run(COSIGN, ["generate-key-pair"], { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: password } });
  assert.ok(r.stderr.includes("Private key written") || r.stdout.includes("Private key written"), r.stderr);
  return {
    password,
    files: {
      key: join(dir, "cosign.key"),
      publicKey: join(dir, "cosign.pub"),
      identityToken: join(dir, "none"),
      predicate: join(dir, "predicate.json"),
      dockerConfig: join(dir, "docker"),
      trustedRoot: join(dir, "trusted-root.json"),
    },
  };
}

describe("real cosign: the sign stage's commands, and the signature gate on cosign's real answers", { skip: false }, () => {
  let registry: RegistryServer;
  let work: string;
  let key: KeyPair;
  let other: KeyPair;
  const images: Record<string, string> = {};
  const target = (image: string) => ({ image, plainHttp: true });

  /** Sign and attest the way signImage does: the signature, then each predicate through the predicate file. */
  async function signAndAttest(image: string, k: KeyPair, kinds: { kind: AttestationKind; predicate: unknown }[]): Promise<void> {
    const signed = await cosign(signCommand(SIGNING, target(image), k.files), { COSIGN_PASSWORD: k.password });
    assert.equal(signed.exitCode, 0, signed.stderr);
    for (const a of kinds) {
      writeFileSync(k.files.predicate, JSON.stringify(a.predicate));
      const attested = await cosign(attestCommand(SIGNING, target(image), a.kind, k.files), { COSIGN_PASSWORD: k.password });
      assert.equal(attested.exitCode, 0, attested.stderr);
    }
  }

  /** What verifyImage collects, with the real cosign. */
  async function verification(image: string, k: KeyPair): Promise<ImageVerification> {
    const signature = await cosign(verifyCommand(SIGNING, target(image), k.files));
    const attestations = Object.fromEntries(
      await Promise.all(Object.values(ATTESTATIONS).map(async (kind) => [kind.predicateType, await cosign(verifyAttestationCommand(SIGNING, target(image), kind, k.files))] as const)),
    );
    return { signature, attestations };
  }

  const judge = async (component: string, image: string, k: KeyPair) => signatureGate({ images: [{ component, image, verification: await verification(image, k) }], required: REQUIRED });

  const build = (component: string) => ({
    pipeline: "webshop",
    component,
    revision: REV,
    source: "https://git.example/acme/webshop",
    runUrl: "https://ci.example/run/1",
    started: "2026-12-07T08:00:00Z",
    baseImages: [`node:22-bookworm-slim@sha256:${"a".repeat(64)}`],
    tests: [
      { name: `${component}/unit`, passed: true },
      { name: "e2e/playwright", passed: true },
    ],
    reused: false,
  });
  const all = (component: string) => [
    { kind: ATTESTATIONS.sbom, predicate: SBOM },
    { kind: ATTESTATIONS.vulnerabilities, predicate: vulnPredicate({ report: REPORT, scannedAt: "2026-12-07T08:00:00Z", db: "pkg:oci/trivy-db" }, "0.74.0") },
    { kind: ATTESTATIONS.testResult, predicate: testResultPredicate(build(component)) },
    { kind: ATTESTATIONS.provenance, predicate: provenancePredicate(build(component)) },
  ];

  before(async () => {
    assert.ok(COSIGN, "COSIGN_BIN is not set: run scripts/integration/cosign.sh, which builds cosign from the Go module proxy");
    work = mkdtempSync(join(tmpdir(), "pac-cosign-"));
    const dir = (name: string) => mkdtempSync(join(work, name));
    key = await keyPair(dir("key-"), "correct horse");
    other = await keyPair(dir("other-"), "battery staple");
    registry = await startRegistry();
    for (const name of ["signed", "unsigned", "copied"]) {
      const pushed = await pushImage({ base: registry.base, repository: "acme/webshop/backend" }, `${name}-${REV.slice(0, 7)}`, `backend ${name}`);
      images[name] = `${registry.registry}/acme/webshop/backend@${pushed.digest}`;
    }
    await signAndAttest(images.signed, key, all("backend"));
  });
  after(async () => {
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("a digest signed and attested with the pipeline's key passes, with every attestation made for it", async () => {
    const v = await judge("backend", images.signed, key);
    assert.deepEqual(v.details, []);
    assert.equal(v.passed, true);
    assert.match(v.summary, /1 image signed, with 4 attestation/);
  });

  it("the Trivy report attested at publish comes back from cosign as it was judged, for that digest only", async () => {
    const answer = await cosign(verifyAttestationCommand(SIGNING, target(images.signed), ATTESTATIONS.vulnerabilities, key.files));
    assert.equal(answer.exitCode, 0, answer.stderr);
    const reports = attestedPredicates(answer, images.signed.split("@")[1]).map(reportOfVulnPredicate);
    assert.deepEqual(
      reports.map((r) => JSON.parse(r ?? "null")),
      [JSON.parse(REPORT)],
      "cosign's vuln statement carries the report unchanged",
    );
    assert.deepEqual(attestedPredicates(answer, `sha256:${"0".repeat(64)}`), [], "not for another digest");
  });

  it("an unsigned digest is refused: cosign finds no signature, and no attestation", async () => {
    const v = await judge("backend", images.unsigned, key);
    assert.equal(v.passed, false);
    assert.match(v.details.join("\n"), /no valid signature: .*no (matching )?signatures/i);
    assert.match(v.details.join("\n"), /no verified https:\/\/in-toto\.io\/attestation\/test-result\/v0\.1 attestation/);
  });

  it("a signature by another key is refused", async () => {
    const v = await judge("backend", images.signed, other);
    assert.equal(v.passed, false);
    assert.match(v.details.join("\n"), /no valid signature: .*(invalid signature|no matching signatures)/i);
  });

  it("a tag moved to another digest: verifying the tag reaches the unsigned digest and is refused", async () => {
    // The release record addresses images by digest; a tag is what an attacker can move.
    const moved = await pushImage({ base: registry.base, repository: "acme/webshop/backend" }, "moved", "backend signed");
    const ref = `${registry.registry}/acme/webshop/backend:moved`;
    assert.equal(`${registry.registry}/acme/webshop/backend@${moved.digest}`, images.signed, "the tag first names the signed digest");
    assert.equal((await cosign(verifyCommand(SIGNING, target(ref), key.files))).exitCode, 0);
    await pushImage({ base: registry.base, repository: "acme/webshop/backend" }, "moved", "backend unsigned");
    const after = await cosign(verifyCommand(SIGNING, target(ref), key.files));
    assert.notEqual(after.exitCode, 0, "the moved tag no longer verifies");
  });

  it("an attestation copied from another digest is refused, although the copied digest is signed", async () => {
    await signAndAttest(images.copied, key, []);
    // Copy the signed digest's attestation manifest onto the copied digest's attestation tag, byte for byte.
    const tag = (image: string) => `sha256-${image.split("@sha256:")[1]}.att`;
    const accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
    const source = await fetch(`${registry.base}/v2/acme/webshop/backend/manifests/${tag(images.signed)}`, { headers: { accept } });
    assert.equal(source.status, 200);
    const put = await fetch(`${registry.base}/v2/acme/webshop/backend/manifests/${tag(images.copied)}`, {
      method: "PUT",
      headers: { "content-type": source.headers.get("content-type") ?? "" },
      body: Buffer.from(await source.arrayBuffer()),
    });
    assert.equal(put.status, 201, await put.text());
    const v = await judge("backend", images.copied, key);
    assert.equal(v.passed, false);
    assert.equal(
      v.components.backend.problems.some((p) => p.startsWith("no valid signature")),
      false,
      "the signature itself verifies",
    );
    // cosign's own claim check (--check-claims, on by default) refuses each copied statement; the
    // gate's subject check (test/gates/signatures.test.ts) is the second line behind it.
    const problems = v.components.backend.problems;
    assert.equal(problems.length, 4, problems.join("\n"));
    for (const p of problems) assert.match(p, /^no verified \S+ attestation: no matching subject digest found$/);
  });

  it("attesting again replaces the earlier attestation of that type: a newer FAILED test result is not hidden behind an older PASSED one", async () => {
    await signAndAttest(images.copied, key, all("backend"));
    assert.equal((await judge("backend", images.copied, key)).passed, true, "first: every attestation, PASSED");
    await signAndAttest(images.copied, key, [{ kind: ATTESTATIONS.testResult, predicate: testResultPredicate({ ...build("backend"), tests: [{ name: "e2e/playwright", passed: false }] }) }]);
    const answer = await cosign(verifyAttestationCommand(SIGNING, target(images.copied), ATTESTATIONS.testResult, key.files));
    assert.equal(answer.stdout.trim().split("\n").length, 1, "one test result left");
    const v = await judge("backend", images.copied, key);
    assert.equal(v.passed, false);
    assert.deepEqual(v.components.backend.problems, ["the test result attested for this digest is not PASSED (FAILED)"]);
  });

  it("an OpenVEX statement attached with the pipeline's key verifies and is read back for the digest", async () => {
    const vex = {
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://acme.example/vex/1",
      author: "security@acme.example",
      timestamp: "2026-12-07T08:00:00Z",
      version: 1,
      statements: [{ vulnerability: { name: "CVE-2099-10001" }, products: [{ "@id": images.signed }], status: "not_affected", justification: "vulnerable_code_not_in_execute_path" }],
    };
    await signAndAttest(images.signed, key, [{ kind: VEX_ATTESTATION, predicate: vex }]);
    const answer = await cosign(verifyAttestationCommand(SIGNING, target(images.signed), VEX_ATTESTATION, key.files));
    assert.equal(answer.exitCode, 0, answer.stderr);
    const statements = answer.stdout
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(Buffer.from((JSON.parse(l) as { payload: string }).payload, "base64").toString("utf8")) as {
            predicateType: string;
            subject: { digest: { sha256: string } }[];
            predicate: typeof vex;
          },
      );
    assert.equal(statements.length, 1);
    assert.equal(statements[0].predicateType, VEX_ATTESTATION.predicateType);
    assert.equal(`sha256:${statements[0].subject[0].digest.sha256}`, images.signed.split("@")[1]);
    assert.equal(statements[0].predicate.statements[0].status, "not_affected");
  });
});
