/**
 * GitHub's release API for one repository over an in-memory store, as a route of the recording
 * api-server: look up a release by tag, create one (422 already_exists for a tag that has one),
 * update it, upload an asset to the release's upload_url (answered on the same server) and delete
 * one. The objects carry the fields of GitHub's REST reference the clients read.
 */
import type { Answer, Recorded } from "./api-server.js";

/** A release as the store keeps it. */
export interface FakeRelease {
  id: number;
  tag: string;
  name: string;
  body: string;
  prerelease: boolean;
  assets: { id: number; name: string; text: string; contentType: string }[];
}

/** The route: `releases` is the store (tests read it), `url` the server's own address (upload_url points there). */
export function fakeGithubReleases(owner: string, repo: string, releases: FakeRelease[], url: () => string): (r: Recorded) => Answer {
  const prefix = `/repos/${owner}/${repo}/releases`;
  const object = (r: FakeRelease) => ({
    url: `https://api.github.com${prefix}/${r.id}`,
    html_url: `https://github.com/${owner}/${repo}/releases/tag/${r.tag}`,
    upload_url: `${url()}${prefix}/${r.id}/assets{?name,label}`,
    id: r.id,
    tag_name: r.tag,
    target_commitish: "main",
    name: r.name,
    body: r.body,
    draft: false,
    prerelease: r.prerelease,
    assets: r.assets.map((a) => ({ id: a.id, name: a.name, content_type: a.contentType, size: a.text.length, state: "uploaded" })),
  });
  let nextAsset = 1000;
  return (r: Recorded): Answer => {
    const byTag = new RegExp(`^${prefix}/tags/(.+)$`).exec(r.path);
    if (r.method === "GET" && byTag) {
      const found = releases.find((x) => x.tag === byTag[1]);
      return found ? { status: 200, body: object(found) } : { status: 404, body: { message: "Not Found", status: "404" } };
    }
    if (r.method === "POST" && r.path === prefix) {
      const b = r.body as { tag_name: string; name: string; body: string; prerelease: boolean };
      if (releases.some((x) => x.tag === b.tag_name))
        return { status: 422, body: { message: "Validation Failed", errors: [{ resource: "Release", code: "already_exists", field: "tag_name" }], status: "422" } };
      const created: FakeRelease = { id: 1000 + releases.length, tag: b.tag_name, name: b.name, body: b.body, prerelease: b.prerelease, assets: [] };
      releases.push(created);
      return { status: 201, body: object(created) };
    }
    const one = new RegExp(`^${prefix}/(\\d+)(/assets)?$`).exec(r.path);
    const release = one && releases.find((x) => x.id === Number(one[1]));
    if (r.method === "PATCH" && one && !one[2] && release) {
      Object.assign(release, r.body as object);
      return { status: 200, body: object(release) };
    }
    if (r.method === "POST" && one?.[2] && release) {
      const name = r.query.get("name") ?? "";
      if (release.assets.some((a) => a.name === name)) return { status: 422, body: { message: "Validation Failed", errors: [{ resource: "ReleaseAsset", code: "already_exists", field: "name" }] } };
      release.assets.push({ id: nextAsset++, name, text: r.raw, contentType: String(r.headers["content-type"]) });
      return { status: 201, body: { id: nextAsset - 1, name, state: "uploaded" } };
    }
    const asset = new RegExp(`^${prefix}/assets/(\\d+)$`).exec(r.path);
    if (r.method === "DELETE" && asset) {
      for (const x of releases) x.assets = x.assets.filter((a) => a.id !== Number(asset[1]));
      return { status: 204 };
    }
    return { status: 404, body: { message: "Not Found" } };
  };
}
