/**
 * The release page of a tag on the application's host (GitHub or Gitea Releases): the notes and
 * files of the release ci recorded for the tagged commit, published through the gitops module.
 */
import { dag, type Directory, type Secret } from "@dagger.io/dagger";
import semver from "../vendor/semver.js";
import type { PipelineConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { mirrorImage } from "../mirror/images.js";
import { RELEASE_FILES, releaseNotes } from "../release/notes.js";
import { parseReleaseRecord, releasePath } from "../release/record.js";
import { composeFromImages } from "./compose.js";
import { GIT_IMAGE, gitopsView } from "./promote.js";

/** What the page needs: the tag, its commit, where the application repository is, and the tokens. */
export interface ReleasePageRequest {
  tag: string;
  revision: string;
  /** The application repository's https URL when pipeline.yaml's releases.repository does not name it. */
  repository: string;
  gitopsToken?: Secret;
  releaseToken?: Secret;
  dryRun: boolean;
}

/** Publish (or, in a dry run, show) the tag's release page; a Markdown section of what happened. */
export async function publishReleasePage(config: PipelineConfig, req: ReleasePageRequest): Promise<string> {
  const releases = config.releases as NonNullable<PipelineConfig["releases"]>;
  const gitops = config.gitops;
  if (!gitops) throw new InputError("gitops: pipeline.yaml names no GitOps repository, and a release page is written from the release recorded there");
  const repository = releases.repository ?? req.repository;
  if (!repository)
    throw new InputError(
      `repository: the release page needs the application repository's https URL: pass --repository (e.g. "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY" or "$DRONE_REPO_LINK") or set releases.repository in pipeline.yaml`,
    );
  if (!/^https?:\/\/[^\s/@]+\/\S+$/.test(repository))
    throw new InputError(`repository: ${JSON.stringify(repository)} is not an https URL of a repository like https://gitea.example.com/acme/webshop (no credentials in it)`);
  const where = `${releases.provider === "github" ? "GitHub" : "Gitea"} release page of ${req.tag}`;
  if (!req.dryRun && !req.releaseToken) throw new InputError(`release-token: the ${where} needs a token of ${repository} with release write access (--release-token=env://RELEASE_TOKEN)`);
  const text = await gitopsView(gitops.repository, gitops.branch, req.gitopsToken).read(releasePath(req.revision));
  if (text === undefined)
    throw new InputError(`release ${req.revision}: not found in ${gitops.repository} (${releasePath(req.revision)}); tag a commit that ci built and published on ${config.branches.main}`);
  const record = parseReleaseRecord(text, releasePath(req.revision));
  const { name, body } = releaseNotes(record, req.tag);
  const images = Object.fromEntries(Object.entries(record.components).map(([n, c]) => [n, c.image]));
  const versions = Object.fromEntries(Object.entries(record.components).map(([n, c]) => [n, c.version]));
  const files: Directory = dag
    .directory()
    .withNewFile(RELEASE_FILES.record, text)
    .withNewFile(RELEASE_FILES.compose, composeFromImages({ config }, images, versions, req.revision));
  if (req.dryRun) return `\n## Release page\n\nDry run: the ${where} would read:\n\n> **${name}**\n\n${body}\nwith ${RELEASE_FILES.record} and ${RELEASE_FILES.compose}; nothing was written.\n`;
  const published = await dag.gitops({ image: mirrorImage(GIT_IMAGE, config.mirror?.images) }).hostRelease(releases.provider, repository, req.tag, req.revision, name, body, {
    assets: files,
    token: req.releaseToken,
    apiUrl: releases.apiUrl ?? "",
    prerelease: semver.prerelease(req.tag) !== null,
  });
  return `\n## Release page\n\n${published}\n`;
}
