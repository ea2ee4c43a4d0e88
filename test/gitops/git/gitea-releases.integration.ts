// Release pages on a real Gitea: the release of a tag created with its notes and assets, a re-run
// that changes nothing but replaces the assets (never doubles them), an update of notes and
// files, a pre-release whose tag Gitea creates at the given commit, and a wrong token refused
// without showing it.
// Run: GITEA_BIN=<gitea binary> GITEA_STATIC_ROOT=<its source tree> node --import tsx --test test/gitops/git/gitea-releases.integration.ts
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { giteaReleases } from "../../../modules/gitops/src/git/gitea-releases.js";
import { publishRelease, type ReleaseAsset } from "../../../modules/gitops/src/git/releases.js";
import { tempDir } from "./git-fixture.js";
import { giteaApi, startGitea, type Gitea } from "./gitea-server.js";

const text = (name: string, body: string, contentType = "application/json"): ReleaseAsset => ({ name, bytes: Buffer.from(body, "utf8"), contentType });

describe("release pages on a real Gitea", () => {
  let gitea: Gitea;
  let head: string;
  const host = () => giteaReleases({ url: gitea.url, owner: "promoter", repo: "webshop", token: gitea.promoterToken });
  /** The release as Gitea's API shows it, with each asset's downloaded text. */
  const shown = async (tag: string) => {
    const r = (await giteaApi(gitea, gitea.promoterToken, "GET", `/repos/promoter/webshop/releases/tags/${tag}`)) as {
      name: string;
      body: string;
      prerelease: boolean;
      assets: { name: string; browser_download_url: string }[];
    };
    const files: Record<string, string> = {};
    for (const a of r.assets) files[a.name] = await (await fetch(a.browser_download_url, { headers: { Authorization: `token ${gitea.promoterToken}` } })).text();
    return { name: r.name, body: r.body, prerelease: r.prerelease, files };
  };

  before(async () => {
    const work = join(tempDir("gitea-releases"), "gitea");
    mkdirSync(work);
    gitea = await startGitea(work);
    await giteaApi(gitea, gitea.promoterToken, "POST", "/user/repos", { name: "webshop", auto_init: true, default_branch: "main", private: true });
    head = ((await giteaApi(gitea, gitea.promoterToken, "GET", "/repos/promoter/webshop/branches/main")) as { commit: { id: string } }).commit.id;
    await giteaApi(gitea, gitea.promoterToken, "POST", "/repos/promoter/webshop/tags", { tag_name: "v1.4.0", target: head, message: "v1.4.0" });
  });
  after(() => gitea?.stop());

  const request = (body: string, record: string) => ({
    tag: "v1.4.0",
    target: head,
    name: "webshop v1.4.0",
    body,
    prerelease: false,
    assets: [text("release.json", record), text("compose.yaml", "services: {}\n", "application/yaml")],
  });

  it("creates the tag's release with its notes and assets", async () => {
    const published = await publishRelease(host(), request("## Components\n\n| backend | 1.2.0 |\n", '{"revision":"a"}\n'));
    assert.equal(published.status, "created");
    assert.match(published.url, new RegExp(`^${gitea.url}/promoter/webshop/releases/tag/v1\\.4\\.0$`));
    assert.deepEqual(published.assets, [
      { name: "release.json", action: "uploaded" },
      { name: "compose.yaml", action: "uploaded" },
    ]);
    assert.deepEqual(await shown("v1.4.0"), {
      name: "webshop v1.4.0",
      body: "## Components\n\n| backend | 1.2.0 |\n",
      prerelease: false,
      files: { "release.json": '{"revision":"a"}\n', "compose.yaml": "services: {}\n" },
    });
  });

  it("the same again: the release unchanged, each asset replaced, never doubled", async () => {
    const published = await publishRelease(host(), request("## Components\n\n| backend | 1.2.0 |\n", '{"revision":"a"}\n'));
    assert.equal(published.status, "unchanged");
    assert.deepEqual(
      published.assets.map((a) => a.action),
      ["replaced", "replaced"],
    );
    assert.deepEqual(Object.keys((await shown("v1.4.0")).files).sort(), ["compose.yaml", "release.json"]);
  });

  it("new notes and a changed file: the release updated, the file's new text served", async () => {
    const published = await publishRelease(host(), request("## Components\n\n| backend | 1.2.1 |\n", '{"revision":"b"}\n'));
    assert.equal(published.status, "updated");
    const now = await shown("v1.4.0");
    assert.equal(now.body, "## Components\n\n| backend | 1.2.1 |\n");
    assert.equal(now.files["release.json"], '{"revision":"b"}\n');
  });

  it("a pre-release of a tag that does not exist yet: Gitea creates the tag at the given commit", async () => {
    const published = await publishRelease(host(), { tag: "v2.0.0-rc.1", target: head, name: "webshop v2.0.0-rc.1", body: "rc", prerelease: true, assets: [] });
    assert.equal(published.status, "created");
    assert.equal((await shown("v2.0.0-rc.1")).prerelease, true);
    const tag = (await giteaApi(gitea, gitea.promoterToken, "GET", "/repos/promoter/webshop/tags/v2.0.0-rc.1")) as { commit: { sha: string } };
    assert.equal(tag.commit.sha, head);
  });

  it("a wrong token: refused with Gitea's status, the token not shown", async () => {
    const wrong = "0123456789abcdef0123456789abcdef01234567";
    await assert.rejects(publishRelease(giteaReleases({ url: gitea.url, owner: "promoter", repo: "webshop", token: wrong }), request("x", "{}")), (e: Error) => {
      assert.match(e.message, /^Gitea: looking up the release of v1\.4\.0 in promoter\/webshop \(GET \/releases\/tags\/v1\.4\.0\) failed \(HTTP 401\)/);
      assert.ok(!e.message.includes(wrong));
      return true;
    });
  });
});
