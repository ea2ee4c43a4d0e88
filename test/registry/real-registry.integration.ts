// Integration test of .dagger/src/registry against a real distribution v2 registry (Debian's
// docker-registry 2.8) on 127.0.0.1: without auth, with htpasswd Basic auth, and with token auth
// (Bearer; the token server is test/registry/token-server.ts). A small real image is pushed
// through the API (test/registry/push.ts), then the client finds, tags and reuses it, and skopeo
// — an independent client — agrees on the digests and pulls the tagged image, layer and all.
//
// Run: scripts/integration/registry.sh (installs docker-registry, apache2-utils, skopeo), or
//      node --import tsx --test test/registry/real-registry.integration.ts
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import type { Credentials } from "../../.dagger/src/registry/auth.js";
import { RegistryClient } from "../../.dagger/src/registry/client.js";
import { reuseOverHttp } from "./reuse-over-http.js";
import { inputTag } from "../../.dagger/src/registry/tags.js";
import { type PushedImage, pushImage } from "./push.js";
import { type RegistryServer, startRegistry, startRegistryOnPort, tempDir } from "./registry-server.js";
import { startTokenServer, type TokenServer } from "./token-server.js";
import { PASSWORD, REPOSITORY, USERNAME, WRONG_PASSWORD } from "./values.js";

const run = promisify(execFile);
const INPUT_TAG = inputTag(createHash("sha256").update(`integration ${process.pid} ${Date.now()}`).digest("hex"));
const OTHER_INPUT_TAG = inputTag(createHash("sha256").update("never published").digest("hex"));
const SHA_A = createHash("sha1").update("commit a").digest("hex");
const SHA_B = createHash("sha1").update("commit b").digest("hex");
const SHA_C = createHash("sha1").update("commit c").digest("hex");

/**
 * skopeo with an auth file (credentials never on a command line); resolves to its stdout. Async on
 * purpose: the token server runs in this process and must keep answering while skopeo asks it.
 */
