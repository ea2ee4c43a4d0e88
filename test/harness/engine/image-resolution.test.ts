import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ImageResolution, type ImageResolutionMutant, normalizeReference } from "./image-resolution.js";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

/** A registry whose tags a test can move. */
function registry() {
  const tags: Record<string, string> = { "docker.io/library/node:22-bookworm-slim": D1 };
  return { tags, lookup: (ref: string) => tags[ref] };
}

const samePerSession = (mutant?: ImageResolutionMutant) => {
  const r = registry();
  const images = new ImageResolution(r.lookup, mutant);
  assert.equal(images.imageRef("s1", "node:22-bookworm-slim"), `docker.io/library/node:22-bookworm-slim@${D1}`);
  r.tags["docker.io/library/node:22-bookworm-slim"] = D2; // the tag moves during the call
  assert.equal(images.imageRef("s1", "node:22-bookworm-slim"), `docker.io/library/node:22-bookworm-slim@${D1}`, "the session keeps its resolution");
};

describe("engine rule (h): Container.from resolves a tag once per session (core/schema/container.go from, imageRef)", () => {
  it("the same tag gives the same digest all session, even after it moved", () => samePerSession());
  it("a new session sees where the tag points now", () => {
    const r = registry();
    const images = new ImageResolution(r.lookup);
    images.imageRef("s1", "node:22-bookworm-slim");
    r.tags["docker.io/library/node:22-bookworm-slim"] = D2;
    assert.equal(images.imageRef("s2", "node:22-bookworm-slim"), `docker.io/library/node:22-bookworm-slim@${D2}`);
    assert.equal(images.lookups, 2);
  });
  it("a digest reference is answered as it is, without asking the registry", () => {
    const images = new ImageResolution(() => undefined);
    assert.equal(images.imageRef("s1", `mirror.example:8443/hub/node:22@${D2}`), `mirror.example:8443/hub/node:22@${D2}`);
    assert.equal(images.lookups, 0);
  });
  it("a missing image fails as the engine's from does", () => {
    assert.throws(() => new ImageResolution(() => undefined).imageRef("s1", "127.0.0.1:5000/shop/backend:in-0"), /failed to resolve image "127.0.0.1:5000\/shop\/backend:in-0"/);
  });
  it("names are normalised as distribution/reference does", () => {
    assert.equal(normalizeReference("node"), "docker.io/library/node:latest");
    assert.equal(normalizeReference("acme/app:1"), "docker.io/acme/app:1");
    assert.equal(normalizeReference("localhost/app:1"), "localhost/app:1");
    assert.equal(normalizeReference("127.0.0.1:5000/shop/backend:in-a"), "127.0.0.1:5000/shop/backend:in-a");
  });

  describe("mutant is caught", () => {
    it("a model that asks the registry on every from sees the moved tag within one session", () => {
      assert.throws(() => samePerSession("uncached"), /the session keeps its resolution/);
    });
  });
});
