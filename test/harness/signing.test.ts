// Signing through the engine model: ci on main with pipeline.yaml signing signs and attests each
// published digest once (cosign is modelled: test/harness/cosign-model.ts; the real cosign runs in
// test/sign/cosign.integration.ts), and every promotion's signature gate (the gates module's own
// code) verifies exactly the digests it moves. Nothing here ran in Dagger.
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { mintId } from "../recorder/ids.js";
import { git, history } from "../gitops/git/git-fixture.js";
import { type HarnessApp, harnessSuite } from "./app.js";
import { VEX_ATTESTATION } from "../../.dagger/src/release/attestations.js";
import { CosignModel } from "./cosign-model.js";
import { Harness } from "./harness.js";
import { CYCLONEDX, standIns } from "./stand-ins.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string) => mintId([{ field: "setSecret", args: { name } }]);
const publicPem = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
const PIPELINE_KEY = publicPem();
const OTHER_KEY = publicPem();

/** The example with signing by key, no transparency log, its public key committed as cosign.pub; no release page (no GitHub here). */
function withSigning(app: HarnessApp, pem = PIPELINE_KEY): void {
  const file = join(app.root, "pipeline.yaml");
  writeFileSync(file, `${readFileSync(file, "utf8").replace(/^releases:\n(?: .*\n)*/m, "")}\nsigning:\n  publicKey: cosign.pub\n  transparencyLog: false\n`);
  writeFileSync(join(app.root, "cosign.pub"), pem);
}

