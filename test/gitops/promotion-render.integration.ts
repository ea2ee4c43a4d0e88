/**
 * What promotion writes besides image lines, rendered by the real kustomize: a branch's preview
 * overlay (namespace, images by digest, over the dev environment's base) and an environment's
 * feature flags (a ConfigMap listed in the kustomization). Run by scripts/integration/gitops-render.sh.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { flagsManifest, flagsOf, withFlagsResource } from "../../.dagger/src/release/flags.js";
import { previewFiles, previewOf } from "../../.dagger/src/release/preview.js";
import { exampleConfig } from "../topology/fixture.js";
import { kustomizeBuild, TOOLS } from "./render-tools.js";
import { backendDeployment } from "./render-stubs.js";

const DEPLOYMENT = backendDeployment(`registry.example.com/acme/webshop/backend:${"0".repeat(40)}`);

/** A GitOps tree with the dev environment (a Deployment and its kustomization). */
function gitopsTree(): string {
  assert.ok(TOOLS.kustomize && TOOLS.tmp, "run through scripts/integration/gitops-render.sh (KUSTOMIZE_BIN, GITOPS_RENDER_TMP)");
  const root = mkdtempSync(join(TOOLS.tmp, "promotion-"));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write("environments/dev/deployment.yaml", DEPLOYMENT);
  write("environments/dev/kustomization.yaml", "# dev\nresources:\n  - deployment.yaml\n");
  return root;
}

const objects = (manifests: string) =>
  parseAllDocuments(manifests).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; data?: Record<string, string>; spec?: { template: { spec: { containers: { image: string }[] } } } },
  );

describe("promotion's other writes, rendered by kustomize", () => {
  it("a preview overlay puts the branch's image into namespace preview-<branch> over the dev base", () => {
    const root = gitopsTree();
    const image = { repository: "registry.example.com/acme/webshop/backend", tag: "c".repeat(40), digest: `sha256:${"4".repeat(64)}` };
    const files = previewFiles(exampleConfig(), "feature/New Checkout", [image]);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    // "/" and capitals make the slug lossy: the namespace carries a short hash of the exact branch name.
    const { namespace, folder } = previewOf(exampleConfig(), "feature/New Checkout");
    assert.match(namespace, /^preview-feature-new-checkout-[0-9a-f]{8}$/);
    const rendered = kustomizeBuild(join(root, folder));
    assert.ok(rendered.ok, rendered.ok ? "" : rendered.error);
    const all = objects(rendered.manifests);
    assert.deepEqual(all.map((o) => `${o.kind}/${o.metadata.name} in ${o.metadata.namespace ?? "-"}`).sort(), [`Deployment/backend in ${namespace}`, `Namespace/${namespace} in -`]);
    const deployment = all.find((o) => o.kind === "Deployment");
    assert.equal(deployment?.spec?.template.spec.containers[0].image, `${image.repository}:${image.tag}@${image.digest}`);
  });

  it("feature flags become a ConfigMap the kustomization lists; dev switches one on, the default stays off elsewhere", () => {
    const root = gitopsTree();
    const config = { ...exampleConfig(), features: { newCheckout: { description: "", default: false } } };
    config.environments = { ...config.environments, dev: { ...config.environments.dev, flags: { newCheckout: true } } };
    writeFileSync(join(root, "environments/dev/feature-flags.yaml"), flagsManifest(config.name, "dev", flagsOf(config, "dev")));
    writeFileSync(join(root, "environments/dev/kustomization.yaml"), withFlagsResource("# dev\nresources:\n  - deployment.yaml\n", "kustomization.yaml"));
    const rendered = kustomizeBuild(join(root, "environments/dev"));
    assert.ok(rendered.ok, rendered.ok ? "" : rendered.error);
    const flags = objects(rendered.manifests).find((o) => o.kind === "ConfigMap");
    assert.deepEqual([flags?.metadata.name, flags?.data], ["webshop-feature-flags", { newCheckout: "true" }]);
    assert.deepEqual(flagsOf(config, "prod"), { newCheckout: false });
  });
});
