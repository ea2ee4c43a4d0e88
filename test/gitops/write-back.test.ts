/**
 * The module's edit and editFiles without the engine (modules/gitops/src/write-back.ts): a write
 * that would deploy nothing for an image (a `${REGISTRY}/app` Compose image, a component no file
 * runs, no update at all) is refused naming the files and the image, instead of the editors'
 * "unmatched" being dropped and promotion committing a state nothing deploys; and the string
 * arguments are checked with messages that name them.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { GitopsEditError } from "../../modules/gitops/src/edit/index.js";
import { editDeploymentFiles, parseHelmPaths, parseUpdate } from "../../modules/gitops/src/write-back.js";
import { BACKEND, corpusText } from "./corpus-cases.js";
import { DIGEST, SHA, update } from "./edit-assert.js";

const FRONTEND = "registry.example.com/acme/webshop/frontend";
const deployment = (name: string, image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n      - name: ${name}\n        image: ${image}\n`;

/** Assert a GitopsEditError whose message names every given text. */
const refused = (run: () => unknown, ...names: string[]) =>
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof GitopsEditError, String(e));
    for (const n of names) assert.ok(e.message.includes(n), `${e.message} does not name ${n}`);
    assert.equal(e.exitCode, 2);
    return true;
  });

describe("a write that deploys nothing for an image is refused", () => {
  test("Compose: an image written with a variable (${REGISTRY}/app) is named by no service: refused with the file, the image and what the file holds", () => {
    const text = "services:\n  app:\n    image: ${REGISTRY}/app:${TAG}\n  db:\n    image: postgres:16\n";
    refused(
      () => editDeploymentFiles("compose", [{ path: "prod/compose.yaml", text }], [update(BACKEND)]),
      "prod/compose.yaml",
      BACKEND,
      "${REGISTRY}/app:${TAG}",
      "postgres:16",
      "write the repository out",
    );
  });

  test("a real Compose file whose images are all variables (opentelemetry-demo) is refused, not left as it is", () => {
    const file = "opentelemetry-demo__compose.observability.yaml";
    refused(() => editDeploymentFiles("compose", [{ path: file, text: corpusText("compose", file) }], [update(BACKEND)]), file, BACKEND);
  });

  test("one image matched and one not: the whole write is refused (nothing half-deployed)", () => {
    const text = `services:\n  backend:\n    image: ${BACKEND}:old\n`;
    refused(() => editDeploymentFiles("compose", [{ path: "compose.yaml", text }], [update(BACKEND), update(FRONTEND)]), FRONTEND);
  });

  test("manifests: each image must be named by some file of the folder; a file naming none stays as it is", () => {
    const files = [
      { path: "prod/backend.yaml", text: deployment("backend", `${BACKEND}:old`) },
      { path: "prod/frontend.yaml", text: deployment("frontend", `${FRONTEND}:old`) },
      { path: "prod/service.yaml", text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: backend\n" },
    ];
    const out = editDeploymentFiles("manifests", files, [update(BACKEND), update(FRONTEND)]);
    assert.deepEqual(
      out.map((f) => f.path),
      files.map((f) => f.path),
    );
    assert.equal(parse(out[0]!.text).spec.template.spec.containers[0].image, `${BACKEND}:${SHA}@${DIGEST}`);
    assert.equal(parse(out[1]!.text).spec.template.spec.containers[0].image, `${FRONTEND}:${SHA}@${DIGEST}`);
    assert.equal(out[2]!.text, files[2]!.text);
    refused(() => editDeploymentFiles("manifests", files.slice(0, 1).concat(files.slice(2)), [update(BACKEND), update(FRONTEND)]), "prod/backend.yaml, prod/service.yaml", FRONTEND);
  });

  test("no update, or no file, is refused: a write must change an image", () => {
    refused(() => editDeploymentFiles("kustomize", [{ path: "k.yaml", text: "resources: [a.yaml]\n" }], []), "k.yaml", "updates", "a write must change an image");
    refused(() => editDeploymentFiles("manifests", [], [update(BACKEND)]), "nothing to edit");
  });

  test("an image already at the release is no error: the file comes back unchanged (already there)", () => {
    const text = `services:\n  backend:\n    image: ${BACKEND}:${SHA}@${DIGEST}\n`;
    assert.equal(editDeploymentFiles("compose", [{ path: "compose.yaml", text }], [update(BACKEND)])[0]!.text, text);
  });

  test("kustomize through the module: a Deployment given as the kustomization is refused, not given images:", () => {
    refused(() => editDeploymentFiles("kustomize", [{ path: "prod/kustomization.yaml", text: deployment("backend", BACKEND) }], [update(BACKEND)]), "prod/kustomization.yaml", "kind", "Deployment");
  });

  test("helm through the module's JSON paths, with a registry path and a bare digest", () => {
    const text = 'image:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: 1.0.0\n  sha: ""\n';
    const paths = parseHelmPaths(JSON.stringify({ [BACKEND]: { registry: "image.registry", repository: "image.repository", tag: "image.tag", digest: "image.sha", digestFormat: "bare" } }));
    const out = parse(editDeploymentFiles("helm", [{ path: "values.yaml", text }], [update(BACKEND)], paths)[0]!.text);
    assert.deepEqual(out.image, { registry: "registry.example.com", repository: "acme/webshop/backend", tag: SHA, sha: DIGEST.slice(7) });
  });
});

describe("the edit functions' string arguments", () => {
  test("helmPaths: not JSON, not an object, an unknown key, a missing path or a non-string are refused naming the key", () => {
    assert.throws(() => parseHelmPaths("{repository:"), /^Error: helmPaths: is not JSON \(.*\); expected JSON of/);
    assert.throws(() => parseHelmPaths("[]"), /^Error: helmPaths: \[\] is not an object/);
    assert.throws(
      () => parseHelmPaths(JSON.stringify({ a: { repository: "x", tag: "y", digset: "z" } })),
      /helmPaths\.a\.digset: unknown key; expected one of repository, tag, digest, registry, digestFormat/,
    );
    assert.throws(() => parseHelmPaths(JSON.stringify({ a: { repository: "x" } })), /helmPaths\.a\.tag: missing/);
    assert.throws(() => parseHelmPaths(JSON.stringify({ a: { repository: 1, tag: "y" } })), /helmPaths\.a\.repository: 1 is not a string/);
  });

  test("updates: anything but registry/name=<tag>@sha256:<64 hex> is refused with the argument", () => {
    assert.deepEqual(parseUpdate(`${BACKEND}=${SHA}@${DIGEST}`), { repository: BACKEND, tag: SHA, digest: DIGEST });
    for (const bad of [BACKEND, `${BACKEND}=${SHA}`, `=${SHA}@${DIGEST}`, `${BACKEND}=${SHA}@sha256:abc`])
      assert.throws(() => parseUpdate(bad), { message: `updates: "${bad}" is not registry/name=<tag>@sha256:<64 hex>` });
  });
});
