/**
 * Records test/registry/fixtures/{anonymous,basic,bearer}.json from real registries: Debian's
 * docker-registry (distribution 2.8) without auth, with htpasswd Basic auth, and with token auth
 * (Bearer; the registry and its challenges are real, the token server is test/registry/token-server.ts).
 * Every request the client makes and every answer (status, headers, body) is kept as it was.
 *
 * Usage (needs docker-registry, apache2-utils and openssl; scripts/integration/registry.sh installs them):
 *   node --import tsx test/registry/record-fixtures.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RegistryClient } from "../../.dagger/src/registry/client.js";
import type { Credentials } from "../../.dagger/src/registry/auth.js";
import { reuseOverHttp } from "./reuse-over-http.js";
import { type PushTarget, pushImage, pushIndex } from "./push.js";
import { type Exchange, type Fixture, recordingFetch } from "./recording.js";
import { startRegistry } from "./registry-server.js";
import { startTokenServer } from "./token-server.js";
import * as v from "./values.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const SOURCE = "recorded by test/registry/record-fixtures.ts from docker-registry 2.8.2+ds1 (Debian bookworm)";

/** Runs scenario steps with a recording client; a step that throws is recorded too (its answer is the point). */
class Recorder {
  readonly log: Exchange[] = [];
  #step = "";
  constructor(readonly registry: string) {}

