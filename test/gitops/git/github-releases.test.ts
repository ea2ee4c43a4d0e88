// The GitHub release client (@octokit/rest) against a recording local server answering with
// GitHub's release and asset objects (as the REST reference documents them; the request lines
// match the octokit-fixtures scenarios release-assets and release-assets-conflict): which
// requests it makes, to which host the bytes go, and what it reports.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { githubReleases } from "../../../modules/gitops/src/git/github-releases.js";
import { describePublished, publishRelease, type ReleaseRequest } from "../../../modules/gitops/src/git/releases.js";
import { apiServer } from "./api-server.js";
import { type FakeRelease, fakeGithubReleases } from "./fake-github-releases.js";

const OWNER = "octokit-fixture-org";
const REPO = "release-assets";
const TOKEN = "ghp_canary0123456789abcdefghijklmnopqrstu";

const REQUEST: ReleaseRequest = {
  tag: "v1.0.0",
  target: "d".repeat(40),
  name: "webshop v1.0.0",
  body: "## Components\n",
  prerelease: false,
  assets: [
    { name: "release.json", bytes: Buffer.from('{"revision":"d"}\n'), contentType: "application/json" },
    { name: "compose.yaml", bytes: Buffer.from("services: {}\n"), contentType: "application/yaml" },
  ],
};

async function run(releases: FakeRelease[], request = REQUEST, token = TOKEN) {
  let base = "";
  const server = await apiServer(fakeGithubReleases(OWNER, REPO, releases, () => base));
  base = server.url;
  try {
    const result = await publishRelease(githubReleases({ owner: OWNER, repo: REPO, token, baseUrl: server.url }), request).catch((e: Error) => e);
    for (const r of server.requests) assert.equal(r.headers.authorization, `token ${token}`, `${r.method} ${r.url} carries the token`);
    return { result, requests: server.requests.map((r) => `${r.method} ${r.url}`) };
  } finally {
    await server.close();
  }
}

describe("GitHub release pages through octokit", () => {
  it("no release yet: look up by tag, create it at the commit, upload each asset to the upload_url host", async () => {
    const store: FakeRelease[] = [];
    const { result, requests } = await run(store);
    assert.ok(!(result instanceof Error), String(result));
    assert.deepEqual(requests, [
      `GET /repos/${OWNER}/${REPO}/releases/tags/v1.0.0`,
      `POST /repos/${OWNER}/${REPO}/releases`,
      // Octokit expands the endpoint's {?name,label} template with an empty label: the trailing "&".
      `POST /repos/${OWNER}/${REPO}/releases/1000/assets?name=release.json&`,
      `POST /repos/${OWNER}/${REPO}/releases/1000/assets?name=compose.yaml&`,
    ]);
    assert.equal(describePublished("v1.0.0", result), `Created release v1.0.0 (https://github.com/${OWNER}/${REPO}/releases/tag/v1.0.0): 2 asset(s) uploaded.`);
    assert.deepEqual(
      store[0].assets.map((a) => [a.name, a.text, a.contentType]),
      [
        ["release.json", '{"revision":"d"}\n', "application/json"],
        ["compose.yaml", "services: {}\n", "application/yaml"],
      ],
    );
  });

  it("a re-run: nothing to update, each asset deleted and uploaded again (the release-assets-conflict answer never happens)", async () => {
    const store: FakeRelease[] = [];
    await run(store);
    const { result, requests } = await run(store);
    assert.ok(!(result instanceof Error), String(result));
    assert.equal(result.status, "unchanged");
    assert.deepEqual(
      requests.filter((r) => r.startsWith("DELETE")),
      [`DELETE /repos/${OWNER}/${REPO}/releases/assets/1000`, `DELETE /repos/${OWNER}/${REPO}/releases/assets/1001`],
    );
    assert.equal(store[0].assets.length, 2);
  });

  it("another run created the release between look-up and create (422 already_exists): it is found and updated", async () => {
    const store: FakeRelease[] = [];
    let base = "";
    const route = fakeGithubReleases(OWNER, REPO, store, () => base);
    let lookups = 0;
    const server = await apiServer((r) => {
      // The first look-up misses; the other run's release appears right after it.
      if (r.method === "GET" && r.path.endsWith("/tags/v1.0.0") && lookups++ === 0) {
        store.push({ id: 2000, tag: "v1.0.0", name: "other", body: "", prerelease: false, assets: [] });
        return { status: 404, body: { message: "Not Found" } };
      }
      return route(r);
    });
    base = server.url;
    try {
      const result = await publishRelease(githubReleases({ owner: OWNER, repo: REPO, token: TOKEN, baseUrl: server.url }), REQUEST);
      assert.equal(result.status, "updated");
      assert.equal(store[0].name, "webshop v1.0.0");
      assert.deepEqual(server.requests.map((r) => r.method).slice(0, 4), ["GET", "POST", "GET", "PATCH"]);
    } finally {
      await server.close();
    }
  });

  it("a refused request names GitHub, the step and the status, never the token; duplicate asset names are refused before any request", async () => {
    const { result } = await run([{ id: 1000, tag: "v1.0.0", name: "x", body: "", prerelease: false, assets: [] }], { ...REQUEST, tag: "v1.0.0" }, TOKEN);
    assert.ok(!(result instanceof Error));
    let base = "";
    const server = await apiServer(() => ({ status: 403, body: { message: `Resource not accessible by integration (token ${TOKEN})` } }));
    base = server.url;
    try {
      const e = await publishRelease(githubReleases({ owner: OWNER, repo: REPO, token: TOKEN, baseUrl: base }), REQUEST).catch((x: Error) => x);
      assert.ok(e instanceof Error);
      assert.match(e.message, /^GitHub: looking up the release of v1\.0\.0 in octokit-fixture-org\/release-assets failed \(HTTP 403\)/);
      assert.ok(!e.message.includes(TOKEN));
    } finally {
      await server.close();
    }
    await assert.rejects(
      publishRelease(githubReleases({ owner: OWNER, repo: REPO, token: TOKEN, baseUrl: "http://127.0.0.1:9" }), { ...REQUEST, assets: [REQUEST.assets[0], REQUEST.assets[0]] }),
      /^Error: assets: release\.json given twice/,
    );
  });
});
