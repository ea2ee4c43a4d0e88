/**
 * The write-back editors on every real deployment file of the corpus (kustomize, Helm values,
 * Compose), as LF and as CRLF: the new text parses, only image lines differ (line diff), the
 * values are where the renderers read them, a second application is a no-op, and broken
 * variants of each file give a GitopsEditError naming the file, the line and what is valid.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { applyImageUpdates, type EditFormat, GitopsEditError } from "../../modules/gitops/src/edit/index.js";
import { namesRepository } from "../../modules/gitops/src/edit/reference.js";
import { COMPOSE, type CorpusCase, corpusFiles, corpusText, HELM, KUSTOMIZE } from "./corpus-cases.js";
import { applyAndCheck, DIGEST, SHA } from "./edit-assert.js";

const crlf = (text: string) => text.replace(/\r?\n/g, "\r\n");

/** Every file of the folder has a case, so a file added to the corpus cannot go untested. */
function coversFolder(dir: string, cases: CorpusCase[]) {
  test(`every file of corpus/${dir} has a case`, () => {
    assert.deepEqual(cases.map((c) => c.file).sort(), corpusFiles(dir));
  });
}

/** Broken variants of a corpus file: a key repeated at the top level, and a line that is not YAML. */
function rejectsBrokenVariants(format: EditFormat, dir: string, c: CorpusCase) {
  const text = corpusText(dir, c.file);
  const options = c.paths ? { helm: { paths: c.paths } } : {};
  const firstKey = text.split("\n").find((l) => /^[A-Za-z][\w.-]*:/.test(l))!;
  const duplicated = `${text.replace(/\s*$/, "")}\n${firstKey}\n`;
  const duplicateLine = duplicated.split("\n").length - 1;
  assert.throws(
    () => applyImageUpdates(format, duplicated, c.file, c.updates, options),
    (e: unknown) =>
      e instanceof GitopsEditError &&
      e.line === duplicateLine &&
      e.message.startsWith(`${c.file}:${duplicateLine}: duplicate key`) &&
      e.message.includes(JSON.stringify(firstKey.split(":")[0])) &&
      /expected each key once/.test(e.message),
  );
  const broken = `${text.replace(/\s*$/, "")}\n"unterminated: value\n`;
  assert.throws(
    () => applyImageUpdates(format, broken, c.file, c.updates, options),
    (e: unknown) => e instanceof GitopsEditError && e.file === c.file && /is not valid YAML/.test(e.message) && /expected valid YAML/.test(e.message),
  );
}

describe("kustomize corpus", () => {
  coversFolder("kustomize", KUSTOMIZE);
  for (const c of KUSTOMIZE) {
    test(c.file, () => {
      const text = corpusText("kustomize", c.file);
      for (const input of [text, crlf(text)]) {
        const result = applyAndCheck("kustomize", input, c.file, c.updates);
        const images = (parse(result.text) as { images: { name?: string; newName?: string; newTag?: string; digest?: string }[] }).images;
        for (const u of c.updates) {
          const entries = images.filter((e) => namesRepository(e.name ?? "", u.repository) || namesRepository(e.newName ?? "", u.repository));
          assert.ok(entries.length >= 1, `${c.file}: no images entry for ${u.repository}`);
          for (const e of entries) {
            assert.ok(namesRepository(e.newName ?? "", u.repository), `${c.file}: newName ${e.newName} is not ${u.repository}`);
            assert.equal(e.newTag, SHA);
            assert.equal(e.digest, DIGEST);
          }
        }
        assert.ok(
          !/newTag: latest/.test(
            result.text
              .split("\n")
              .filter((_, i) => result.changes.some((ch) => ch.line === i + 1))
              .join("\n"),
          ),
        );
      }
    });
  }
  test("broken variants of every file are refused with the file and line", () => {
    for (const c of KUSTOMIZE) rejectsBrokenVariants("kustomize", "kustomize", c);
  });
});

describe("Helm values corpus", () => {
  coversFolder("helm-values", HELM);
  for (const c of HELM) {
    test(c.file, () => {
      const text = corpusText("helm-values", c.file);
      for (const input of [text, crlf(text)]) {
        const result = applyAndCheck("helm", input, c.file, c.updates, { helm: { paths: c.paths! } });
        const values = parse(result.text, { merge: true }) as Record<string, unknown>;
        const at = (path: string) => path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], values);
        for (const u of c.updates) {
          const p = c.paths![u.component!]!;
          // With a registry path the chart renders <registry>/<repository>: that must be our repository, once.
          assert.equal(p.registry ? `${at(p.registry)}/${at(p.repository)}` : at(p.repository), u.repository);
          assert.equal(at(p.tag), SHA);
          if (p.digest) assert.equal(at(p.digest), DIGEST);
        }
      }
    });
  }
  test("broken variants of every file are refused with the file and line", () => {
    for (const c of HELM) rejectsBrokenVariants("helm", "helm-values", c);
  });
});

describe("Compose corpus", () => {
  coversFolder("compose", COMPOSE);
  for (const c of COMPOSE) {
    test(c.file, () => {
      const text = corpusText("compose", c.file);
      for (const input of [text, crlf(text)]) {
        const result = applyAndCheck("compose", input, c.file, c.updates);
        assert.deepEqual(
          result.unmatched.map((u) => u.repository),
          c.unmatched ?? [],
        );
        const before = parse(input) as { services: Record<string, { image?: string }> };
        const after = parse(result.text) as { services: Record<string, { image?: string }> };
        for (const [name, service] of Object.entries(before.services)) {
          const u = c.updates.find((x) => service.image !== undefined && namesRepository(service.image, x.repository));
          assert.equal(after.services[name]?.image, u ? `${u.repository}:${SHA}@${DIGEST}` : service.image, `${c.file}: services.${name}.image`);
        }
      }
    });
  }
  test("broken variants of every file are refused with the file and line", () => {
    for (const c of COMPOSE) rejectsBrokenVariants("compose", "compose", c);
  });
});
