/**
 * The editors on our own fixtures (every quoting and collection style, comments, anchors, merge
 * keys, document markers, empty values), as LF and as CRLF: the result is exactly the reviewed
 * expected file, only image lines differ, and a second application is a no-op.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { applyAndCheck, DIGEST, SHA } from "./edit-assert.js";
import { expectedFile, FIXTURE_CASES, fixtureText, REPO } from "./fixture-cases.js";

const crlf = (text: string) => text.replace(/\r?\n/g, "\r\n");

for (const c of FIXTURE_CASES) {
  test(`${c.file} (${c.format}) becomes ${expectedFile(c.file)}, LF and CRLF`, () => {
    const before = fixtureText(c.file);
    const expected = fixtureText(expectedFile(c.file));
    assert.notEqual(expected, before, "the expected file shows an edit");
    const lf = applyAndCheck(c.format, before, c.file, c.updates, c.options);
    assert.equal(lf.text, expected);
    const crlfResult = applyAndCheck(c.format, crlf(before), c.file, c.updates, c.options);
    assert.equal(crlfResult.text, crlf(expected));
    assert.deepEqual(crlfResult.changes, lf.changes, "the same changes, on the same lines");
  });
}

const pinned = (repository: string) => `${repository}:${SHA}@${DIGEST}`;

test("compose fixture: the merged anchor moves backend and worker, the interpolated tag is pinned, unmatched is reported", () => {
  const c = FIXTURE_CASES.find((x) => x.file === "compose.yaml")!;
  const result = applyAndCheck(c.format, fixtureText(c.file), c.file, c.updates);
  const services = (parse(result.text, { merge: true }) as { services: Record<string, { image?: string }> }).services;
  assert.equal(services.backend?.image, pinned(REPO.backend));
  assert.equal(services.worker?.image, pinned(REPO.backend));
  assert.equal(services.frontend?.image, pinned("localhost:5000/acme/webshop/frontend"));
  assert.equal(services["db-migrate"]?.image, pinned(REPO.db));
  assert.equal(services.db?.image, "docker.io/library/postgres:16");
  assert.deepEqual(
    result.changes.map((ch) => ch.path),
    ["x-backend.image", "services.frontend.image", "services.db-migrate.image"],
  );
  assert.deepEqual(
    result.unmatched.map((u) => u.repository),
    [REPO.worker],
  );
});

test("manifests fixture: every workload kind's containers and init containers, nothing else", () => {
  const c = FIXTURE_CASES.find((x) => x.file === "workloads.yaml")!;
  const result = applyAndCheck(c.format, fixtureText(c.file), c.file, c.updates);
  assert.deepEqual(
    result.changes.map((ch) => `${ch.document} ${ch.path}`),
    [
      "0 spec.template.spec.initContainers[0].image",
      "0 spec.template.spec.containers[0].image",
      "4 spec.template.spec.containers[0].image",
      "5 spec.template.spec.containers[0].image",
      "6 spec.template.spec.containers[0].image",
      "7 spec.jobTemplate.spec.template.spec.containers[0].image",
      "8 spec.containers[0].image",
    ],
  );
  const docs = parseAllDocuments(result.text) as unknown as { toJS(): Record<string, unknown> | null }[];
  const service = docs[1]!.toJS() as { metadata: { annotations: { image: string } } };
  assert.equal(service.metadata.annotations.image, "registry.example.com/acme/webshop/backend:0.9.0", "a Service annotation is not a container image");
});

test("kustomize fixture: changes list file, path, line, old and new value", () => {
  const c = FIXTURE_CASES.find((x) => x.file === "styles.kustomization.yaml")!;
  const result = applyAndCheck(c.format, fixtureText(c.file), c.file, c.updates);
  assert.deepEqual(result.changes.slice(0, 3), [
    { file: c.file, document: 0, path: "images[0].newTag", line: 18, old: "0.9.0", new: SHA },
    { file: c.file, document: 0, path: "images[0].newName", line: 19, old: null, new: REPO.backend },
    { file: c.file, document: 0, path: "images[0].digest", line: 20, old: null, new: DIGEST },
  ]);
  assert.deepEqual(result.changes.at(-1), { file: c.file, document: 0, path: "images[4].digest", line: 35, old: null, new: DIGEST });
});
