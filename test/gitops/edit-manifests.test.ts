/** The Kubernetes manifests editor: which kinds and fields move, and what is refused. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyImageUpdates } from "../../modules/gitops/src/edit/index.js";
import { editManifests } from "../../modules/gitops/src/edit/manifests.js";
import { applyAndCheck, assertEditError, DIGEST, SHA, update } from "./edit-assert.js";

const F = "dev/app.yaml";
const APP = "registry.example.com/acme/webshop/backend";
const deployment = (spec: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n${spec}`;

test("kinds without a Pod spec are left alone, even with an image field", () => {
  const text = `kind: ConfigMap\ndata:\n  image: ${APP}:1\n---\nkind: Service\nspec: {}\n---\nkind: List\nitems: []\n`;
  const result = applyAndCheck("manifests", text, F, [update(APP)]);
  assert.equal(result.text, text);
  assert.deepEqual(result.unmatched, [update(APP)]);
  assert.deepEqual(applyImageUpdates("manifests", "", F, [update(APP)]), { text: "", changes: [], unmatched: [update(APP)], references: [] });
});

test("ephemeral and sidecar-less pods: containers and initContainers only", () => {
  const text = deployment(`  template:\n    spec:\n      initContainers: []\n      containers:\n      - name: app\n        image: ${APP}:0.9.0\n`);
  const result = applyAndCheck("manifests", text, F, [update(APP)]);
  assert.deepEqual(
    result.changes.map((c) => [c.path, c.line, c.new]),
    [["spec.template.spec.containers[0].image", 10, `${APP}:${SHA}@${DIGEST}`]],
  );
});

test("malformed manifests are refused with file, document, path, line and what is valid", () => {
  assertEditError(() => editManifests(deployment("  replicas: 1\n"), F, [update(APP)]), { file: F, path: "spec.template", line: 5, document: 0, value: /nothing/, expected: /spec\.template\.spec/ });
  assertEditError(() => editManifests(deployment("  template:\n    spec:\n      containers: {}\n"), F, [update(APP)]), {
    file: F,
    path: "spec.template.spec.containers",
    line: 7,
    value: /a mapping/,
    expected: /list of containers/,
  });
  assertEditError(() => editManifests(deployment("  template:\n    spec:\n      initContainers: []\n"), F, [update(APP)]), {
    file: F,
    path: "spec.template.spec.containers",
    line: 7,
    value: /no containers/,
    expected: /list of containers/,
  });
  assertEditError(() => editManifests(deployment("  template:\n    spec:\n      containers:\n      - app\n"), F, [update(APP)]), {
    file: F,
    path: "spec.template.spec.containers[0]",
    line: 8,
    value: /"app"/,
    expected: /container: a mapping/,
  });
  assertEditError(() => editManifests(`kind: Pod\nspec: {containers: []}\n---\n- not an object\n`, F, [update(APP)]), {
    file: F,
    path: "",
    line: 4,
    document: 1,
    value: /a list/,
    expected: /Kubernetes object/,
  });
  assertEditError(() => editManifests("apiVersion: v1\nmetadata: {}\n", F, [update(APP)]), { file: F, path: "kind", line: 1, value: /nothing/, expected: /kind/ });
});

test("nothing partial: a bad document after a good one refuses the file", () => {
  const good = deployment(`  template:\n    spec:\n      containers:\n      - {name: app, image: ${APP}:1}\n`);
  assert.throws(() => editManifests(`${good}---\nkind: Job\nspec: {}\n`, F, [update(APP)]), /document 2/);
});

test("an unknown format is refused", () => {
  assertEditError(() => applyImageUpdates("jsonnet" as "helm", "", F, [update(APP)]), { file: F, path: "", value: /"jsonnet"/, expected: /kustomize, helm, compose, manifests/ });
});
