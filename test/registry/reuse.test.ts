// tagReused against exchanges recorded from a real docker-registry (fixtures/anonymous.json); findReusable with a lookup standing for the engine's.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError } from "../../.dagger/src/errors.js";
import { findReusable, tagReused } from "../../.dagger/src/registry/reuse.js";
import { copy, loadFixture, replayClient, stepOf } from "./fixtures.js";
import { INPUT_TAG, MISSING_INPUT_TAG, REPOSITORY, SHA_1, SHA_2 } from "./values.js";

const f = loadFixture("anonymous");
const repository = `${f.registry}/${REPOSITORY}`;
const calls = (requests: { method: string; url: string }[]) => requests.map((r) => `${r.method} ${new URL(r.url).pathname}`);

const byDigest = stepOf(f, "manifest by digest");
/** The steps of a recorded reuse after its input-tag read, which the engine now does (findReusable). */
const afterLookup = (step: string) => stepOf(f, step).slice(1);

describe("tagReused: the SHA tag on the manifest the engine found under the input tag", () => {
  it("puts the SHA tag on that manifest, by digest, with its exact bytes", async () => {
    const { client, requests } = replayClient(f, undefined, [...byDigest, ...afterLookup("reuse: published")]);
    assert.equal(await tagReused({ client, repository, digest: f.values.imageDigest, inputTag: INPUT_TAG, shaTag: SHA_2 }), f.values.imageDigest);
    assert.deepEqual(calls(requests), [`GET /v2/${REPOSITORY}/manifests/${f.values.imageDigest}`, `GET /v2/${REPOSITORY}/manifests/${SHA_2}`, `PUT /v2/${REPOSITORY}/manifests/${SHA_2}`]);
    assert.equal(requests[2].body, byDigest[0].response.body);
  });

  it("does nothing more when the SHA tag already names that manifest (a re-run)", async () => {
    const { client, requests } = replayClient(f, undefined, [...byDigest, ...afterLookup("reuse: published and already tagged")]);
    assert.equal(await tagReused({ client, repository, digest: f.values.imageDigest, inputTag: INPUT_TAG, shaTag: SHA_2 }), f.values.imageDigest);
    assert.deepEqual(calls(requests), [`GET /v2/${REPOSITORY}/manifests/${f.values.imageDigest}`, `GET /v2/${REPOSITORY}/manifests/${SHA_2}`]);
  });

  it("never moves a SHA tag that names another manifest", async () => {
    const { client, requests } = replayClient(f, undefined, [...byDigest, ...afterLookup("reuse: the SHA tag names another manifest")]);
    await assert.rejects(tagReused({ client, repository, digest: f.values.imageDigest, inputTag: INPUT_TAG, shaTag: SHA_1 }), {
      name: "RegistryError",
      message: `registry ${f.registry}: ${REPOSITORY}:${SHA_1} already names ${f.values.indexDigest}, not ${f.values.imageDigest} (the image of ${INPUT_TAG}); a SHA tag is never moved: find out which build pushed it`,
    });
    assert.ok(requests.every((r) => r.method === "GET"));
  });

  it("a manifest gone since the lookup: says so and writes nothing", async () => {
    const gone = copy(byDigest);
    gone[0].response = { ...gone[0].response, status: 404, statusText: "Not Found", body: "" };
    const { client, requests } = replayClient(f, undefined, gone);
    await assert.rejects(tagReused({ client, repository, digest: f.values.imageDigest, inputTag: INPUT_TAG, shaTag: SHA_2 }), /is gone; it was there when this run looked it up/);
    assert.ok(requests.every((r) => r.method === "GET"));
  });

  it("validates its arguments before asking the registry", async () => {
    const { client, requests } = replayClient(f);
    const bad: [Partial<Parameters<typeof tagReused>[0]>, string][] = [
      [{ shaTag: SHA_1.slice(0, 7) }, `SHA tag "${SHA_1.slice(0, 7)}": expected the full git commit SHA, 40 lowercase hex digits (git rev-parse HEAD)`],
      [{ shaTag: SHA_1.toUpperCase() }, `SHA tag "${SHA_1.toUpperCase()}": expected the full git commit SHA, 40 lowercase hex digits (git rev-parse HEAD)`],
      [{ inputTag: "main" }, `input tag "main": expected in- and the 64 lowercase hex digits of the input hash, e.g. in-${"0".repeat(64)}`],
      [{ repository: `${repository}:${SHA_1}` }, `repository "${repository}:${SHA_1}": name the image without tag or digest, e.g. ${repository}`],
      [
        { repository: REPOSITORY },
        `image reference "${REPOSITORY}": "shop" is not a registry host; write the registry address first, e.g. registry.example.com/${REPOSITORY} (Docker Hub shorthand is not supported)`,
      ],
    ];
    for (const [change, message] of bad)
      await assert.rejects(
        tagReused({ client, repository, digest: f.values.imageDigest, inputTag: INPUT_TAG, shaTag: SHA_1, ...change }),
        (e: unknown) => e instanceof InputError && e.message === message,
      );
    assert.deepEqual(requests, []);
  });
});

describe("findReusable: the input tag asked of the engine", () => {
  it("answers the input tag's reference with the digest the lookup found, or nothing", async () => {
    const asked: string[] = [];
    const lookup = async (ref: string) => (asked.push(ref), ref.endsWith(INPUT_TAG) ? f.values.imageDigest : undefined);
    assert.equal(await findReusable(lookup, repository, INPUT_TAG), `${repository}:${INPUT_TAG}@${f.values.imageDigest}`);
    assert.equal(await findReusable(lookup, repository, MISSING_INPUT_TAG), undefined);
    assert.deepEqual(asked, [`${repository}:${INPUT_TAG}`, `${repository}:${MISSING_INPUT_TAG}`]);
  });
  it("refuses a repository with a tag before asking", async () => {
    await assert.rejects(
      findReusable(async () => assert.fail("asked"), `${repository}:${SHA_1}`, INPUT_TAG),
      /name the image without tag or digest/,
    );
  });
});
