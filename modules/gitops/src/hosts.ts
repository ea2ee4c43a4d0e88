/** The pull request host of a GitOps repository (pipeline.yaml's gitops.provider and its clone URL), and the release host of an application repository. */
import { giteaPullRequests } from "./git/gitea.js";
import { giteaReleases } from "./git/gitea-releases.js";
import { githubPullRequests } from "./git/github.js";
import { githubReleases } from "./git/github-releases.js";
import type { ReleaseHost } from "./git/releases.js";
import type { PullRequestHost } from "./git/pull-requests.js";
import { forgeRepository, githubApiUrl } from "./git/repository.js";
import { holdsCredentials, maskCredentials } from "./vendor/credentials.js";

/** The host's client: github (api.github.com or GitHub Enterprise's /api/v3) or gitea (/api/v1 on the server). */
export function hostFor(provider: string, remote: string, token: string, apiUrl = ""): PullRequestHost {
  const repo = forgeRepository(remote);
  checkApiUrl(apiUrl, "apiUrl");
  if (provider === "github") return githubPullRequests({ owner: repo.owner, repo: repo.repo, token, baseUrl: apiUrl || githubApiUrl(repo) });
  if (provider === "gitea") return giteaPullRequests({ url: apiUrl || repo.server, owner: repo.owner, repo: repo.repo, token });
  throw new Error(`provider: "${provider}" opens no pull requests; use github or gitea (gitops.provider in pipeline.yaml)`);
}

/** The release client of a repository (https URL): github (api.github.com or GitHub Enterprise's /api/v3) or gitea. */
export function releaseHostFor(provider: string, repository: string, token: string, apiUrl = ""): ReleaseHost {
  const repo = forgeRepository(repository);
  checkApiUrl(apiUrl, "releases.apiUrl");
  if (provider === "github") return githubReleases({ owner: repo.owner, repo: repo.repo, token, baseUrl: apiUrl || githubApiUrl(repo) });
  if (provider === "gitea") return giteaReleases({ url: apiUrl || repo.server, owner: repo.owner, repo: repo.repo, token });
  throw new Error(`provider: "${provider}" has no release pages here; use github or gitea (releases.provider in pipeline.yaml)`);
}

/**
 * An API base that carries credentials is refused, the value masked: the client would echo it in
 * every error, and the token already travels as a secret of its own.
 */
function checkApiUrl(apiUrl: string, field: string): void {
  if (holdsCredentials(apiUrl))
    throw new Error(
      `${field}: ${JSON.stringify(maskCredentials(apiUrl))} carries credentials; give the API base without them (e.g. https://github.example/api/v3): the token is passed separately, as a secret`,
    );
}
