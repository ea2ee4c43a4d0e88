/** The kustomization editor's rules: which entry an update moves, what is appended, and what is refused. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { editKustomization } from "../../modules/gitops/src/edit/kustomize.js";
import { applyAndCheck, assertEditError, DIGEST, DIGEST2, SHA, SHA2, update } from "./edit-assert.js";

const F = "envs/dev/kustomization.yaml";
const APP = "registry.example.com/acme/webshop/backend";
type Images = { images: Record<string, string>[] };
const images = (text: string) => (parse(text) as Images).images;

test("a placeholder name in the base is matched through newName instead of getting a second entry", () => {
  const text = "resources: [deployment.yaml]\nimages:\n- name: backend\n  newName: registry.example.com/acme/webshop/backend\n  newTag: 0.9.0\n";
  const result = applyAndCheck("kustomize", text, F, [update(APP)]);
  assert.deepEqual(images(result.text), [{ name: "backend", newName: APP, newTag: SHA, digest: DIGEST }]);
});

test("an entry matched by name gets the repository as newName, replacing another one", () => {
  const text = `images:\n- name: ${APP}\n  newName: mirror.example.com/acme/webshop/backend\n- name: other\n  newName: ${APP}\n`;
  const result = applyAndCheck("kustomize", text, F, [update(APP)]);
  assert.deepEqual(images(result.text), [
    { name: APP, newName: APP, newTag: SHA, digest: DIGEST },
    { name: "other", newName: APP },
  ]);
});

test("a second promotion replaces the first one's tag and digest in place", () => {
  const first = applyAndCheck("kustomize", "resources:\n- a.yaml\n", F, [update(APP)]).text;
  const second = applyAndCheck("kustomize", first, F, [update(APP, { tag: SHA2, digest: DIGEST2 })]);
  assert.deepEqual(images(second.text), [{ name: APP, newName: APP, newTag: SHA2, digest: DIGEST2 }]);
  assert.deepEqual(
    second.changes.map((c) => [c.path, c.old, c.new]),
    [
      ["images[0].newTag", SHA, SHA2],
      ["images[0].digest", DIGEST, DIGEST2],
    ],
  );
});

test("empty images in each style: `images: []` stays flow, `images: ~` becomes a flow list", () => {
  assert.equal(applyAndCheck("kustomize", "images: []\n", F, [update(APP)]).text, `images: [{name: ${APP}, newName: ${APP}, newTag: ${SHA}, digest: ${DIGEST}}]\n`);
  assert.equal(applyAndCheck("kustomize", "images: ~ # none yet\n", F, [update(APP)]).text, `images: [{name: ${APP}, newName: ${APP}, newTag: ${SHA}, digest: ${DIGEST}}] # none yet\n`);
  // A one-line flow kustomization: the line diff cannot tell keys apart, so only the exact text is compared.
  const flow = editKustomization("{resources: [a.yaml]}\n", F, [update(APP)]).text;
  assert.equal(flow, `{resources: [a.yaml], images: [{name: ${APP}, newName: ${APP}, newTag: ${SHA}, digest: ${DIGEST}}]}\n`);
  assert.equal(editKustomization(flow, F, [update(APP)]).text, flow);
});

test("a SHA that would read as a number is quoted", () => {
  const digits = "1234567890123456789012345678901234567890";
  const result = applyAndCheck("kustomize", "images:\n- name: x\n  newTag: v1\n", F, [update("x", { tag: digits })]);
  assert.match(result.text, /newTag: "1234567890123456789012345678901234567890"\n/);
  assert.equal(images(result.text)[0]!.newTag, digits);
});

test("malformed kustomizations are refused with file, path, line and what is valid", () => {
  assertEditError(() => editKustomization("images:\n  name: x\n", F, [update(APP)]), { file: F, path: "images", line: 2, value: /a mapping/, expected: /list of images entries/ });
  assertEditError(() => editKustomization("images:\n- x\n", F, [update(APP)]), { file: F, path: "images[0]", line: 2, value: /"x"/, expected: /images entry: a mapping/ });
  assertEditError(() => editKustomization("images:\n- newTag: v1\n", F, [update(APP)]), { file: F, path: "images[0]", line: 2, value: /without name/, expected: /images entry/ });
  assertEditError(() => editKustomization("images:\n- name: [x]\n", F, [update(APP)]), { file: F, path: "images[0].name", line: 2, value: /a list/, expected: /image name/ });
  assertEditError(() => editKustomization(`images:\n- name: ${APP}\n- name: ${APP}\n  newTag: v2\n`, F, [update(APP)]), {
    file: F,
    path: "images[1].name",
    line: 3,
    value: /backend/,
    expected: /images\[0\] names it too/,
  });
  assertEditError(() => editKustomization(`images:\n- name: ${APP}\n  newTag: {a: 1}\n`, F, [update(APP)]), { file: F, path: "images[0].newTag", line: 3, value: /a mapping/, expected: /a string/ });
  assertEditError(() => editKustomization(`images:\n- name: ${APP}\n  newTag: |\n    v1\n`, F, [update(APP)]), {
    file: F,
    path: "images[0].newTag",
    line: 3,
    value: /block scalar/,
    expected: /one-line value/,
  });
  assertEditError(() => editKustomization("- a\n- b\n", F, [update(APP)]), { file: F, path: "", line: 1, value: /a list/, expected: /kustomization/ });
  assertEditError(() => editKustomization("", F, [update(APP)]), { file: F, path: "", value: /empty file/, expected: /kustomization/ });
  assertEditError(() => editKustomization("resources: []\n---\nresources: []\n", F, [update(APP)]), { file: F, path: "", line: 3, document: 1, value: /2 YAML documents/, expected: /one document/ });
  assertEditError(() => editKustomization("images: [\n", F, [update(APP)]), { file: F, path: "", value: /./, expected: /valid YAML/ });
  assertEditError(() => editKustomization("images: []\n", F, [update(APP, { tag: "latest" })]), { file: F, path: "updates[0].tag", value: /latest/, expected: /git SHA/ });
});

test("nothing partial: one bad entry refuses the whole file, whatever was valid before it", () => {
  const text = `images:\n- name: ${APP}\n  newTag: v1\n- 42\n`;
  assert.throws(() => editKustomization(text, F, [update(APP)]), /images\[1\]/);
});

test("a file that is not a kustomization never gets images: a Deployment, another apiVersion, Helm values, an empty mapping", () => {
  const deployment =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: backend\nspec:\n  template:\n    spec:\n      containers:\n      - name: backend\n        image: registry.example.com/acme/webshop/backend:1\n";
  assertEditError(() => editKustomization(deployment, F, [update(APP)]), { file: F, path: "kind", line: 2, value: /^"Deployment"$/, expected: /^a kustomization \(kind: Kustomization or Component/ });
  assertEditError(() => editKustomization("apiVersion: v1\nresources: [a.yaml]\n", F, [update(APP)]), {
    file: F,
    path: "apiVersion",
    line: 1,
    value: /^"v1"$/,
    expected: /kustomize\.config\.k8s\.io/,
  });
  assertEditError(() => editKustomization("image:\n  repository: nginx\n  tag: 1.0\n", F, [update(APP)]), {
    file: F,
    path: "",
    value: /^the keys image$/,
    expected: /fields such as resources and images/,
  });
  assertEditError(() => editKustomization("{}\n", F, [update(APP)]), { file: F, path: "", value: /^an empty mapping$/, expected: /a kustomization/ });
});

test("kustomizations with kind Kustomization or Component, or with neither, are edited", () => {
  for (const head of ["apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n", ""]) {
    const result = applyAndCheck("kustomize", `${head}resources:\n- deployment.yaml\n`, F, [update(APP)]);
    assert.deepEqual(images(result.text), [{ name: APP, newName: APP, newTag: SHA, digest: DIGEST }]);
  }
});
