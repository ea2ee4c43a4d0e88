/**
 * Releases on Gitea through its REST API: the release of a tag, create, edit, attach and remove
 * assets (multipart field "attachment", as Gitea's API documents it).
 */
import { type GiteaOptions, giteaApi } from "./gitea-api.js";
import type { HostRelease, ReleaseHost } from "./releases.js";

interface GiteaRelease {
  id: number;
  html_url: string;
  name: string;
  body: string;
  prerelease: boolean;
  assets?: { id: number; name: string }[];
}

const toRelease = (r: GiteaRelease): HostRelease => ({
  id: r.id,
  url: r.html_url,
  name: r.name,
  body: r.body,
  prerelease: r.prerelease,
  assets: (r.assets ?? []).map((a) => ({ id: a.id, name: a.name })),
});

/** Gitea as the host of release pages. */
export function giteaReleases(options: GiteaOptions): ReleaseHost {
  const call = giteaApi(options);
  return {
    name: "Gitea",

    async find(tag) {
      const r = await call<GiteaRelease>(`looking up the release of ${tag}`, "GET", `/releases/tags/${encodeURIComponent(tag)}`, undefined, [404]);
      return r.data ? toRelease(r.data) : undefined;
    },

    async create({ tag, target, name, body, prerelease }) {
      // 409 "Release is has no Tag" / "already exists" when another run was first.
      const r = await call<GiteaRelease>(`creating the release of ${tag}`, "POST", "/releases", { tag_name: tag, target_commitish: target, name, body, draft: false, prerelease }, [409]);
      return r.data ? toRelease(r.data) : "exists";
    },

    async update(release, { name, body, prerelease }) {
      const r = await call<GiteaRelease>(`editing release ${release.id}`, "PATCH", `/releases/${release.id}`, { name, body, prerelease });
      return toRelease(r.data as GiteaRelease);
    },

    async upload(release, asset) {
      const form = new FormData();
      form.append("attachment", new Blob([new Uint8Array(asset.bytes)], { type: asset.contentType }), asset.name);
      await call(`attaching ${asset.name} to release ${release.id}`, "POST", `/releases/${release.id}/assets?name=${encodeURIComponent(asset.name)}`, form);
    },

    async deleteAsset(release, assetId) {
      await call(`removing asset ${assetId} of release ${release.id}`, "DELETE", `/releases/${release.id}/assets/${assetId}`);
    },
  };
}
