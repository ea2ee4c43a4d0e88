/** The Compose editor: which services move, and what is refused. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { editCompose } from "../../modules/gitops/src/edit/compose.js";
import { applyAndCheck, assertEditError, DIGEST, SHA, update } from "./edit-assert.js";

const F = "prod/compose.yaml";
const APP = "registry.example.com/acme/webshop/backend";

test("every service of the repository moves, whatever tag or digest it had; others stay", () => {
  const text = ["services:", `  a: {image: ${APP}}`, `  b:\n    image: ${APP}:0.9.0@sha256:${"1".repeat(64)}`, `  c:\n    image: ${APP}-tools:0.9.0`, "  d:\n    build: .", ""].join("\n");
  const result = applyAndCheck("compose", text, F, [update(APP)]);
  assert.deepEqual(
    result.changes.map((c) => [c.path, c.new]),
    [
      ["services.a.image", `${APP}:${SHA}@${DIGEST}`],
      ["services.b.image", `${APP}:${SHA}@${DIGEST}`],
    ],
  );
  assert.ok(result.text.includes(`image: ${APP}-tools:0.9.0`));
});

test("a repository no service uses is reported as unmatched, and the text is returned as it was", () => {
  const text = "services:\n  web:\n    image: nginx:1.27\n";
  const result = applyAndCheck("compose", text, F, [update(APP)]);
  assert.equal(result.text, text);
  assert.deepEqual(result.unmatched, [update(APP)]);
});

test("malformed Compose files are refused with file, path, line and what is valid", () => {
  assertEditError(() => editCompose("services:\n  - web\n", F, [update(APP)]), { file: F, path: "services", line: 2, value: /a list/, expected: /mapping of service names/ });
  assertEditError(() => editCompose("version: '3'\n", F, [update(APP)]), { file: F, path: "services", line: 1, value: /no services key/, expected: /mapping of service names/ });
  assertEditError(() => editCompose("services:\n  web: nginx\n", F, [update(APP)]), { file: F, path: "services.web", line: 2, value: /"nginx"/, expected: /service: a mapping/ });
  assertEditError(() => editCompose("services:\n  web:\n    image: 42\n", F, [update(APP)]), { file: F, path: "services.web.image", line: 3, value: /42/, expected: /image reference/ });
  assertEditError(() => editCompose("services:\n  web:\n    image: a\n    image: b\n", F, [update(APP)]), { file: F, path: "", line: 4, value: /"image" twice/, expected: /each key once/ });
  assertEditError(() => editCompose("services: {}\n---\nservices: {}\n", F, [update(APP)]), { file: F, path: "", document: 1, value: /2 YAML documents/, expected: /one document/ });
});