describe("harness: signatures and attestations from publish to promotion", () => {
  const suite = harnessSuite();

  const ci = async (app: HarnessApp, cosign: CosignModel, signingKey = true) => {
    const h = new Harness({ root: app.root, registry: suite.registry, remotes: app.remotes, stubs: cosign.stubs(standIns()) });
    h.engine.setSecret("registry-token", "r");
    h.engine.setSecret("gitops-token", "g");
    h.engine.setSecret("signing-key", "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nmodel\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
    h.engine.setSecret("signing-password", "key-password-canary");
    const summary = String(
      await h.call(
        "pipeline",
        {},
        "ci",
        {
          revision: REV,
          branch: "main",
          registryToken: secret("registry-token"),
          gitopsToken: secret("gitops-token"),
          ...(signingKey ? { signingKey: secret("signing-key"), signingPassword: secret("signing-password") } : {}),
        },
        "summary",
      ),
    );
    return { h, summary };
  };
  const promote = (app: HarnessApp, cosign: CosignModel, args: Record<string, unknown>, criticalInPublished?: string) => {
    const h = new Harness({
      root: app.root,
      registry: suite.registry,
      remotes: app.remotes,
      stubs: cosign.stubs(standIns((leaf) => (leaf.includes(`:${REV}@sha256:`) ? criticalInPublished : undefined))),
    });
    h.engine.setSecret("registry-token", "r");
    h.engine.setSecret("gitops-token", "g");
    return h.call("pipeline", {}, "promote", { revision: REV, gitopsToken: secret("gitops-token"), registryToken: secret("registry-token"), ...args }).then(String);
  };

  it("ci signs each published digest once with four attestations for it, and dev's promotion verifies them", async () => {
    const app = await suite.app();
    withSigning(app);
    const cosign = new CosignModel({ "signing-key": PIPELINE_KEY });
    const { summary } = await ci(app, cosign);
    assert.match(summary, /^# webshop ci: ✅ passed/, summary);
    assert.match(summary, /\| signatures \| ✅ passed \| 3 images signed, with 4 attestation\(s\) each for the promoted digest \|/, summary);
    assert.equal(cosign.signingRuns, 3, "one signing container per published image");
    const record = JSON.parse(git(app.gitops, "show", `main:releases/${REV}.json`)) as { components: Record<string, { digest: string; image: string }> };
    assert.deepEqual(
      cosign.signatures.map((s) => s.digest).sort(),
      Object.values(record.components)
        .map((c) => c.digest)
        .sort(),
      "exactly the recorded digests were signed",
    );
    for (const [name, c] of Object.entries(record.components)) {
      const types = cosign.attestations
        .filter((a) => a.digest === c.digest)
        .map((a) => a.predicateType)
        .sort();
      assert.deepEqual(
        types,
        ["https://cosign.sigstore.dev/attestation/vuln/v1", "https://cyclonedx.org/bom", "https://in-toto.io/attestation/test-result/v0.1", "https://slsa.dev/provenance/v1"],
        name,
      );
      const vuln = cosign.attestations.find((a) => a.digest === c.digest && a.predicateType.includes("vuln"))?.predicate as { scanner: { uri: string; result: { SchemaVersion: number } } };
      assert.equal(vuln.scanner.uri, "pkg:github/aquasecurity/trivy@v0.74.0");
      assert.equal(vuln.scanner.result.SchemaVersion, 2, "the scan's Trivy report is attested as it was judged");
      const result = cosign.attestations.find((a) => a.digest === c.digest && a.predicateType.includes("test-result"))?.predicate as { result: string; passedTests: string[] };
      assert.equal(result.result, "PASSED");
      assert.ok(result.passedTests.includes(`${name}/lint`) || name === "db", `${name}'s own checks are in its test result: ${result.passedTests.join(", ")}`);
      assert.ok(result.passedTests.includes(`${name}/scan`), `${name}'s scan is in its test result`);
      const provenance = cosign.attestations.find((a) => a.digest === c.digest && a.predicateType.includes("slsa"))?.predicate as {
        buildDefinition: { resolvedDependencies: { digest: Record<string, string> }[] };
      };
      assert.equal(provenance.buildDefinition.resolvedDependencies[0].digest.gitCommit, REV);
      assert.match(provenance.buildDefinition.resolvedDependencies[1].digest.sha256, /^[0-9a-f]{64}$/, `${name}'s base image by digest`);
    }
    assert.ok(!summary.includes("key-password-canary"), "the key's password is never printed");
    // The SBOM that was attested is exported with the reports, and the record holds its digest.
    const evidence = (JSON.parse(git(app.gitops, "show", `main:releases/${REV}.json`)) as { evidence: { reports: Record<string, { sbom?: string }> } }).evidence;
    for (const name of Object.keys(record.components)) {
      assert.equal(evidence.reports[name].sbom, `sha256:${createHash("sha256").update(CYCLONEDX).digest("hex")}`, name);
      assert.match(summary, new RegExp(`scan/${name}\\.cdx\\.json`), `${name}'s SBOM is in the reports`);
    }
  });

  it("without the signing key, a run that would publish fails before it builds, naming the missing argument", async () => {
    const app = await suite.app();
    withSigning(app);
    const cosign = new CosignModel({ "signing-key": PIPELINE_KEY });
    await assert.rejects(ci(app, cosign, false), /signing: cannot publish because signing\.publicKey needs its private key \(--signing-key/);
    assert.equal(cosign.signingRuns, 0);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject),
      ["seed"],
      "nothing recorded or promoted",
    );
  });

  it("a promotion refuses a digest that is not signed, and one signed by another key; an emergency passes, recorded", async () => {
    const app = await suite.app();
    withSigning(app);
    const cosign = new CosignModel({ "signing-key": PIPELINE_KEY });
    await ci(app, cosign);
    // Staging follows dev, which runs the release: only the signature decides. The backend's signature is gone.
    const backend = (JSON.parse(git(app.gitops, "show", `main:releases/${REV}.json`)) as { components: Record<string, { digest: string }> }).components.backend.digest;
    cosign.signatures.splice(0, cosign.signatures.length, ...cosign.signatures.filter((s) => s.digest !== backend));
    await assert.rejects(promote(app, cosign, { env: "staging" }), (e: Error) => {
      assert.match(e.message, /\| signatures \| ❌ refused \| not verified: backend \|/);
      assert.match(e.message, /backend sha256:[0-9a-f]{12}: no valid signature: main\.go:74: error during command execution: no matching signatures/);
      return true;
    });
    assert.equal(history(app.gitops).length, 3, "nothing written for staging");
    const waived = await promote(app, cosign, { env: "staging", emergency: true, reason: "hotfix while the signer is down" });
    assert.match(waived, /\| signatures \| ⚠️ waived \(emergency\) \|/);
    assert.match(waived, /reports: the reports attested at publish for these digests/);
    assert.match(history(app.gitops)[0].subject, /promote 0123456789ab to staging/);

    // The pipeline's public key is replaced by another: nothing verifies any more.
    writeFileSync(join(app.root, "cosign.pub"), OTHER_KEY);
    await assert.rejects(promote(app, new CosignModel({ "signing-key": PIPELINE_KEY }), { env: "prod", dryRun: false }), /not verified: backend, db, frontend/);
  });

  it("a promotion judges the report attested at publish; --rescan scans the digests again and finds what today's databases know", async () => {
    const app = await suite.app();
    withSigning(app);
    const cosign = new CosignModel({ "signing-key": PIPELINE_KEY });
    await ci(app, cosign);
    // An advisory published after the release: only a scan made now can see it.
    const attested = await promote(app, cosign, { env: "staging", dryRun: true }, "CVE-2026-9999");
    assert.match(attested, /\| vulnerabilities \| ✅ passed \|/, attested);
    assert.match(attested, /reports: the reports attested at publish/);
    const rescanned = await promote(app, cosign, { env: "staging", dryRun: true, rescan: true }, "CVE-2026-9999");
    assert.match(rescanned, /\| vulnerabilities \| ❌ refused \|/, rescanned);
    assert.match(rescanned, /CVE-2026-9999/);
    assert.match(rescanned, /reports: a Trivy scan of the published digests in this call, on today's databases/);
    // The team judges the new advisory: not_affected, in OpenVEX attached to each digest with the pipeline's key.
    const digests = (JSON.parse(git(app.gitops, "show", `main:releases/${REV}.json`)) as { components: Record<string, { digest: string }> }).components;
    for (const [name, { digest }] of Object.entries(digests))
      cosign.attestations.push({ digest, key: "signing-key", predicateType: VEX_ATTESTATION.predicateType, predicate: openVex(name, digest, "CVE-2026-9999") });
    const judged = await promote(app, cosign, { env: "staging", dryRun: true, rescan: true }, "CVE-2026-9999");
    assert.match(judged, /\| vulnerabilities \| ✅ passed \| 3 images, no unwaived CRITICAL findings \(3 waived, 3 by VEX\) \|/, judged);
    // A VEX document attached to another digest (copied over) waives nothing.
    const backend = digests.backend.digest;
    for (const a of cosign.attestations) if (a.predicateType === VEX_ATTESTATION.predicateType && a.digest === backend) a.digest = digests.frontend.digest;
    const copied = await promote(app, cosign, { env: "staging", dryRun: true, rescan: true }, "CVE-2026-9999");
    assert.match(copied, /\| vulnerabilities \| ❌ refused \|/, copied);
    assert.match(copied, /backend/);
    // The attested report itself is refused when it is gone: no report, no promotion.
    cosign.attestations.splice(0, cosign.attestations.length, ...cosign.attestations.filter((a) => !a.predicateType.includes("vuln")));
    const gone = await promote(app, cosign, { env: "staging", dryRun: true }, undefined);
    assert.match(gone, /\| vulnerabilities \| ❌ refused \|/, gone);
    assert.match(gone, /\| signatures \| ❌ refused \|/);
  });
});

/** An OpenVEX v0.2.0 document saying the component's image (by digest) is not affected by `cve`. */
function openVex(component: string, digest: string, cve: string): unknown {
  const purl = `pkg:oci/${component}@${digest.replace(":", "%3A")}`;
  return {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": `https://vex.example.com/webshop/${component}/${cve}`,
    author: "Webshop Security Team <security@example.com>",
    timestamp: "2026-12-01T09:00:00Z",
    version: 1,
    statements: [{ vulnerability: { name: cve }, products: [{ "@id": purl }], status: "not_affected", justification: "vulnerable_code_not_in_execute_path" }],
  };
}