async function skopeo(args: string[], registry: string, credentials?: Credentials): Promise<string> {
  const dir = tempDir("skopeo");
  try {
    const authfile = join(dir, "auth.json");
    const auths = credentials ? { [registry]: { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64") } } : {};
    writeFileSync(authfile, JSON.stringify({ auths }), { mode: 0o600 });
    const { stdout } = await run("skopeo", [args[0], "--authfile", authfile, ...args.slice(1)], { encoding: "utf8", timeout: 120_000 }).catch((error: Error & { stderr?: string; code?: unknown }) => {
      throw new Error(`skopeo ${args.join(" ")} failed (${error.code === "ENOENT" ? "not installed: apt-get install skopeo" : `${error.message.split("\n")[0]}`}): ${error.stderr ?? ""}`);
    });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Mode = "none" | "htpasswd" | "token";

for (const mode of ["none", "htpasswd", "token"] as Mode[]) {
  describe(`real docker-registry, ${mode === "none" ? "no auth" : mode === "htpasswd" ? "htpasswd Basic auth" : "token (Bearer) auth"}`, { timeout: 180_000 }, () => {
    let server: RegistryServer;
    let tokens: TokenServer | undefined;
    let image: PushedImage;
    let client: RegistryClient;
    const credentials: Credentials | undefined = mode === "none" ? undefined : { username: USERNAME, password: PASSWORD };
    const ref = (tag: string) => `${server.registry}/${REPOSITORY}:${tag}`;

    before(async () => {
      if (mode === "token") tokens = await startTokenServer(USERNAME, PASSWORD);
      server = await startRegistry(
        mode === "none"
          ? { kind: "none" }
          : mode === "htpasswd"
            ? { kind: "htpasswd", username: USERNAME, password: PASSWORD }
            : { kind: "token", realm: tokens!.realm, service: tokens!.service, issuer: tokens!.issuer, certificatePem: tokens!.certificatePem },
      );
      let authorization: string | undefined;
      const basic = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64")}`;
      if (mode === "htpasswd") authorization = basic;
      if (mode === "token") {
        const answer = await fetch(`${tokens!.realm}?service=${tokens!.service}&scope=repository:${REPOSITORY}:pull,push`, { headers: { Authorization: basic } });
        authorization = `Bearer ${((await answer.json()) as { token: string }).token}`;
      }
      image = await pushImage({ base: server.base, repository: REPOSITORY, authorization }, INPUT_TAG, `webshop backend (${mode})`);
      client = new RegistryClient({ registry: server.registry, credentials });
    });

    after(async () => {
      await server?.stop();
      await tokens?.stop();
    });

    it("manifest and exists find the pushed image, with its digest, media type and bytes", async () => {
      const m = await client.manifest(ref(INPUT_TAG));
      assert.ok(m, server.log());
      assert.equal(m.digest, image.digest);
      assert.equal(m.mediaType, "application/vnd.oci.image.manifest.v1+json");
      assert.deepEqual(Buffer.from(m.bytes), Buffer.from(image.bytes));
      assert.equal(await client.exists(ref(INPUT_TAG)), true);
      assert.equal(await client.exists(ref(OTHER_INPUT_TAG)), false);
      assert.equal(await client.manifest(ref(OTHER_INPUT_TAG)), undefined);
    });

    it("tag adds a SHA tag whose digest equals the original; skopeo agrees and pulls it", async () => {
      assert.equal(await client.tag(ref(INPUT_TAG), SHA_A), image.digest);
      assert.equal((await client.manifest(ref(SHA_A)))?.digest, image.digest);
      const inspected = JSON.parse(await skopeo(["inspect", "--tls-verify=false", `docker://${ref(SHA_A)}`], server.registry, credentials)) as {
        Digest: string;
        Architecture: string;
        Os: string;
        Layers: string[];
      };
      assert.deepEqual(
        { digest: inspected.Digest, architecture: inspected.Architecture, os: inspected.Os, layers: inspected.Layers },
        { digest: image.digest, architecture: "amd64", os: "linux", layers: [image.layerDigest] },
      );
      // A real pull: skopeo fetches and verifies every blob; the layer holds the file we put in it.
      const out = tempDir("pulled");
      try {
        await skopeo(["copy", "--insecure-policy", "--src-tls-verify=false", `docker://${ref(SHA_A)}`, `dir:${out}`], server.registry, credentials);
        const layer = gunzipSync(readFileSync(join(out, image.layerDigest.slice("sha256:".length))));
        assert.equal(layer.subarray(0, 9).toString(), "hello.txt");
        assert.ok(layer.includes(Buffer.from(`webshop backend (${mode})\n`)));
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    it("reuse (findReusable + tagReused) reuses when the input tag exists, and not when it is absent", async () => {
      const repository = `${server.registry}/${REPOSITORY}`;
      assert.deepEqual(await reuseOverHttp(client, repository, INPUT_TAG, SHA_B), { reused: true, digest: image.digest });
      assert.equal(JSON.parse(await skopeo(["inspect", "--tls-verify=false", `docker://${ref(SHA_B)}`], server.registry, credentials)).Digest, image.digest);
      assert.deepEqual(await reuseOverHttp(client, repository, INPUT_TAG, SHA_B), { reused: true, digest: image.digest }, "a re-run");
      assert.deepEqual(await reuseOverHttp(client, repository, OTHER_INPUT_TAG, SHA_C), { reused: false });
      assert.equal(await client.exists(ref(SHA_C)), false);
    });

    if (mode !== "none") {
      it("a wrong password fails with a clear error that does not contain it", async () => {
        const wrong = new RegistryClient({ registry: server.registry, credentials: { username: USERNAME, password: WRONG_PASSWORD } });
        await assert.rejects(wrong.manifest(ref(INPUT_TAG)), (e: unknown) => {
          assert.ok(e instanceof Error);
          const expected =
            mode === "htpasswd"
              ? `registry ${server.registry}: GET /v2/${REPOSITORY}/manifests/${INPUT_TAG}: 401 Unauthorized (UNAUTHORIZED: authentication required; the registry rejected the username and token)`
              : `registry ${server.registry}: token request GET ${tokens!.realm}?service=${tokens!.service}&scope=repository:${REPOSITORY}:pull: 401 Unauthorized (UNAUTHORIZED: invalid username or password; the token server rejected the username and token)`;
          assert.equal(e.message, expected);
          for (const secret of [WRONG_PASSWORD, PASSWORD, Buffer.from(`${USERNAME}:${WRONG_PASSWORD}`).toString("base64")]) assert.ok(!`${e.message}${e.stack}`.includes(secret));
          return true;
        });
        await assert.rejects(new RegistryClient({ registry: server.registry }).exists(ref(INPUT_TAG)), /needs credentials \(username and token\)\)$/);
      });
    }
  });
}

// Test files run in parallel processes that pick "free" ports; one registry must never be taken
// for another's (that once failed CI as a flaky publish test).
describe("registry test helper", () => {
  it("refuses a port where another registry already answers, instead of handing that registry out", async () => {
    const first = await startRegistry();
    try {
      const port = Number(first.registry.split(":")[1]);
      await assert.rejects(startRegistryOnPort({ kind: "none" }, port), /another registry answers on|address already in use/);
      assert.equal((await fetch(`${first.base}/v2/`)).status, 200, "the first registry still runs");
    } finally {
      await first.stop();
    }
  });
});
