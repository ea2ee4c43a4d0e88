/**
 * Property tests of image references (lib/image-reference.ts, vendored into the GitOps module, and
 * the module's `updates` argument), fast-check, seeded and bounded: any text either parses into a
 * reference that formats back to a text parsing the same, or is refused with an error naming the
 * text (never another exception, never a hang); references built from the grammar always parse.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { formatImageReference, ImageReferenceError, parseImageReference, parseImageReferenceStrict } from "../../lib/image-reference.js";
import { parseUpdate } from "../../modules/gitops/src/write-back.js";

const OPTIONS = { seed: 42, interruptAfterTimeLimit: 20_000 } as const;
/** Each input well under 1 s. */
const PER_INPUT_MS = 1000;

/** Run one input, failing when it takes a second or more. */
function timed<T>(run: () => T): T {
  const start = performance.now();
  try {
    return run();
  } finally {
    assert.ok(performance.now() - start < PER_INPUT_MS, "an input took a second or more");
  }
}

/** Texts near the grammar: its characters, look-alikes, separators, whitespace, newlines, escapes. */
const CHARS = [..."abcz019ABZ-_.:/@$ {}", "sha256", "\n", "\r", "\t", "\u001b[31m", "localhost", "ä", "ı", "\u200b", "..", "//", "@@", "::"];
const nearReference = fc.array(fc.constantFrom(...CHARS), { maxLength: 60 }).map((cs) => cs.join(""));
const anyText = fc.oneof(nearReference, fc.string({ maxLength: 300 }), fc.string({ unit: "grapheme", maxLength: 80 }));

/** References built from the grammar: host[:port]/path[:tag][@sha256:hex]. */
const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}$/);
const host = fc.oneof(fc.constant("localhost"), fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]\.[a-z]{2,6}$/), fc.stringMatching(/^[a-z][a-z0-9]{0,10}\.example\.com$/));
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,40}$/).filter((t) => t !== "latest");
const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);
const reference = fc.record({ host, port, path: fc.array(component, { minLength: 1, maxLength: 4 }), tag: fc.option(tag, { nil: undefined }), digest: fc.option(digest, { nil: undefined }) });

describe("image references (property)", () => {
  test("any text: the strict parse gives a reference that round-trips, or an ImageReferenceError naming the text", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        let ref: ReturnType<typeof parseImageReferenceStrict>;
        try {
          ref = timed(() => parseImageReferenceStrict(text));
        } catch (e) {
          assert.ok(e instanceof ImageReferenceError, `not an ImageReferenceError: ${String(e)}`);
          assert.ok(e.message.startsWith(`image reference ${JSON.stringify(text)}: `), e.message);
          assert.ok(!/[\u0000-\u001f]/.test(e.message), `the message holds a control character: ${JSON.stringify(e.message)}`);
          assert.ok(e.problem.length > 0);
          return;
        }
        assert.ok(!/\s/.test(text), `accepted whitespace: ${JSON.stringify(text)}`);
        assert.deepEqual(parseImageReferenceStrict(formatImageReference(ref)), ref);
      }),
      { ...OPTIONS, numRuns: 3000 },
    );
  });

  test("any text: the lenient parse never throws and never accepts whitespace or control characters", () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (text, variables) => {
        const ref = timed(() => parseImageReference(text, { variables }));
        if (ref !== undefined) assert.ok(!/[\s\x00-\x1f\x7f]/.test(text), JSON.stringify(text));
      }),
      { ...OPTIONS, numRuns: 3000 },
    );
  });

  test("references built from the grammar parse strictly, into their parts", () => {
    fc.assert(
      fc.property(reference, (r) => {
        const registry = r.port === undefined ? r.host : `${r.host}:${r.port}`;
        const text = `${registry}/${r.path.join("/")}${r.tag === undefined ? "" : `:${r.tag}`}${r.digest === undefined ? "" : `@${r.digest}`}`;
        const ref = timed(() => parseImageReferenceStrict(text));
        assert.equal(ref.registry, registry);
        assert.equal(ref.repository, r.path.join("/"));
        assert.equal(ref.tag, r.tag);
        assert.equal(ref.digest, r.digest);
      }),
      { ...OPTIONS, numRuns: 1000 },
    );
  });

  test("the GitOps module's updates argument: an update, or an error naming the argument and the valid shape", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc.tuple(reference, fc.stringMatching(/^[0-9a-f]{40}$/), digest).map(([r, sha, d]) => `${r.host}/${r.path.join("/")}=${sha}@${d}`),
        ),
        (arg) => {
          try {
            const u = timed(() => parseUpdate(arg));
            assert.equal(`${u.repository}=${u.tag}@${u.digest}`, arg);
          } catch (e) {
            assert.equal((e as Error).message, `updates: "${arg}" is not registry/name=<tag>@sha256:<64 hex>`);
          }
        },
      ),
      { ...OPTIONS, numRuns: 2000 },
    );
  });
});
