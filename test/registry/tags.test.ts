import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError } from "../../.dagger/src/errors.js";
import { parseReference } from "../../.dagger/src/registry/reference.js";
import { inputTag, validateInputTag, validateShaTag } from "../../.dagger/src/registry/tags.js";

const HASH = "a7714fcd56f8a065bd94bee157c2f41ef6bb246d78ae0c3186ab6593115b761e";

describe("tag conventions", () => {
  it("an input tag is in- and the whole SHA-256 of the inputs: 67 characters, a valid tag", () => {
    const tag = inputTag(HASH);
    assert.equal(tag, `in-${HASH}`);
    assert.equal(tag.length, 67);
    assert.equal(validateInputTag(tag), tag);
    assert.equal(parseReference(`r.example/a:${tag}`).tag, tag);
  });

  it("rejects input hashes and input tags that are not 64 lowercase hex", () => {
    assert.throws(() => inputTag(HASH.slice(0, 12)), { message: `input hash "${HASH.slice(0, 12)}": expected the hex SHA-256 of the build inputs, 64 lowercase hex digits` });
    assert.throws(() => inputTag(HASH.toUpperCase()), InputError);
    assert.throws(() => validateInputTag(HASH), { message: `input tag "${HASH}": expected in- and the 64 lowercase hex digits of the input hash, e.g. in-${"0".repeat(64)}` });
    assert.throws(() => validateInputTag("main"), InputError);
    assert.throws(() => validateInputTag(`in-${HASH}x`), InputError);
  });

  it("a SHA tag is exactly the full commit SHA: 40 lowercase hex", () => {
    const sha = "3f2c9a1e5b7d4c6f8a0b2d4e6f8091a3b5c7d9e1";
    assert.equal(validateShaTag(sha), sha);
    for (const bad of [sha.slice(0, 7), sha.toUpperCase(), `${sha}0`, "latest", `v${sha.slice(1)}`, ""])
      assert.throws(() => validateShaTag(bad), { message: `SHA tag "${bad}": expected the full git commit SHA, 40 lowercase hex digits (git rev-parse HEAD)` });
  });
});
