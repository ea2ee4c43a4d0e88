/**
 * What every write-back edit must satisfy, checked independently of the editors: the new text
 * parses, only image lines differ from the old one (line diff), every reported change is on a
 * changed line, line endings are kept, and a second application changes nothing.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { applyImageUpdates, type ApplyOptions, type EditFormat, type EditResult, GitopsEditError, type ImageUpdate } from "../../modules/gitops/src/edit/index.js";
import { lineDiff } from "./line-diff.js";

/** A git SHA and a digest that look real. */
export const SHA = "3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345";
/** A second release, to show a second promotion replaces the first. */
export const SHA2 = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
/** A digest that looks real. */
export const DIGEST = `sha256:${"5e".repeat(32)}`;
/** A second digest. */
export const DIGEST2 = `sha256:${"7c".repeat(32)}`;

/** An update of a repository to SHA and DIGEST (or the given ones). */
export const update = (repository: string, extra: Partial<ImageUpdate> = {}): ImageUpdate => ({ repository, tag: SHA, digest: DIGEST, ...extra });

/** A line that holds an image key (what the editors may rewrite or add), in block or flow style. */
const IMAGE_KEY_LINE = /(^|[\s{,-])(images|image|name|newName|newTag|digest|repository|registry|tag|sha)\s*:/;

/** The new values of the updates (what added lines must contain): for Helm also the registry and the name below it, and the digest's bare hex. */
const values = (updates: readonly ImageUpdate[]) =>
  updates.flatMap((u) => [u.repository, u.tag, u.digest, u.digest.replace(/^sha256:/, ""), u.repository.slice(0, u.repository.indexOf("/")), u.repository.slice(u.repository.indexOf("/") + 1)]);

/** Apply, then check the result against the old text; returns the result. */
export function applyAndCheck(format: EditFormat, before: string, file: string, updates: readonly ImageUpdate[], options: ApplyOptions = {}): EditResult {
  const result = applyImageUpdates(format, before, file, updates, options);
  const after = result.text;
  // The new text parses, with as many documents as before.
  const docs = parseAllDocuments(after, { merge: true });
  const count = Array.isArray(docs) ? docs.length : 0;
  const countBefore = (() => {
    const d = parseAllDocuments(before, { merge: true });
    return Array.isArray(d) ? d.length : 0;
  })();
  assert.equal(count, countBefore, `${file}: the number of YAML documents changed`);
  if (Array.isArray(docs)) for (const d of docs) assert.deepEqual(d.errors, [], `${file}: the new text does not parse`);

  const diff = lineDiff(before, after);
  const changeLines = new Set(result.changes.map((c) => c.line));
  for (const added of diff.added) {
    const ok = changeLines.has(added.line) || /^\s*images:\s*\r?$/.test(added.text);
    assert.ok(ok, `${file}:${added.line}: a line changed that holds no written value: ${JSON.stringify(added.text)}`);
    assert.ok(
      values(updates).some((v) => added.text.includes(v)) || /^\s*images:\s*\r?$/.test(added.text),
      `${file}:${added.line}: an added line holds none of the new values: ${JSON.stringify(added.text)}`,
    );
  }
  for (const removed of diff.removed) assert.ok(IMAGE_KEY_LINE.test(removed.text), `${file}:${removed.line}: a line was removed that is not an image line: ${JSON.stringify(removed.text)}`);
  // At most one line per written value was rewritten (an added key rewrites none, an empty `tag:` its own line).
  assert.ok(diff.removed.length <= result.changes.length, `${file}: ${diff.removed.length} lines removed for ${result.changes.length} written values`);
  for (const c of result.changes)
    assert.ok(
      diff.added.some((a) => a.line === c.line),
      `${file}: change ${c.path} reported on line ${c.line}, which did not change`,
    );
  if (result.changes.length === 0) assert.equal(after, before, `${file}: text changed without a reported change`);

  // Line endings: a CRLF file stays CRLF everywhere.
  if (/\r\n/.test(before) && !/[^\r]\n/.test(before)) assert.ok(!/(^|[^\r])\n/.test(after), `${file}: a line lost its CRLF ending`);

  // Idempotent: applying the same updates to the result changes nothing.
  const again = applyImageUpdates(format, after, file, updates, options);
  assert.equal(again.text, after, `${file}: a second application changed the text`);
  assert.deepEqual(again.changes, [], `${file}: a second application reported changes`);
  return result;
}

/** Assert that `run` throws a GitopsEditError with these fields, and a message naming file, path, found value and what is valid. */
export function assertEditError(run: () => unknown, want: { file: string; path: string; line?: number; document?: number; value: RegExp; expected: RegExp }): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof GitopsEditError, `expected a GitopsEditError, got ${String(e)}`);
    assert.equal(e.file, want.file);
    assert.equal(e.path, want.path);
    if (want.line !== undefined) assert.equal(e.line, want.line);
    if (want.document !== undefined) assert.equal(e.document, want.document);
    assert.match(e.value, want.value);
    assert.match(e.expected, want.expected);
    assert.ok(e.message.startsWith(`${want.file}${want.line === undefined ? "" : `:${want.line}`}`), e.message);
    if (want.path !== "") assert.ok(e.message.includes(`: ${want.path}: `), e.message);
    assert.ok(e.message.includes(`(found ${e.value}); expected ${e.expected}`), e.message);
    assert.equal(e.exitCode, 2);
    return true;
  });
}
