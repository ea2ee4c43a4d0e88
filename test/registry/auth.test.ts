// Authentication against recorded registries: htpasswd Basic (fixtures/basic.json) and token
// auth (fixtures/bearer.json), both recorded from a real docker-registry 2.8, and the Bearer flow
// exactly as the distribution token spec shows it (fixtures/bearer-spec.json — written by hand
// from the spec, since no hosted registry's token server is reachable from our build machines).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { RegistryClient } from "../../.dagger/src/registry/client.js";
import { copy, loadFixture, replayClient, stepOf } from "./fixtures.js";
import type { Fixture } from "./recording.js";
import { INPUT_TAG, REPOSITORY, SHA_1, SHA_2 } from "./values.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
/** Every form in which a fixture's credentials could leak. */
const secretsOf = (f: Fixture) => [f.values.password, f.values.wrongPassword, b64(`${f.values.username}:${f.values.password}`), b64(`${f.values.username}:${f.values.wrongPassword}`)].filter(Boolean);
const assertNoSecrets = (text: string, f: Fixture, extra: string[] = []) => {
  for (const s of [...secretsOf(f), ...extra]) assert.ok(!text.includes(s), `leaked a credential: ${text}`);
};
const path = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search ? `?${decodeURIComponent(u.searchParams.toString())}` : ""}`;
};

describe("Basic authentication (recorded from docker-registry with htpasswd)", () => {
  const f = loadFixture("basic");
  const ref = `${f.registry}/${REPOSITORY}:${INPUT_TAG}`;
  const credentials = { username: f.values.username, password: f.values.password };

  it("sends credentials only after the challenge, then with every request", async () => {
    const { client, requests } = replayClient(f, credentials);
    assert.equal((await client.manifest(ref))?.digest, f.values.imageDigest);
    assert.equal(await client.exists(ref), true);
    assert.equal(await client.tag(ref, SHA_1), f.values.imageDigest);
    assert.deepEqual(
      requests.map((r) => [r.method, r.headers.authorization]),
      [
        ["GET", undefined],
        ["GET", `Basic ${b64(`${f.values.username}:${f.values.password}`)}`],
        ["HEAD", `Basic ${b64(`${f.values.username}:${f.values.password}`)}`],
        ["GET", `Basic ${b64(`${f.values.username}:${f.values.password}`)}`],
        ["PUT", `Basic ${b64(`${f.values.username}:${f.values.password}`)}`],
      ],
    );
  });

  it("a wrong password fails clearly and does not leak", async () => {
    const { client } = replayClient(f, { username: f.values.username, password: f.values.wrongPassword });
    await assert.rejects(client.manifest(ref), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(
        e.message,
        `registry ${f.registry}: GET /v2/${REPOSITORY}/manifests/${INPUT_TAG}: 401 Unauthorized (UNAUTHORIZED: authentication required; the registry rejected the username and token)`,
      );
      assertNoSecrets(`${e.message}\n${e.stack}\n${inspect(e)}`, f);
      return true;
    });
  });

  it("requests sent side by side before the first challenge came back are all retried with the credentials", async () => {
    // publish asks for every component at once: all go out anonymously, and each 401 must lead to
    // a retry with Basic, not only the first (the later ones once read as "credentials rejected").
    const { client, requests } = replayClient(f, credentials, stepOf(f, "manifest with credentials"));
    const digests = await Promise.all([client.manifest(ref), client.manifest(ref), client.manifest(ref)]);
    assert.deepEqual(
      digests.map((m) => m?.digest),
      [f.values.imageDigest, f.values.imageDigest, f.values.imageDigest],
    );
    const basic = `Basic ${b64(`${f.values.username}:${f.values.password}`)}`;
    assert.deepEqual(requests.map((r) => r.headers.authorization).sort(), [basic, basic, basic, undefined, undefined, undefined]);
  });

  it("side by side with a wrong password: every request fails as rejected, each retried once", async () => {
    const { client, requests } = replayClient(f, { username: f.values.username, password: f.values.wrongPassword });
    const results = await Promise.allSettled([client.manifest(ref), client.manifest(ref)]);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      assert.match(String((r as PromiseRejectedResult).reason), /the registry rejected the username and token/);
    }
    assert.equal(requests.length, 4);
  });

  it("without credentials, says the registry needs them (GET and HEAD)", async () => {
    const { client } = replayClient(f);
    await assert.rejects(client.manifest(ref), {
      message: `registry ${f.registry}: GET /v2/${REPOSITORY}/manifests/${INPUT_TAG}: 401 Unauthorized (UNAUTHORIZED: authentication required; the registry needs credentials (username and token))`,
    });
    await assert.rejects(client.exists(ref), {
      message: `registry ${f.registry}: HEAD /v2/${REPOSITORY}/manifests/${INPUT_TAG}: 401 Unauthorized (the registry needs credentials (username and token))`,
    });
  });

  it("keeps credentials out of console.log, util.inspect and JSON of the client", () => {
    const client = new RegistryClient({ registry: f.registry, credentials });
    assertNoSecrets(`${inspect(client, { depth: 10, showHidden: true })}\n${JSON.stringify(client)}\n${String(client)}`, f);
    assert.ok(!inspect(client, { depth: 10, showHidden: true }).includes(f.values.username));
  });

  it("redacts credentials even when a registry echoes them back in an error", async () => {
    const exchanges = copy(stepOf(f, "tag with credentials"));
    const put = exchanges[1];
    put.response = {
      status: 500,
      statusText: "Internal Server Error",
      headers: { "content-type": "text/plain" },
      body: `bad request from ${f.values.username}:${f.values.password} with Authorization: Basic ${b64(`${f.values.username}:${f.values.password}`)}`,
    };
    const { client } = replayClient(f, credentials, [...stepOf(f, "manifest with credentials"), ...exchanges]);
    await client.manifest(ref);
    await assert.rejects(client.tag(ref, SHA_1), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, `registry ${f.registry}: PUT /v2/${REPOSITORY}/manifests/${SHA_1}: 500 Internal Server Error (bad request from ${f.values.username}:*** with Authorization: Basic ***)`);
      assertNoSecrets(e.message, f);
      return true;
    });
  });
});

describe("Bearer token flow (recorded from docker-registry with token auth)", () => {
  const f = loadFixture("bearer");
  const ref = `${f.registry}/${REPOSITORY}:${INPUT_TAG}`;
  const credentials = { username: f.values.username, password: f.values.password };
  const tokenOf = (step: string, i: number) => (JSON.parse(stepOf(f, step)[i].response.body ?? "{}") as { token: string }).token;

  it("answers the challenge: token from the realm with the service and scope, Basic credentials there only, then the retry", async () => {
    const { client, requests } = replayClient(f, credentials);
    assert.equal((await client.manifest(ref))?.digest, f.values.imageDigest);
    assert.equal(await client.exists(ref), true);
    const pull = tokenOf("manifest with credentials", 1);
    assert.deepEqual(
      requests.map((r) => [r.method, new URL(r.url).origin === new URL(f.values.realm).origin ? path(r.url) : new URL(r.url).pathname, r.headers.authorization]),
      [
        ["GET", `/v2/${REPOSITORY}/manifests/${INPUT_TAG}`, undefined],
        ["GET", `/token?service=registry-integration-test&scope=repository:${REPOSITORY}:pull`, `Basic ${b64(`${f.values.username}:${f.values.password}`)}`],
        ["GET", `/v2/${REPOSITORY}/manifests/${INPUT_TAG}`, `Bearer ${pull}`],
        ["HEAD", `/v2/${REPOSITORY}/manifests/${INPUT_TAG}`, `Bearer ${pull}`],
      ],
    );
  });

  it("asks for a pull,push token when a PUT is challenged", async () => {
    const { client, requests } = replayClient(f, credentials);
    assert.equal(await client.tag(ref, SHA_1), f.values.imageDigest);
    const push = tokenOf("tag with credentials", 2);
    assert.deepEqual(
      requests.slice(-3).map((r) => [r.method, path(r.url), r.headers.authorization?.replace(/^Basic .*/, "Basic …")]),
      [
        ["PUT", `/v2/${REPOSITORY}/manifests/${SHA_1}`, undefined],
        ["GET", `/token?service=registry-integration-test&scope=repository:${REPOSITORY}:pull,push`, "Basic …"],
        ["PUT", `/v2/${REPOSITORY}/manifests/${SHA_1}`, `Bearer ${push}`],
      ],
    );
  });

  it("a wrong password fails at the token server, clearly and without leaking", async () => {
    const { client } = replayClient(f, { username: f.values.username, password: f.values.wrongPassword });
    await assert.rejects(client.manifest(ref), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(
        e.message,
        `registry ${f.registry}: token request GET ${f.values.realm}?service=registry-integration-test&scope=repository:${REPOSITORY}:pull: 401 Unauthorized (UNAUTHORIZED: invalid username or password; the token server rejected the username and token)`,
      );
      assertNoSecrets(`${e.message}\n${e.stack}`, f);
      return true;
    });
  });

  it("without credentials, asks the realm anonymously", async () => {
    const { client, requests } = replayClient(f);
    await assert.rejects(client.manifest(ref), /401 Unauthorized \(UNAUTHORIZED: invalid username or password; the token server needs credentials \(username and token\)\)$/);
    assert.equal(requests[1].headers.authorization, undefined);
  });
});

describe("Bearer token flow as the distribution token spec shows it (hand-written fixture)", () => {
  const f = loadFixture("bearer-spec");
  const repo = f.values.repository;
  const ref = `${f.registry}/${repo}:${SHA_1}`;
  const credentials = { username: f.values.username, password: f.values.password };

  it("pulls with a token (token field), pushes with another (access_token only), over https", async () => {
    const { client, requests } = replayClient(f, credentials);
    const m = await client.manifest(ref);
    assert.equal(m?.digest, f.values.imageDigest);
    assert.equal(await client.tag(ref, SHA_2), f.values.imageDigest);
    assert.deepEqual(
      requests.map((r) => `${r.method} ${new URL(r.url).origin}${path(r.url)} ${r.headers.authorization?.slice(0, 12) ?? "-"}`),
      [
        `GET https://registry.example.com/v2/${repo}/manifests/${SHA_1} -`,
        `GET https://auth.example.com/token?service=registry.example.com&scope=repository:${repo}:pull Basic ${b64(`${f.values.username}:${f.values.password}`).slice(0, 6)}`,
        `GET https://registry.example.com/v2/${repo}/manifests/${SHA_1} Bearer eyJ0e`,
        // tag: the pull token is reused for the GET, the PUT is challenged for push
        `GET https://registry.example.com/v2/${repo}/manifests/${SHA_1} Bearer eyJ0e`,
        `PUT https://registry.example.com/v2/${repo}/manifests/${SHA_2} -`,
        `GET https://auth.example.com/token?service=registry.example.com&scope=repository:${repo}:pull,push Basic ${b64(`${f.values.username}:${f.values.password}`).slice(0, 6)}`,
        `PUT https://registry.example.com/v2/${repo}/manifests/${SHA_2} Bearer eyJ0e`,
      ],
    );
    assert.equal(requests[2].headers.authorization, `Bearer ${f.values.tokenPull}`);
    assert.equal(requests[6].headers.authorization, `Bearer ${f.values.tokenPush}`);
  });

  it("gets an anonymous token when it has no credentials (public pulls)", async () => {
    const { client, requests } = replayClient(f);
    assert.equal((await client.manifest(ref))?.digest, f.values.imageDigest);
    assert.equal(requests[1].headers.authorization, undefined);
    assert.equal(requests[2].headers.authorization, `Bearer ${f.values.tokenAnonymous}`);
  });

  it("reports a refused token request without the password", async () => {
    const { client } = replayClient(f, { username: f.values.username, password: f.values.wrongPassword });
    await assert.rejects(client.manifest(ref), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(
        e.message,
        `registry registry.example.com: token request GET https://auth.example.com/token?service=registry.example.com&scope=repository:${repo}:pull: 401 Unauthorized (UNAUTHORIZED: incorrect username or password; the token server rejected the username and token)`,
      );
      assertNoSecrets(e.message, f);
      return true;
    });
  });

  it("redacts tokens too, when a registry echoes one in an error", async () => {
    const exchanges = copy(f.exchanges);
    const put = exchanges.find((e) => e.step === "tag with credentials" && e.request.headers.authorization?.startsWith("Bearer"));
    assert.ok(put);
    put.response = { status: 403, statusText: "Forbidden", headers: {}, body: `token ${f.values.tokenPush} may not push` };
    const { client } = replayClient(f, credentials, exchanges);
    await assert.rejects(client.tag(ref, SHA_2), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, `registry registry.example.com: PUT /v2/${repo}/manifests/${SHA_2}: 403 Forbidden (token *** may not push; the credentials do not grant repository:${repo}:pull,push)`);
      return true;
    });
  });

  it("sends no credentials to a token realm over plain http", async () => {
    const exchanges = copy(f.exchanges);
    for (const e of exchanges)
      if (e.response.headers["www-authenticate"]) e.response.headers["www-authenticate"] = e.response.headers["www-authenticate"].replace("https://auth.example.com", "http://auth.example.com");
    const { client, requests } = replayClient(f, credentials, exchanges);
    await assert.rejects(client.manifest(ref), {
      message:
        "registry registry.example.com: token realm http://auth.example.com/token is not https; credentials are only sent over https (plain http only for loopback hosts or when plainHttp is set)",
    });
    assert.deepEqual(
      requests.map((r) => new URL(r.url).host),
      ["registry.example.com"],
    );
  });

  it("refuses an authentication scheme it does not speak, naming it", async () => {
    const exchanges = copy(f.exchanges.slice(0, 1));
    exchanges[0].response.headers["www-authenticate"] = 'Negotiate realm="corp"';
    const { client } = replayClient(f, credentials, exchanges);
    await assert.rejects(client.manifest(ref), {
      message: `registry registry.example.com: GET /v2/${repo}/manifests/${SHA_1}: 401 Unauthorized (UNAUTHORIZED: access to the requested resource is not authorized; the registry asks for negotiate authentication; we speak basic and bearer)`,
    });
  });
});
