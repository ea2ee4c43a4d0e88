import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ScrubMutant, scrub } from "./secret-scrub.js";

const TOKEN = "npm_tok_5f3a9c1e77b2";
const NPMRC = `registry=https://nexus.example/npm/\n//nexus.example/npm/:_authToken=${TOKEN}\n`;

const properties = (model: typeof scrub) => ({
  foldedTokenNotScrubbed() {
    assert.equal(model(`npm http fetch 401 token ${TOKEN}`, [NPMRC]), `npm http fetch 401 token ${TOKEN}`, "the token is only part of the .npmrc secret: printed alone it stays");
  },
});

describe("engine rule (g): secret scrubbing by exact value (engine/engineutil/secret_scrub.go)", () => {
  it("an exact secret value is replaced by ***, everywhere in the output", () => {
    assert.equal(scrub(`a ${TOKEN} b ${TOKEN}`, [TOKEN]), "a *** b ***");
  });
  it("the whole .npmrc printed is scrubbed; its trimmed form too", () => {
    assert.equal(scrub(`cat: ${NPMRC}done`, [NPMRC]), "cat: ***done");
    assert.equal(scrub(`x ${NPMRC.trim()} y`, [NPMRC]), "x *** y");
  });
  it("a token folded into a larger secret is not scrubbed when printed alone", properties(scrub).foldedTokenNotScrubbed);
  it("the token as a secret of its own is scrubbed", () => {
    assert.equal(scrub(`401 for ${TOKEN}`, [NPMRC, TOKEN]), "401 for ***");
  });
  it("engine quirk kept: a secret starting inside a failed partial match of another is not found", () => {
    assert.equal(scrub("abc", ["abX", "bc"]), "abc");
    assert.equal(scrub("xbc", ["abX", "bc"]), "x***");
  });

  describe("mutant is caught", () => {
    const mutant: ScrubMutant = "substring-of-secret";
    it(`${mutant} fails "folded token not scrubbed"`, () => assert.throws(properties((t, s) => scrub(t, s, mutant)).foldedTokenNotScrubbed, assert.AssertionError));
  });
});
