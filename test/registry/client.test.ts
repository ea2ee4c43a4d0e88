// The OCI distribution client against exchanges recorded from a real docker-registry
// (fixtures/anonymous.json, made by record-fixtures.ts); a few answers are altered on purpose
// to show what the client does with a registry that misbehaves.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { InputError } from "../../.dagger/src/errors.js";
import { MANIFEST_MEDIA_TYPES, RegistryClient } from "../../.dagger/src/registry/client.js";
import { RegistryError } from "../../.dagger/src/registry/errors.js";
import { copy, loadFixture, replayClient, stepOf } from "./fixtures.js";
import { INPUT_TAG, LEGACY_REPOSITORY, MISSING_INPUT_TAG, MISSING_REPOSITORY, REPOSITORY, SHA_1 } from "./values.js";

const fixture = loadFixture("anonymous");
const R = fixture.registry;
const sha256 = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
const body = (step: string) => stepOf(fixture, step)[0].response.body ?? "";
const ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

describe("registry client, against a recorded docker-registry 2.8", () => {
  it("reads a manifest: digest verified against the bytes, media type, exact bytes; no credentials sent", async () => {
    const { client, requests } = replayClient(fixture);
    const m = await client.manifest(`${R}/${REPOSITORY}:${INPUT_TAG}`);
    assert.ok(m);
    assert.equal(m.digest, fixture.values.imageDigest);
    assert.equal(m.digest, sha256(body("manifest of the input tag")));
    assert.equal(m.mediaType, "application/vnd.oci.image.manifest.v1+json");
    assert.equal(Buffer.from(m.bytes).toString("utf8"), body("manifest of the input tag"));
    assert.deepEqual(requests, [{ method: "GET", url: `http://${R}/v2/${REPOSITORY}/manifests/${INPUT_TAG}`, headers: { accept: ACCEPT } }]);
  });

  it("accepts all four manifest media types (OCI index and manifest, Docker list and manifest)", () => {
    assert.deepEqual(ACCEPT.split(", ").sort(), [
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.image.manifest.v1+json",
    ]);
  });

  it("reads a manifest by digest", async () => {
    const { client } = replayClient(fixture);
    assert.equal((await client.manifest(`${R}/${REPOSITORY}@${fixture.values.imageDigest}`))?.digest, fixture.values.imageDigest);
  });

  it("answers undefined for a missing tag or repository (404), true/false for exists (HEAD)", async () => {
    const { client, requests } = replayClient(fixture);
    assert.equal(await client.manifest(`${R}/${REPOSITORY}:${MISSING_INPUT_TAG}`), undefined);
    assert.equal(await client.manifest(`${R}/${MISSING_REPOSITORY}:${INPUT_TAG}`), undefined);
    assert.equal(await client.exists(`${R}/${REPOSITORY}:${INPUT_TAG}`), true);
    assert.equal(await client.exists(`${R}/${REPOSITORY}:${MISSING_INPUT_TAG}`), false);
    assert.deepEqual(
      requests.map((r) => r.method),
      ["GET", "GET", "HEAD", "HEAD"],
    );
  });

  it("tags an OCI index by PUTting the same bytes with the same Content-Type, and returns the unchanged digest", async () => {
    const { client, requests } = replayClient(fixture);
    assert.equal(await client.tag(`${R}/${REPOSITORY}:multi-arch`, SHA_1), fixture.values.indexDigest);
    const [get, put] = requests;
    assert.equal(put.method, "PUT");
    assert.equal(put.url, `http://${R}/v2/${REPOSITORY}/manifests/${SHA_1}`);
    assert.equal(put.headers["content-type"], "application/vnd.oci.image.index.v1+json");
    assert.equal(put.body, body("tag the image index"));
    assert.equal(get.url, `http://${R}/v2/${REPOSITORY}/manifests/multi-arch`);
  });

  it("tags a Docker v2 manifest with its own Content-Type", async () => {
    const { client, requests } = replayClient(fixture);
    assert.equal(await client.tag(`${R}/${LEGACY_REPOSITORY}:${INPUT_TAG}`, SHA_1), fixture.values.legacyDigest);
    assert.equal(requests[1].headers["content-type"], "application/vnd.docker.distribution.manifest.v2+json");
  });

  it("refuses bytes that do not hash to the Docker-Content-Digest", async () => {
    const exchanges = copy(fixture.exchanges);
    const get = exchanges.find((e) => e.step === "manifest of the input tag");
    assert.ok(get?.response.body);
    get.response.body = `${get.response.body} `;
    const { client } = replayClient(fixture, undefined, exchanges);
    await assert.rejects(client.manifest(`${R}/${REPOSITORY}:${INPUT_TAG}`), {
      name: "RegistryError",
      message: `registry ${R}: GET /v2/${REPOSITORY}/manifests/${INPUT_TAG}: Docker-Content-Digest says ${fixture.values.imageDigest} but the manifest bytes hash to ${sha256(`${get.response.body}`)}`,
    });
  });

  it("refuses a manifest asked for by digest that hashes to something else, even without Docker-Content-Digest", async () => {
    const exchanges = copy(fixture.exchanges);
    const get = exchanges.find((e) => e.step === "manifest by digest");
    assert.ok(get?.response.body);
    get.response.body = `${get.response.body}\n`;
    delete get.response.headers["docker-content-digest"];
    const { client } = replayClient(fixture, undefined, exchanges);
    await assert.rejects(client.manifest(`${R}/${REPOSITORY}@${fixture.values.imageDigest}`), {
      message: `registry ${R}: GET /v2/${REPOSITORY}/manifests/${fixture.values.imageDigest}: asked for ${fixture.values.imageDigest} but the manifest bytes hash to ${sha256(get.response.body)}`,
    });
  });

  it("notices when the registry stores a tag under another digest", async () => {
    const exchanges = copy(stepOf(fixture, "tag the image index"));
    exchanges[1].response.headers["docker-content-digest"] = fixture.values.imageDigest;
    const { client } = replayClient(fixture, undefined, exchanges);
    await assert.rejects(client.tag(`${R}/${REPOSITORY}:multi-arch`, SHA_1), {
      message: `registry ${R}: PUT /v2/${REPOSITORY}/manifests/${SHA_1}: the registry stored ${fixture.values.imageDigest} instead of ${fixture.values.indexDigest}; the tag ${SHA_1} may now point to a different manifest`,
    });
  });

  it("reads the digest back when the PUT answer has no Docker-Content-Digest", async () => {
    const exchanges = copy(stepOf(fixture, "tag the image index"));
    delete exchanges[1].response.headers["docker-content-digest"];
    const getTagged = copy(stepOf(fixture, "tag the image index"))[0];
    getTagged.request.url = getTagged.request.url.replace("multi-arch", SHA_1);
    const { client, requests } = replayClient(fixture, undefined, [...exchanges, getTagged]);
    assert.equal(await client.tag(`${R}/${REPOSITORY}:multi-arch`, SHA_1), fixture.values.indexDigest);
    assert.deepEqual(
      requests.map((r) => `${r.method} ${new URL(r.url).pathname}`),
      [`GET /v2/${REPOSITORY}/manifests/multi-arch`, `PUT /v2/${REPOSITORY}/manifests/${SHA_1}`, `GET /v2/${REPOSITORY}/manifests/${SHA_1}`],
    );
  });

  it("words a registry's error: registry, request, status, the registry's codes and messages", async () => {
    const { client } = replayClient(fixture);
    const bytes = new TextEncoder().encode('{"schemaVersion":2}');
    await assert.rejects(client.putManifest(`${R}/${REPOSITORY}:rejected`, { digest: "sha256:unused", mediaType: "application/vnd.oci.image.manifest.v1+json", bytes }), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.status, 400);
      assert.equal(
        e.message,
        `registry ${R}: PUT /v2/${REPOSITORY}/manifests/rejected: 400 Bad Request (DIGEST_INVALID: provided digest did not match uploaded content; MANIFEST_BLOB_UNKNOWN: blob unknown to registry)`,
      );
      return true;
    });
  });

  it("fails tagging an image that does not exist", async () => {
    const { client } = replayClient(fixture);
    await assert.rejects(client.tag(`${R}/${REPOSITORY}:${MISSING_INPUT_TAG}`, SHA_1), {
      message: `registry ${R}: cannot tag ${R}/${REPOSITORY}:${MISSING_INPUT_TAG} as ${SHA_1}: ${R}/${REPOSITORY}:${MISSING_INPUT_TAG} does not exist`,
    });
  });

  it("rejects bad references before sending anything", async () => {
    const { client, requests } = replayClient(fixture);
    await assert.rejects(client.manifest(`other.example.com/${REPOSITORY}:${INPUT_TAG}`), {
      name: "InputError",
      message: `image reference "other.example.com/${REPOSITORY}:${INPUT_TAG}": is on registry other.example.com, but this client talks to ${R}`,
    });
    await assert.rejects(client.exists(`${R}/${REPOSITORY}`), { message: `image reference "${R}/${REPOSITORY}": names no tag or digest; expected …:<tag> or …@sha256:<digest>` });
    await assert.rejects(client.tag(`${R}/${REPOSITORY}:${INPUT_TAG}`, "latest"), InputError);
    await assert.rejects(client.manifest(`${REPOSITORY}:${INPUT_TAG}`), /Docker Hub shorthand is not supported/);
    assert.deepEqual(requests, []);
  });
});

