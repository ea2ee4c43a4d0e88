/** Which server, owner and repository a GitOps clone URL names, for the pull request APIs. */
import { maskCredentials } from "../vendor/credentials.js";

/** A repository on a forge. */
export interface ForgeRepository {
  /** Web root of the server, with a sub-path if it is served under one (https://example.org/gitea). */
  server: string;
  /** Owner (user or organisation). */
  owner: string;
  /** Repository name without .git. */
  repo: string;
}

/**
 * Read an https clone URL (`https://host[/prefix]/owner/repo[.git]`). SSH URLs are refused: the
 * APIs need the web address, which an SSH host name does not give.
 */
export function forgeRepository(cloneUrl: string): ForgeRepository {
  let url: URL;
  try {
    url = new URL(cloneUrl);
  } catch {
    throw new Error(`gitops.repository: ${JSON.stringify(maskCredentials(cloneUrl))} is not an http(s) clone URL; pull requests need one such as https://github.com/acme/gitops.git`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new Error(`gitops.repository: ${url.protocol} URLs cannot be used for pull requests; give the https clone URL`);
  if (url.username || url.password) throw new Error("gitops.repository: must not carry credentials; the token is passed separately");
  const parts = url.pathname.replace(/\/+$/, "").split("/").filter(Boolean);
  if (parts.length < 2) throw new Error(`gitops.repository: ${url.origin}${url.pathname} does not name an owner and a repository`);
  const repo = parts.pop()!.replace(/\.git$/, "");
  const owner = parts.pop()!;
  return { server: `${url.origin}${parts.map((p) => `/${p}`).join("")}`, owner, repo };
}

/** The REST API root of GitHub for a repository's server: api.github.com, or /api/v3 on GitHub Enterprise. */
export const githubApiUrl = (r: ForgeRepository) => (new URL(r.server).host === "github.com" ? "https://api.github.com" : `${r.server}/api/v3`);
