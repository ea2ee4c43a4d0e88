/** The Helm values editor's rules: paths must exist up to their last key, and what is refused. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyImageUpdates } from "../../modules/gitops/src/edit/index.js";
import { editHelmValues } from "../../modules/gitops/src/edit/helm.js";
import { applyAndCheck, assertEditError, DIGEST, SHA, update } from "./edit-assert.js";

const F = "envs/dev/values.yaml";
const APP = "registry.example.com/acme/webshop/backend";
const backend = { repository: "backend.image.repository", tag: "backend.image.tag", digest: "backend.image.digest" };
const opts = (paths: Record<string, { repository: string; tag: string; digest?: string }> = { backend }) => ({ helm: { paths } });
const u = update(APP, { component: "backend" });
/** The Helm editor's own options (applyImageUpdates takes them under `helm`). */
const own = (paths: Record<string, { repository: string; tag: string; digest?: string }> = { backend }) => opts(paths).helm;

test("a missing last key is added under its existing mapping; top-level paths work", () => {
  const result = applyAndCheck("helm", "backend:\n  image:\n    repository: old\n", F, [u], opts());
  assert.equal(result.text, `backend:\n  image:\n    repository: ${APP}\n    tag: ${SHA}\n    digest: ${DIGEST}\n`);
  const flat = applyAndCheck("helm", "repository: old # image\ntag: 1.0\n", F, [u], opts({ backend: { repository: "repository", tag: "tag" } }));
  assert.equal(flat.text, `repository: ${APP} # image\ntag: ${SHA}\n`);
});

test("a path whose parent does not exist is an error naming the missing key", () => {
  assertEditError(() => editHelmValues("backend:\n  replicas: 1\n", F, [u], own()), {
    file: F,
    path: "backend",
    line: 2,
    value: /no key "image"/,
    expected: /existing mapping at backend\.image/,
  });
  assertEditError(() => editHelmValues("frontend: {}\n", F, [u], own()), { file: F, path: "", line: 1, value: /no key "backend"/, expected: /backend\.image/ });
});

test("values that are not what the path needs are refused", () => {
  assertEditError(() => editHelmValues("backend:\n  image: nginx:1.27\n", F, [u], own()), { file: F, path: "backend.image", line: 2, value: /"nginx:1.27"/, expected: /a mapping/ });
  assertEditError(() => editHelmValues("backend:\n  image:\n    repository: [a]\n", F, [u], own()), {
    file: F,
    path: "backend.image.repository",
    line: 3,
    value: /a list/,
    expected: /backend repository/,
  });
  assertEditError(() => editHelmValues("defaults: &d\n  image: {repository: x, tag: y}\nbackend:\n  <<: *d\n", F, [u], own()), {
    file: F,
    path: "backend.image",
    line: 4,
    value: /merged in with <</,
    expected: /written out in this mapping/,
  });
  assertEditError(() => editHelmValues("- a\n", F, [u], own()), { file: F, path: "", value: /a list/, expected: /Helm values: a mapping/ });
});

test("paths and components are checked before the file is read", () => {
  const text = "backend:\n  image: {}\n";
  assertEditError(() => editHelmValues(text, F, [update(APP)], own()), { file: F, path: "updates[0].component", value: /nothing/, expected: /backend/ });
  assertEditError(() => editHelmValues(text, F, [update(APP, { component: "frontend" })], own()), { file: F, path: "helm.frontend", value: /no paths/, expected: /configured: backend/ });
  assertEditError(() => editHelmValues(text, F, [u], own({ backend: { repository: "backend..image", tag: "t" } })), {
    file: F,
    path: "helm.backend.repository",
    value: /backend\.\.image/,
    expected: /dotted values path/,
  });
  assertEditError(() => editHelmValues(text, F, [u], own({ backend: { repository: "backend.image.x", tag: "backend.image.x" } })), {
    file: F,
    path: "backend.image.x",
    value: /backend repository and backend tag/,
    expected: /distinct values path/,
  });
  assertEditError(() => applyImageUpdates("helm", text, F, [u]), { file: F, path: "", value: /no Helm paths/, expected: /options\.helm\.paths/ });
});

test("an empty value before a comment gets the value and keeps the comment", () => {
  const result = applyAndCheck("helm", "backend:\n  image:\n    repository:\n    tag: # set by CI\n    digest:\n", F, [u], opts());
  assert.equal(result.text, `backend:\n  image:\n    repository: ${APP}\n    tag: ${SHA} # set by CI\n    digest: ${DIGEST}\n`);
  assert.deepEqual(
    result.changes.map((c) => c.old),
    [null, null, null],
  );
});
