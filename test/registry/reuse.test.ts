// reuseIfPublished against exchanges recorded from a real docker-registry (fixtures/anonymous.json).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError } from "../../.dagger/src/errors.js";
import { reuseIfPublished } from "../../.dagger/src/registry/reuse.js";
import { loadFixture, replayClient, stepOf } from "./fixtures.js";
import { INPUT_TAG, MISSING_INPUT_TAG, REPOSITORY, SHA_1, SHA_2, SHA_3 } from "./values.js";

const f = loadFixture("anonymous");
const repository = `${f.registry}/${REPOSITORY}`;
const calls = (requests: { method: string; url: string }[]) => requests.map((r) => `${r.method} ${new URL(r.url).pathname}`);

describe("reuseIfPublished", () => {
  it("reuses the image published under the input tag: puts the SHA tag on the same manifest", async () => {
    const { client, requests } = replayClient(f, undefined, stepOf(f, "reuse: published"));
    assert.deepEqual(await reuseIfPublished({ client, repository, inputTag: INPUT_TAG, shaTag: SHA_2 }), { reused: true, digest: f.values.imageDigest });
    assert.deepEqual(calls(requests), [`GET /v2/${REPOSITORY}/manifests/${INPUT_TAG}`, `GET /v2/${REPOSITORY}/manifests/${SHA_2}`, `PUT /v2/${REPOSITORY}/manifests/${SHA_2}`]);
    assert.equal(requests[2].body, stepOf(f, "reuse: published")[0].response.body);
  });

  it("does nothing more when the SHA tag already names that manifest (a re-run)", async () => {
    const { client, requests } = replayClient(f, undefined, stepOf(f, "reuse: published and already tagged"));
    assert.deepEqual(await reuseIfPublished({ client, repository, inputTag: INPUT_TAG, shaTag: SHA_2 }), { reused: true, digest: f.values.imageDigest });
    assert.deepEqual(calls(requests), [`GET /v2/${REPOSITORY}/manifests/${INPUT_TAG}`, `GET /v2/${REPOSITORY}/manifests/${SHA_2}`]);
  });

  it("does not reuse when nothing was published under the input tag", async () => {
    const { client, requests } = replayClient(f, undefined, stepOf(f, "reuse: not published"));
    assert.deepEqual(await reuseIfPublished({ client, repository, inputTag: MISSING_INPUT_TAG, shaTag: SHA_3 }), { reused: false });
    assert.deepEqual(calls(requests), [`GET /v2/${REPOSITORY}/manifests/${MISSING_INPUT_TAG}`]);
  });

  it("never moves a SHA tag that names another manifest", async () => {
    const { client, requests } = replayClient(f, undefined, stepOf(f, "reuse: the SHA tag names another manifest"));
    await assert.rejects(reuseIfPublished({ client, repository, inputTag: INPUT_TAG, shaTag: SHA_1 }), {
      name: "RegistryError",
      message: `registry ${f.registry}: ${REPOSITORY}:${SHA_1} already names ${f.values.indexDigest}, not ${f.values.imageDigest} (the image of ${INPUT_TAG}); a SHA tag is never moved: find out which build pushed it`,
    });
    assert.ok(requests.every((r) => r.method === "GET"));
  });

  it("validates its arguments before asking the registry", async () => {
    const { client, requests } = replayClient(f);
    const bad: [Partial<Parameters<typeof reuseIfPublished>[0]>, string][] = [
      [{ shaTag: SHA_1.slice(0, 7) }, `SHA tag "${SHA_1.slice(0, 7)}": expected the full git commit SHA, 40 lowercase hex digits (git rev-parse HEAD)`],
      [{ shaTag: SHA_1.toUpperCase() }, `SHA tag "${SHA_1.toUpperCase()}": expected the full git commit SHA, 40 lowercase hex digits (git rev-parse HEAD)`],
      [{ inputTag: "main" }, `input tag "main": expected in- and the 64 lowercase hex digits of the input hash, e.g. in-${"0".repeat(64)}`],
      [{ repository: `${repository}:${SHA_1}` }, `repository "${repository}:${SHA_1}": name the image without tag or digest, e.g. ${repository}`],
      [{ repository: REPOSITORY }, `image reference "${REPOSITORY}": "shop" is not a registry host; write the registry address first, e.g. registry.example.com/${REPOSITORY} (Docker Hub shorthand is not supported)`],
    ];
    for (const [change, message] of bad)
      await assert.rejects(reuseIfPublished({ client, repository, inputTag: INPUT_TAG, shaTag: SHA_1, ...change }), (e: unknown) => e instanceof InputError && e.message === message);
    assert.deepEqual(requests, []);
  });
});
