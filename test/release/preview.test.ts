// Preview environments as Kustomize overlays per branch.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { Previews } from "../../.dagger/src/config/schema.js";
import { previewFiles, previewOf, stalePreviews } from "../../.dagger/src/release/preview.js";
import { exampleConfig } from "../topology/fixture.js";

const config = exampleConfig();
const image = { repository: "registry.example.com/acme/webshop/backend", tag: "c".repeat(40), digest: `sha256:${"4".repeat(64)}` };

describe("previews", () => {
  it("one overlay per branch in namespace preview-<branch>, over the dev environment's base, with the branch's images", () => {
    const ns = "preview-feature-new-checkout-29491522";
    const files = previewFiles(config, "feature/New Checkout", [image]);
    assert.deepEqual(Object.keys(files), [`previews/${ns}/namespace.yaml`, `previews/${ns}/kustomization.yaml`]);
    const k = parse(files[`previews/${ns}/kustomization.yaml`]);
    assert.equal(k.namespace, ns);
    assert.deepEqual(k.resources, ["namespace.yaml", "../../environments/dev"]);
    assert.deepEqual(k.images, [{ name: image.repository, newName: image.repository, newTag: image.tag, digest: image.digest }]);
    const namespace = parse(files[`previews/${ns}/namespace.yaml`]);
    assert.deepEqual(namespace.metadata, {
      name: ns,
      labels: { "app.kubernetes.io/part-of": "webshop", "pipeline-as-code/preview": "true", "pipeline-as-code/branch": "feature-New-Checkout" },
    });
  });

  it("a branch that already is a DNS label keeps its name; every other one gets 8 hex digits of its exact name's SHA-256", () => {
    const hash = (b: string) => createHash("sha256").update(b).digest("hex").slice(0, 8);
    assert.equal(previewOf(config, "fix-login").namespace, "preview-fix-login");
    assert.equal(previewOf(config, "feature/login").namespace, `preview-feature-login-${hash("feature/login")}`);
    // A branch named like a hashed slug is hashed too, so it cannot take the place of one.
    assert.equal(previewOf(config, `feature-login-${hash("feature/login")}`).namespace, `preview-feature-login-${hash("feature/login")}-${hash(`feature-login-${hash("feature/login")}`)}`);
  });

  it("branches differing only in case, in '/' against '-', or in non-Latin letters get distinct namespaces and folders", () => {
    const groups = [
      ["feature/login", "Feature/Login", "FEATURE/LOGIN", "feature-login", "feature_login", "feature.login", "feature//login"],
      ["feature/ø", "feature/æ", "feature/å", "feature/日本", "feature/中文", "feature/ü"],
      ["main", "Main", "MAIN"],
      ["ÆØÅ", "日本語", "---", "_", "é"],
    ];
    for (const branches of groups) {
      const namespaces = branches.map((b) => previewOf(config, b).namespace);
      assert.equal(new Set(namespaces).size, branches.length, `${branches.join(", ")} → ${namespaces.join(", ")}`);
      assert.equal(new Set(branches.map((b) => previewOf(config, b).folder)).size, branches.length);
      for (const n of namespaces) assert.match(n, /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
    }
  });

  it("never a bare preview-, a leading or trailing '-', or over 63 characters, whatever the branch or template", () => {
    for (const branch of ["日本語", "-", "---x---", "x".repeat(300), `${"ø".repeat(70)}a`, "a/".repeat(40)]) {
      for (const template of ["preview-{branch}", "{branch}", "{branch}-preview", `${"p".repeat(53)}-{branch}`]) {
        const namespace = previewOf({ ...config, previews: { ...config.previews, namespace: template } }, branch).namespace;
        assert.match(namespace, /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, `${template} ${branch}`);
        assert.notEqual(namespace, "preview-");
      }
    }
    assert.throws(
      () => previewOf({ ...config, previews: { ...config.previews, namespace: `${"p".repeat(60)}{branch}` } }, "x"),
      /previews\.namespace: leaves 3 characters for the branch; at least 9 are needed/,
    );
    assert.throws(
      () => previewOf({ ...config, previews: { ...config.previews, namespace: "-{branch}" } }, "x"),
      /previews\.namespace: "-\{branch\}" gives the namespace "-x", which is not a DNS label/,
    );
  });

  it("the schema refuses namespace templates that can give an invalid namespace", () => {
    for (const namespace of ["-{branch}", "{branch}-", "Preview-{branch}", "preview-{branch}-{branch}", `${"p".repeat(55)}{branch}`, "preview"]) {
      const result = Previews.safeParse({ namespace });
      assert.equal(result.success, false, namespace);
    }
    assert.equal(Previews.safeParse({ namespace: "pr-{branch}-web" }).success, true);
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
    const ns = (b: string) => previewOf(config, b).namespace;
    const folders = [ns("feature/new-checkout"), ns("feature/old"), ns("feature/Kept Branch")];
    assert.deepEqual(stalePreviews(config, folders, ["main", "refs/heads/feature/new-checkout", "feature/Kept Branch"]), [ns("feature/old")]);
    assert.deepEqual(stalePreviews(config, folders, ["main"]), [...folders].sort());
    // Folders no preview can have (another file, another prefix) are never removed.
    assert.deepEqual(stalePreviews(config, ["README.md", "shared", "preview-", ns("feature/old")], ["main"]), [ns("feature/old")]);
    assert.throws(() => stalePreviews(config, folders, []), /branches: no live branch given/);
    assert.throws(() => stalePreviews(config, folders, [" ", ""]), /no live branch given/);
  });

  it("removing one branch's preview never removes another's: a branch differing only in case or letters keeps its own", () => {
    const branches = ["feature/Login", "feature/login", "feature/løgin", "feature/lögin", "feature-login"];
    const folders = branches.map((b) => previewOf(config, b).namespace);
    for (const [i, gone] of branches.entries()) {
      const live = branches.filter((b) => b !== gone);
      assert.deepEqual(stalePreviews(config, folders, live), [folders[i]], `deleting ${gone}`);
    }
  });
});
