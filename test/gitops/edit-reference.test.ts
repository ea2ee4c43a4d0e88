/** Image references of other people's files, the checks on our updates, and how new values are quoted. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { namesRepository, parseImage, validateUpdates } from "../../modules/gitops/src/edit/reference.js";
import { isPlainSafe, renderScalar } from "../../modules/gitops/src/edit/scalar.js";
import { assertEditError, DIGEST, SHA, update } from "./edit-assert.js";

test("Docker Hub shorthand, index.docker.io and docker.io/library name the same repository", () => {
  for (const ref of ["nginx", "nginx:1.27", "docker.io/nginx", "docker.io/library/nginx:1", `index.docker.io/library/nginx@${DIGEST}`, "registry-1.docker.io/library/nginx"])
    assert.ok(namesRepository(ref, "docker.io/library/nginx"), ref);
  assert.ok(namesRepository("bitnami/redis:7", "docker.io/bitnami/redis"));
  assert.ok(!namesRepository("bitnami/redis", "docker.io/library/redis"));
  assert.ok(!namesRepository("ghcr.io/library/nginx", "nginx"), "another registry is another repository");
});

test("registry ports, tag and digest together, IPv6 hosts", () => {
  assert.deepEqual(parseImage("localhost:5000/x:tag"), { repository: "localhost:5000/x", tag: "tag" });
  assert.deepEqual(parseImage("localhost:5000/x"), { repository: "localhost:5000/x" });
  assert.deepEqual(parseImage(`registry.example.com:5000/a/b:1.0@${DIGEST}`), { repository: "registry.example.com:5000/a/b", tag: "1.0", digest: DIGEST });
  assert.deepEqual(parseImage("[::1]:5000/x:1"), { repository: "[::1]:5000/x", tag: "1" });
  assert.ok(namesRepository(`localhost:5000/acme/app:${SHA}@${DIGEST}`, "localhost:5000/acme/app"));
  assert.ok(!namesRepository("localhost:5001/acme/app", "localhost:5000/acme/app"), "another port is another registry");
  assert.ok(!namesRepository("localhost:5000/acme/app-x", "localhost:5000/acme/app"));
  assert.ok(namesRepository("Registry.Example.com/acme/app", "registry.example.com/acme/app"), "host names are case-insensitive");
});

test("a variable in the tag still names the repository; in the name, nothing", () => {
  assert.deepEqual(parseImage("registry.example.com/x:${TAG:-1.0}"), { repository: "registry.example.com/x", tag: "${TAG:-1.0}" });
  for (const ref of ["${IMAGE}:1.0", "${IMAGE_NAME}:${DEMO_VERSION}-opensearch", "CONTAINER_IMAGES_REGISTRY/adservice", "a:b:c", "x:", "", "two words"]) assert.equal(parseImage(ref), undefined, ref);
});

test("updates: a repository without tag, a full git SHA (never latest), a sha256 digest, each repository once", () => {
  const file = "dev/kustomization.yaml";
  validateUpdates(file, [update("registry.example.com/acme/app"), update("localhost:5000/acme/app")]);
  assertEditError(() => validateUpdates(file, [update("registry.example.com/acme/app", { tag: "latest" })]), {
    file,
    path: "updates[0].tag",
    value: /"latest"/,
    expected: /full git SHA/,
  });
  assertEditError(() => validateUpdates(file, [update("registry.example.com/acme/app", { tag: SHA.slice(0, 12) })]), {
    file,
    path: "updates[0].tag",
    value: /3f2c9a1b7d4e/,
    expected: /40 lowercase hex/,
  });
  assertEditError(() => validateUpdates(file, [update("registry.example.com/acme/app", { digest: "sha256:abc" })]), {
    file,
    path: "updates[0].digest",
    value: /sha256:abc/,
    expected: /64 lowercase hex/,
  });
  assertEditError(() => validateUpdates(file, [update("registry.example.com/acme/app:1.0")]), { file, path: "updates[0].repository", value: /app:1\.0/, expected: /without tag or digest/ });
  assertEditError(() => validateUpdates(file, [update("nginx"), update("docker.io/library/nginx")]), {
    file,
    path: "updates[1].repository",
    value: /docker\.io\/library\/nginx/,
    expected: /updates\[0\] names it too/,
  });
});

test("new values are plain only when every YAML reader reads them back as the same string", () => {
  assert.ok(isPlainSafe(SHA));
  assert.ok(isPlainSafe(DIGEST));
  assert.ok(isPlainSafe(`localhost:5000/acme/app:${SHA}@${DIGEST}`));
  for (const numeric of ["1234567890123456789012345678901234567890", "1234567e90123456789012345678901234567890", "0x12", "12:30", "1_000", "y", "on", "null", "true"])
    assert.ok(!isPlainSafe(numeric), numeric);
  assert.equal(renderScalar("1234567890123456789012345678901234567890", "PLAIN"), '"1234567890123456789012345678901234567890"');
  assert.equal(renderScalar(SHA, "PLAIN"), SHA);
  assert.equal(renderScalar(SHA, "QUOTE_SINGLE"), `'${SHA}'`);
  assert.equal(renderScalar("it's", "QUOTE_SINGLE"), "'it''s'");
  assert.equal(renderScalar(SHA, "QUOTE_DOUBLE"), `"${SHA}"`);
});
