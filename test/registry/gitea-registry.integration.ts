// The registry client against Gitea's own container registry (R-HOST-2: Drone on Gitea with the
// Gitea container registry): its Bearer token flow (/v2/token, a Gitea access token as the
// password), an image pushed independently, the manifest found by tag and digest, a SHA tag added
// to the same manifest, reuse when the input tag exists, and a wrong token refused unshown.
// Run: GITEA_BIN=<gitea binary> GITEA_STATIC_ROOT=<its source tree> node --import tsx --test test/registry/gitea-registry.integration.ts
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RegistryClient } from "../../.dagger/src/registry/client.js";
import { reuseOverHttp } from "./reuse-over-http.js";
import { inputTag } from "../../.dagger/src/registry/tags.js";
import { tempDir } from "../gitops/git/git-fixture.js";
import { startGitea, type Gitea } from "../gitops/git/gitea-server.js";
import { type PushedImage, pushImage } from "./push.js";

const SHA_1 = "1".repeat(40);
const SHA_2 = "2".repeat(40);
const INPUTS = inputTag("ab".repeat(32));

describe("the registry client against Gitea's container registry", () => {
  let gitea: Gitea;
  let host: string;
  let image: PushedImage;
  const repository = () => `${host}/promoter/webshop/backend`;
  const client = (password = gitea.promoterToken) => new RegistryClient({ registry: host, credentials: { username: "promoter", password } });

  before(async () => {
    const work = join(tempDir("gitea-registry"), "gitea");
    mkdirSync(work);
    gitea = await startGitea(work);
    host = new URL(gitea.url).host;
    // The independent push: a Bearer token from Gitea's token endpoint, as docker login gets one.
    const basic = Buffer.from(`promoter:${gitea.promoterToken}`).toString("base64");
    const tokenAnswer = await fetch(`${gitea.url}/v2/token?service=container_registry&scope=repository:promoter/webshop/backend:pull,push`, { headers: { authorization: `Basic ${basic}` } });
    assert.equal(tokenAnswer.status, 200, await tokenAnswer.clone().text());
    const { token } = (await tokenAnswer.json()) as { token: string };
    image = await pushImage({ base: gitea.url, repository: "promoter/webshop/backend", authorization: `Bearer ${token}` }, SHA_1, "backend built at run 1");
  });
  after(() => gitea?.stop());

  it("finds the pushed manifest by tag, with its digest, through Gitea's token challenge", async () => {
    const found = await client().manifest(`${repository()}:${SHA_1}`);
    assert.equal(found?.digest, image.digest);
    assert.equal(await client().exists(`${repository()}:${SHA_2}`), false);
  });

  it("tags the same manifest with the input tag and a new SHA; reuse finds it by its input tag", async () => {
    await client().tag(`${repository()}@${image.digest}`, INPUTS);
    assert.deepEqual(await reuseOverHttp(client(), repository(), INPUTS, SHA_2), { reused: true, digest: image.digest });
    assert.equal((await client().manifest(`${repository()}:${SHA_2}`))?.digest, image.digest, "the SHA tag names the run-1 image in Gitea");
    assert.deepEqual(await reuseOverHttp(client(), repository(), inputTag("cd".repeat(32)), SHA_2), { reused: false });
  });

  it("a wrong token is refused with the registry's status, the token not shown", async () => {
    const wrong = "0123456789abcdef0123456789abcdef01234567";
    await assert.rejects(client(wrong).manifest(`${repository()}:${SHA_1}`), (e: Error) => {
      assert.match(e.message, new RegExp(`^registry ${host.replace(".", "\\.")}: `));
      assert.match(e.message, /401/);
      assert.ok(!e.message.includes(wrong));
      return true;
    });
  });
});
