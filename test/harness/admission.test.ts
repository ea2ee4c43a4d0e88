// A promotion to an environment with `admission: kyverno`, through the engine model: the Kyverno
// policy (with the public key read from the application repository) lands in the GitOps repository
// with the release, listed in the kustomization; a missing key is refused before anything is written.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { renderReleaseRecord } from "../../.dagger/src/release/record.js";
import { emptyState, promoted, renderEnvironmentState } from "../../.dagger/src/release/state.js";
import { mintId } from "../recorder/ids.js";
import { git, history } from "../gitops/git/git-fixture.js";
import { ATTESTATIONS } from "../../.dagger/src/release/attestations.js";
import { PUBLIC_KEY } from "../release/signing-fixture.js";
import { CosignModel } from "./cosign-model.js";
import { exampleRelease, REV_A } from "../release/fixture.js";
import { GITOPS_SEED, harnessApp, type HarnessApp } from "./app.js";
import { Harness } from "./harness.js";
import { releaseScans } from "./stand-ins.js";

const A = exampleRelease(REV_A, "1");
const STAGED = {
  ...GITOPS_SEED,
  "environments/staging/kustomization.yaml": "namespace: webshop-staging\nresources:\n  - ../../base\nimages: []\n",
  [`releases/${REV_A}.json`]: renderReleaseRecord(A),
  "environments/dev/.pipeline/state.json": renderEnvironmentState(promoted(emptyState("dev"), A, ["db", "backend", "frontend"], "2026-11-22T08:00:00Z")),
};

describe("harness: promotion writes the Kyverno policy of an environment with admission: kyverno", () => {
  const apps: HarnessApp[] = [];
  after(async () => {
    for (const a of apps) await a.close();
  });
  /** The example with signing by key and admission on staging; the key committed unless `withKey` is false. */
  const setUp = async (withKey = true) => {
    const app = await harnessApp("registry.example.com", STAGED);
    apps.push(app);
    const file = join(app.root, "pipeline.yaml");
    const config = readFileSync(file, "utf8").replace(/(\n {2}staging:\n(?: {4}.*\n)*?)( {4}format: kustomize\n)/, "$1$2    admission: kyverno\n");
    assert.match(config, /format: kustomize\n {4}admission: kyverno\n {2}prod:/, "staging got admission: kyverno");
    writeFileSync(file, `${config}\nsigning:\n  publicKey: keys/cosign.pub\n`);
    if (withKey) {
      mkdirSync(join(app.root, "keys"), { recursive: true });
      writeFileSync(join(app.root, "keys/cosign.pub"), PUBLIC_KEY);
    }
    // Release A was signed and attested at publish (an earlier run): the signature gate finds it.
    const cosign = new CosignModel({ "pipeline-key": PUBLIC_KEY });
    for (const c of Object.values(A.components))
      cosign.signedBefore(c.digest, "pipeline-key", {
        ...Object.fromEntries(Object.values(ATTESTATIONS).map((k) => [k.predicateType, {}])),
        [ATTESTATIONS.testResult.predicateType]: { result: "PASSED" },
      });
    const h = new Harness({ root: app.root, remotes: app.remotes, stubs: cosign.stubs(() => undefined) });
    h.engine.setSecret("gitops-token", "gitops-token-canary");
    const promote = (args: Record<string, unknown>) =>
      h.call("pipeline", {}, "promote", { gitopsToken: mintId([{ field: "setSecret", args: { name: "gitops-token" } }]), ...args }).then(String, (e: Error) => `failed: ${e.message}`);
    return { app, h, promote };
  };

  it("the policy with the repository's key, in the staging namespace, listed in the kustomization, in the promotion's one commit", async () => {
    const { app, promote } = await setUp();
    const out = await promote({ env: "staging", scans: releaseScans(A) });
    assert.match(out, /Pushed [0-9a-f]{12} to main/);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject.split(":")[0]),
      ["promote aaaaaaaaaaaa to staging", "seed"],
    );
    assert.deepEqual(git(app.gitops, "show", "--name-only", "--format=", "main").trim().split("\n").sort(), [
      "environments/staging/.pipeline/state.json",
      "environments/staging/image-verification.yaml",
      "environments/staging/kustomization.yaml",
    ]);
    const policy = parse(git(app.gitops, "show", "main:environments/staging/image-verification.yaml"));
    assert.equal(policy.kind, "ImageValidatingPolicy");
    assert.equal(policy.metadata.name, "webshop-staging-verify-images");
    assert.equal(policy.spec.attestors[0].cosign.key.data, PUBLIC_KEY);
    assert.deepEqual(policy.spec.matchConstraints.namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "webshop-staging" } });
    assert.deepEqual(policy.spec.matchImageReferences, [{ glob: "registry.example.com/acme/webshop/*" }]);
    const kustomization = parse(git(app.gitops, "show", "main:environments/staging/kustomization.yaml"));
    assert.deepEqual(kustomization.resources, ["../../base", "image-verification.yaml"]);
    assert.equal(git(app.gitops, "show", "main:environments/dev/kustomization.yaml"), GITOPS_SEED["environments/dev/kustomization.yaml"].trimEnd(), "dev has no admission: untouched");
  });

  it("signing.publicKey missing from the repository: refused naming the path, nothing written", async () => {
    const { app, h, promote } = await setUp(false);
    const out = await promote({ env: "staging", scans: releaseScans(A) });
    assert.match(out, /^failed: /);
    assert.match(out, /signing\.publicKey: keys\/cosign\.pub does not exist in the application repository; commit the cosign public key there/);
    assert.equal(history(app.gitops).length, 1);
    assert.equal(h.engine.count("gitops", "push"), 0);
  });
});
