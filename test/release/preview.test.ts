// Preview environments as Kustomize overlays per branch.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { previewFiles, previewOf, stalePreviews } from "../../.dagger/src/release/preview.js";
import { exampleConfig } from "../topology/fixture.js";

const config = exampleConfig();
const image = { repository: "registry.example.com/acme/webshop/backend", tag: "c".repeat(40), digest: `sha256:${"4".repeat(64)}` };

describe("previews", () => {
  it("one overlay per branch in namespace preview-<branch>, over the dev environment's base, with the branch's images", () => {
    const files = previewFiles(config, "feature/New Checkout", [image]);
    assert.deepEqual(Object.keys(files), ["previews/preview-feature-new-checkout/namespace.yaml", "previews/preview-feature-new-checkout/kustomization.yaml"]);
    const k = parse(files["previews/preview-feature-new-checkout/kustomization.yaml"]);
    assert.equal(k.namespace, "preview-feature-new-checkout");
    assert.deepEqual(k.resources, ["namespace.yaml", "../../environments/dev"]);
    assert.deepEqual(k.images, [{ name: image.repository, newName: image.repository, newTag: image.tag, digest: image.digest }]);
    const ns = parse(files["previews/preview-feature-new-checkout/namespace.yaml"]);
    assert.deepEqual(ns.metadata, {
      name: "preview-feature-new-checkout",
      labels: { "app.kubernetes.io/part-of": "webshop", "pipeline-as-code/preview": "true", "pipeline-as-code/branch": "feature-New-Checkout" },
    });
  });

  it("long branch names: a DNS label of at most 63 characters, stable, distinct for distinct branches", () => {
    const long = `feature/${"very-long-branch-name-".repeat(5)}`;
    const a = previewOf(config, `${long}one`).namespace;
    assert.ok(a.length <= 63 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(a), a);
    assert.equal(previewOf(config, `${long}one`).namespace, a);
    assert.notEqual(previewOf(config, `${long}two`).namespace, a);
  });

  it("refuses an empty branch and a config without a base to overlay", () => {
    assert.throws(() => previewOf(config, " "), /branch: a preview needs the branch name/);
    const noBase = { ...config, environments: {} };
    assert.throws(() => previewFiles(noBase, "feature/x", []), /previews\.base: no kustomize environment is promoted on push/);
  });

  it("pruning (hosts without a branch-deletion event): only previews of branches that are gone; an empty branch list is refused", () => {
    const folders = ["preview-feature-new-checkout", "preview-feature-old", previewOf(config, "feature/Kept Branch").namespace];
    assert.deepEqual(stalePreviews(config, folders, ["main", "refs/heads/feature/new-checkout", "feature/Kept Branch"]), ["preview-feature-old"]);
    assert.deepEqual(stalePreviews(config, folders, ["main"]), [...folders].sort());
    assert.throws(() => stalePreviews(config, folders, []), /branches: no live branch given/);
    assert.throws(() => stalePreviews(config, folders, [" ", ""]), /no live branch given/);
  });
});