  client(credentials?: Credentials): RegistryClient {
    return new RegistryClient({ registry: this.registry, credentials, fetch: recordingFetch(fetch, this.log, () => this.#step) });
  }

  async step(name: string, run: () => Promise<unknown>, expectError = false): Promise<void> {
    this.#step = name;
    try {
      await run();
      if (expectError) throw new Error(`step "${name}" should have failed`);
    } catch (error) {
      if (!expectError) throw error;
      console.log(`  ${name}: ${(error as Error).message}`);
    }
  }
}

function save(name: string, fixture: Fixture): void {
  writeFileSync(join(FIXTURES, `${name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(`wrote fixtures/${name}.json (${fixture.exchanges.length} exchanges)`);
}

async function anonymous(): Promise<void> {
  const server = await startRegistry();
  try {
    const r = new Recorder(server.registry);
    const at = (repo: string, ref: string) => `${server.registry}/${repo}${ref.startsWith("sha256:") ? "@" : ":"}${ref}`;
    const target: PushTarget = { base: server.base, repository: v.REPOSITORY };
    const image = await pushImage(target, v.INPUT_TAG, "webshop backend");
    const index = await pushIndex(target, "multi-arch", image);
    const legacy = await pushImage({ base: server.base, repository: v.LEGACY_REPOSITORY }, v.INPUT_TAG, "webshop backend, Docker v2", "docker");
    const c = r.client();
    await r.step("manifest of the input tag", () => c.manifest(at(v.REPOSITORY, v.INPUT_TAG)));
    await r.step("manifest by digest", () => c.manifest(at(v.REPOSITORY, image.digest)));
    await r.step("exists: the input tag", () => c.exists(at(v.REPOSITORY, v.INPUT_TAG)));
    await r.step("manifest of a missing tag", () => c.manifest(at(v.REPOSITORY, v.MISSING_INPUT_TAG)));
    await r.step("exists: a missing tag", () => c.exists(at(v.REPOSITORY, v.MISSING_INPUT_TAG)));
    await r.step("manifest in a missing repository", () => c.manifest(at(v.MISSING_REPOSITORY, v.INPUT_TAG)));
    await r.step("tag the image index", () => c.tag(at(v.REPOSITORY, "multi-arch"), v.SHA_1));
    await r.step("tag a Docker v2 manifest", () => c.tag(at(v.LEGACY_REPOSITORY, v.INPUT_TAG), v.SHA_1));
    const reuse = (inputTag: string, shaTag: string) => () => reuseOverHttp(c, `${server.registry}/${v.REPOSITORY}`, inputTag, shaTag);
    await r.step("reuse: published", reuse(v.INPUT_TAG, v.SHA_2));
    await r.step("reuse: published and already tagged", reuse(v.INPUT_TAG, v.SHA_2));
    await r.step("reuse: not published", reuse(v.MISSING_INPUT_TAG, v.SHA_3));
    await r.step("reuse: the SHA tag names another manifest", reuse(v.INPUT_TAG, v.SHA_1), true);
    const broken = new TextEncoder().encode('{"schemaVersion":2}');
    await r.step(
      "put a manifest the registry rejects",
      () => c.putManifest(at(v.REPOSITORY, "rejected"), { digest: "sha256:unused", mediaType: "application/vnd.oci.image.manifest.v1+json", bytes: broken }),
      true,
    );
    save("anonymous", {
      description: "A registry without authentication: manifests (OCI image, OCI index, Docker v2), HEAD, 404s, tagging, reuse.",
      source: SOURCE,
      registry: server.registry,
      values: { imageDigest: image.digest, indexDigest: index.digest, legacyDigest: legacy.digest },
      exchanges: r.log,
    });
  } finally {
    await server.stop();
  }
}

async function basic(): Promise<void> {
  const server = await startRegistry({ kind: "htpasswd", username: v.USERNAME, password: v.PASSWORD });
  try {
    const r = new Recorder(server.registry);
    const ref = `${server.registry}/${v.REPOSITORY}:${v.INPUT_TAG}`;
    const authorization = `Basic ${Buffer.from(`${v.USERNAME}:${v.PASSWORD}`).toString("base64")}`;
    const image = await pushImage({ base: server.base, repository: v.REPOSITORY, authorization }, v.INPUT_TAG, "webshop backend");
    const c = r.client({ username: v.USERNAME, password: v.PASSWORD });
    await r.step("manifest with credentials", () => c.manifest(ref));
    await r.step("exists with credentials", () => c.exists(ref));
    await r.step("tag with credentials", () => c.tag(ref, v.SHA_1));
    await r.step("manifest with a wrong password", () => r.client({ username: v.USERNAME, password: v.WRONG_PASSWORD }).manifest(ref), true);
    await r.step("manifest without credentials", () => r.client().manifest(ref), true);
    await r.step("exists without credentials", () => r.client().exists(ref), true);
    save("basic", {
      description: "A registry with htpasswd (bcrypt, made by htpasswd -B) Basic authentication.",
      source: SOURCE,
      registry: server.registry,
      values: { imageDigest: image.digest, username: v.USERNAME, password: v.PASSWORD, wrongPassword: v.WRONG_PASSWORD },
      exchanges: r.log,
    });
  } finally {
    await server.stop();
  }
}

async function bearer(): Promise<void> {
  const tokens = await startTokenServer(v.USERNAME, v.PASSWORD);
  const server = await startRegistry({ kind: "token", realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certificatePem: tokens.certificatePem });
  try {
    const r = new Recorder(server.registry);
    const ref = `${server.registry}/${v.REPOSITORY}:${v.INPUT_TAG}`;
    const token = await fetch(`${tokens.realm}?service=${tokens.service}&scope=repository:${v.REPOSITORY}:pull,push`, {
      headers: { Authorization: `Basic ${Buffer.from(`${v.USERNAME}:${v.PASSWORD}`).toString("base64")}` },
    }).then((res) => res.json() as Promise<{ token: string }>);
    const image = await pushImage({ base: server.base, repository: v.REPOSITORY, authorization: `Bearer ${token.token}` }, v.INPUT_TAG, "webshop backend");
    const c = r.client({ username: v.USERNAME, password: v.PASSWORD });
    await r.step("manifest with credentials", () => c.manifest(ref));
    await r.step("exists with credentials", () => c.exists(ref));
    await r.step("tag with credentials", () => c.tag(ref, v.SHA_1));
    await r.step("manifest with a wrong password", () => r.client({ username: v.USERNAME, password: v.WRONG_PASSWORD }).manifest(ref), true);
    await r.step("manifest without credentials", () => r.client().manifest(ref), true);
    save("bearer", {
      description:
        "A registry with token authentication (Bearer): the registry's challenges and its checks of the tokens are real; the token server is test/registry/token-server.ts, written from the distribution token spec.",
      source: SOURCE,
      registry: server.registry,
      values: { imageDigest: image.digest, realm: tokens.realm, username: v.USERNAME, password: v.PASSWORD, wrongPassword: v.WRONG_PASSWORD },
      exchanges: r.log,
    });
  } finally {
    await server.stop();
    await tokens.stop();
  }
}

await anonymous();
await basic();
await bearer();
