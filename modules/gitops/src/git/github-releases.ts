/**
 * Releases on GitHub (and GitHub Enterprise) through @octokit/rest: the release of a tag, create,
 * update, upload assets (to the uploads host the release's upload_url names) and delete them.
 */
import { type GitHubOptions, githubClient } from "./github.js";
import type { HostRelease, ReleaseHost } from "./releases.js";

interface GitHubRelease {
  id: number;
  html_url: string;
  upload_url: string;
  name: string | null;
  body?: string | null;
  prerelease: boolean;
  assets: { id: number; name: string }[];
}

const toRelease = (r: GitHubRelease): HostRelease & { uploadUrl: string } => ({
  id: r.id,
  url: r.html_url,
  name: r.name ?? "",
  body: r.body ?? "",
  prerelease: r.prerelease,
  assets: r.assets.map((a) => ({ id: a.id, name: a.name })),
  uploadUrl: r.upload_url,
});

/** GitHub as the host of release pages. */
export function githubReleases(options: GitHubOptions): ReleaseHost {
  const { owner, repo } = options;
  const { octokit, fail } = githubClient(options);
  return {
    name: "GitHub",

    async find(tag) {
      try {
        return toRelease((await octokit.rest.repos.getReleaseByTag({ owner, repo, tag })).data);
      } catch (e) {
        if ((e as { status?: number }).status === 404) return undefined;
        throw fail(`looking up the release of ${tag}`, e);
      }
    },

    async create({ tag, target, name, body, prerelease }) {
      try {
        return toRelease((await octokit.rest.repos.createRelease({ owner, repo, tag_name: tag, target_commitish: target, name, body, prerelease })).data);
      } catch (e) {
        const err = e as { status?: number; response?: { data?: { errors?: { code?: string; field?: string }[] } } };
        // 422 with tag_name already_exists when another run created the release first.
        if (err.status === 422 && err.response?.data?.errors?.some((x) => x.code === "already_exists" && x.field === "tag_name")) return "exists";
        throw fail(`creating the release of ${tag}`, e);
      }
    },

    async update(release, { name, body, prerelease }) {
      try {
        return toRelease((await octokit.rest.repos.updateRelease({ owner, repo, release_id: release.id, name, body, prerelease })).data);
      } catch (e) {
        throw fail(`updating release ${release.id}`, e);
      }
    },

    async upload(release, asset) {
      // Assets go to the uploads host (uploads.github.com, or the Enterprise server) named by upload_url.
      const uploadUrl = (release as HostRelease & { uploadUrl?: string }).uploadUrl;
      const baseUrl = uploadUrl ? new URL(uploadUrl.replace(/\{.*\}$/, "")).origin + apiPrefix(uploadUrl) : undefined;
      try {
        await octokit.rest.repos.uploadReleaseAsset({
          owner,
          repo,
          release_id: release.id,
          name: asset.name,
          // Octokit sends the bytes as they are; its type says string for the JSON default.
          data: Buffer.from(asset.bytes) as unknown as string,
          headers: { "content-type": asset.contentType, "content-length": asset.bytes.byteLength },
          ...(baseUrl ? { baseUrl } : {}),
        });
      } catch (e) {
        throw fail(`uploading ${asset.name} to release ${release.id}`, e);
      }
    },

    async deleteAsset(release, assetId) {
      try {
        await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: assetId });
      } catch (e) {
        throw fail(`deleting asset ${assetId} of release ${release.id}`, e);
      }
    },
  };
}

/** The path before /repos/ in an upload URL: "" on uploads.github.com, /api/uploads on GitHub Enterprise. */
function apiPrefix(uploadUrl: string): string {
  const path = new URL(uploadUrl.replace(/\{.*\}$/, "")).pathname;
  return path.slice(0, path.indexOf("/repos/"));
}