describe("registry transport", () => {
  const answering = (status: number, headers: Record<string, string> = {}) => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const fake: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), init });
      return new Response(null, { status, headers });
    };
    return { fake, seen };
  };

  it("uses https, except plain http for loopback registries or when plainHttp is set", async () => {
    for (const [registry, plainHttp, base] of [
      ["registry.example.com", undefined, "https://registry.example.com"],
      ["registry.example.com:5000", true, "http://registry.example.com:5000"],
      ["127.0.0.1:5000", undefined, "http://127.0.0.1:5000"],
      ["localhost:5000", undefined, "http://localhost:5000"],
      ["[::1]:5000", undefined, "http://[::1]:5000"],
      ["127.0.0.1:5443", false, "https://127.0.0.1:5443"],
    ] as const) {
      const { fake, seen } = answering(404);
      await new RegistryClient({ registry, plainHttp, fetch: fake }).exists(`${registry}/a/b:t`);
      assert.equal(seen[0].url, `${base}/v2/a/b/manifests/t`);
    }
  });

  it("never follows a redirect (it could carry the Authorization header elsewhere)", async () => {
    const { fake, seen } = answering(307, { location: "https://elsewhere.example/v2/a/b/manifests/t" });
    await assert.rejects(new RegistryClient({ registry: "registry.example.com", fetch: fake }).manifest("registry.example.com/a/b:t"), {
      message: "registry registry.example.com: GET /v2/a/b/manifests/t: 307 Temporary Redirect (the registry redirected to https://elsewhere.example/v2/a/b/manifests/t; redirects are not followed)",
    });
    assert.equal(seen[0].init?.redirect, "manual");
  });

  it("says which registry did not answer, and why", async () => {
    const fake: typeof fetch = async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:5000") });
    };
    await assert.rejects(new RegistryClient({ registry: "127.0.0.1:5000", fetch: fake }).exists("127.0.0.1:5000/shop/backend:t"), {
      message: "registry 127.0.0.1:5000: HEAD /v2/shop/backend/manifests/t: no answer from http://127.0.0.1:5000 (fetch failed: connect ECONNREFUSED 127.0.0.1:5000)",
    });
    // A registry that never answers; the timer stands for the open socket that keeps a real fetch alive.
    const slow: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        const socket = setTimeout(() => reject(new Error("the client did not give up")), 5_000);
        init?.signal?.addEventListener("abort", () => {
          clearTimeout(socket);
          reject(init.signal?.reason);
        });
      });
    await assert.rejects(new RegistryClient({ registry: "registry.example.com", fetch: slow, timeoutMs: 20 }).exists("registry.example.com/a/b:t"), {
      message: "registry registry.example.com: HEAD /v2/a/b/manifests/t: no answer from https://registry.example.com (no answer in time)",
    });
  });

  it("reports unexpected statuses with the registry's words", async () => {
    const fake: typeof fetch = async () => new Response('{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limit exceeded"}]}', { status: 429, statusText: "Too Many Requests" });
    await assert.rejects(new RegistryClient({ registry: "registry.example.com", fetch: fake }).manifest("registry.example.com/a/b:t"), {
      message: "registry registry.example.com: GET /v2/a/b/manifests/t: 429 Too Many Requests (TOOMANYREQUESTS: rate limit exceeded)",
    });
  });
});
