/**
 * GitOps: how a release reaches an environment's files. Rewrites image references in Kustomize,
 * Helm values, Compose files and plain manifests keeping every untouched line; lands the change
 * as one commit (pull --rebase and bounded retries, never a force push; the same change twice is
 * "already there") or as one pull request on GitHub or Gitea, reporting its review state. Usable
 * on its own: `dagger -m modules/gitops call edit --format kustomize --path k.yaml --text "$(cat k.yaml)" --updates reg/app=<sha>@sha256:…`.
 */
import { randomUUID } from "node:crypto";
import { dag, type Directory, func, object, ReturnType, type Secret } from "@dagger.io/dagger";
import type { EditFormat } from "./edit/types.js";
import { promotionMessage } from "./git/message.js";
import { hostFor, releaseHostFor } from "./hosts.js";
import { describePublished, publishRelease } from "./git/releases.js";
import { openOrFindPullRequest } from "./git/pull-requests.js";
import { landed, type PushResult, parsePushResult } from "./git/push-result.js";
import { PUSH_ENV, PUSH_PATHS, PUSH_SCRIPT, pushEnvironment } from "./git/push-script.js";
import { GitopsOutcome } from "./outcome.js";
import { editDeploymentFiles, parseHelmPaths, parseUpdate } from "./write-back.js";

/** Edits and writes a GitOps repository. */
@object()
export class Gitops {
  /** Image with git and node that runs the push (through the organisation's image mirror). */
  image: string;

  /** @param image Image with git and node that runs the push, e.g. node:22-bookworm through the mirror. */
  constructor(image = "node:22-bookworm") {
    this.image = image;
  }

  /**
   * A deployment file with new image references; every other line kept as it was. Fails, naming
   * the file and the image, when the file names one of the images nowhere (nothing would deploy).
   * @param format kustomize, helm, compose or manifests.
   * @param path The file's path in the repository, for messages.
   * @param text The file's text.
   * @param updates Images as registry/name=<tag>@sha256:<digest>.
   * @param helmPaths For helm: JSON of {"<registry/name>": {"repository": "a.image.repository", "tag": "a.image.tag", "digest"?: "a.image.digest", "registry"?: "a.image.registry", "digestFormat"?: "prefixed" | "bare"}}, keyed by the image repository.
   */
  @func()
  edit(format: string, path: string, text: string, updates: string[], helmPaths = "{}"): string {
    return this.editFiles(format, [path], [text], updates, helmPaths)[0]!;
  }

  /**
   * Several deployment files of one environment (a manifests folder) with new image references, in
   * the order given. Fails, naming the files and the image, when no file names one of the images.
   * @param format kustomize, helm, compose or manifests.
   * @param paths The files' paths in the repository, for messages.
   * @param texts The files' texts, in the order of paths.
   * @param updates Images as registry/name=<tag>@sha256:<digest>.
   * @param helmPaths For helm: as for edit.
   */
  @func()
  editFiles(format: string, paths: string[], texts: string[], updates: string[], helmPaths = "{}"): string[] {
    if (paths.length !== texts.length) throw new Error(`texts: ${texts.length} text(s) for ${paths.length} path(s); expected one text per path`);
    const files = paths.map((path, i) => ({ path, text: texts[i]! }));
    return editDeploymentFiles(format as EditFormat, files, updates.map(parseUpdate), parseHelmPaths(helmPaths)).map((f) => f.text);
  }

  /**
   * The commit message of a promotion, with trailers: Release, Environment, Versions, Gates and, for an emergency, its reason; for a rollback, Rollback-From and Rollback.
   * @param release The release's full git SHA.
   * @param environment The environment promoted to.
   * @param versions Every component's version, as component=version.
   * @param gates Every gate's verdict, as gate=passed|waived.
   * @param emergency The reason of an emergency promotion.
   * @param rollbackFrom For a rollback: the full git SHA of the release it goes away from.
   * @param automatic For a rollback: started by a failed verification.
   * @param rollbackReason For a rollback: why (one line), e.g. the failed verification's summary.
   */
  @func()
  message(release: string, environment: string, versions: string[], gates: string[], emergency = "", rollbackFrom = "", automatic = false, rollbackReason = ""): string {
    return promotionMessage({
      release,
      environment,
      versions: pairs(versions, "versions"),
      gates: pairs(gates, "gates"),
      ...(emergency ? { emergency } : {}),
      ...(rollbackFrom ? { rollback: { from: rollbackFrom, automatic, ...(rollbackReason ? { reason: rollbackReason } : {}) } } : {}),
    });
  }

  /**
   * The unified diff the changed files would make on the repository's tree (for dry runs).
   * @param tree The repository as it is.
   * @param changes The changed files at their paths.
   */
  @func()
  async diff(tree: Directory, changes: Directory): Promise<string> {
    return dag
      .container()
      .from(this.image)
      .withDirectory("/repo", tree)
      .withWorkdir("/repo")
      .withExec(["sh", "-c", "git init -q && git add -A && git -c user.name=dry -c user.email=dry@run commit -q -m base --allow-empty"])
      .withDirectory("/repo", changes)
      .withExec(["sh", "-c", "git add -A && git diff --cached --stat && git diff --cached"])
      .stdout();
  }

  /**
   * Land the changed files as one commit on the branch. Never cached; never a force push.
   * @param remote Clone URL of the GitOps repository (no credentials in it).
   * @param branch The environment's branch.
   * @param files The changed files at their paths in the repository.
   * @param message The commit message (see message).
   * @param token Token for an https remote, e.g. env://GITOPS_TOKEN.
   * @param headBranch Push to this new branch instead (a pull request's head).
   * @param deletePaths Repository paths to delete (a preview's folder).
   * @param authorName Commit author.
   * @param authorEmail Commit author e-mail.
   */
  @func({ cache: "never" })
  async push(
    remote: string,
    branch: string,
    files: Directory,
    message: string,
    token?: Secret,
    headBranch = "",
    deletePaths: string[] = [],
    authorName = "pipeline-as-code",
    authorEmail = "pipeline@pipeline-as-code.invalid",
  ): Promise<GitopsOutcome> {
    let ctr = dag
      .container()
      .from(this.image)
      .withNewFile(PUSH_PATHS.script, PUSH_SCRIPT)
      .withDirectory(PUSH_PATHS.files, files)
      // Never reuse an earlier run's answer: the remote moves between runs.
      .withEnvVariable("PIPELINE_RUN_ID", randomUUID());
    const env = pushEnvironment({ remote, branch, files: PUSH_PATHS.files, message, authorName, authorEmail, ...(headBranch ? { headBranch } : {}), delete: deletePaths });
    for (const [k, v] of Object.entries(env)) ctr = ctr.withEnvVariable(k, v);
    if (token) ctr = ctr.withSecretVariable(PUSH_ENV.token, token);
    // Synced first: both reads then name the one exec that ran, whatever the chain holds (a call
    // with a per-call random input would otherwise make each read run the push again).
    const done = await ctr.withExec(["node", PUSH_PATHS.script], { expect: ReturnType.Any }).sync();
    const [stdout, stderr] = await Promise.all([done.stdout(), done.stderr()]);
    let result: PushResult;
    try {
      result = parsePushResult(stdout);
    } catch (e) {
      return new GitopsOutcome("failed", "", "", `${(e as Error).message}\n${stderr.trim().split("\n").slice(-20).join("\n")}`, "");
    }
    const where = "commit" in result ? result.commit : "";
    const summary = landed(result)
      ? result.status === "pushed"
        ? `Pushed ${result.commit.slice(0, 12)} to ${result.branch} (${result.attempts} attempt${result.attempts === 1 ? "" : "s"}).`
        : `Already there: ${result.branch} is at ${result.commit.slice(0, 12)} with these files; nothing to push.`
      : result.status === "conflict"
        ? `Conflict: ${result.message}`
        : `${result.status}: ${result.message}`;
    return new GitopsOutcome(result.status, where, "", summary, JSON.stringify(result));
  }

  /**
   * Land the changed files as a pull request from a promotion branch, or report the one already
   * open for it (open, approved, changes-requested, merged, closed). No job waits for a human.
   * @param provider github or gitea.
   * @param remote Clone URL of the GitOps repository (https://host/owner/repo.git).
   * @param base The environment's branch.
   * @param head The promotion branch, e.g. promote/prod/<release short sha>.
   * @param files The changed files at their paths.
   * @param message The commit message; its subject is the title, its body the description.
   * @param approvals Approvals the environment requires.
   * @param token Token of the host's API and the git remote, e.g. env://GITOPS_TOKEN.
   * @param apiUrl The host's API base when it is not the default (GitHub Enterprise, Gitea).
   */
  @func({ cache: "never" })
  async propose(provider: string, remote: string, base: string, head: string, files: Directory, message: string, approvals: number, token?: Secret, apiUrl = ""): Promise<GitopsOutcome> {
    const pushed = await this.push(remote, base, files, message, token, head);
    if (!["pushed", "already-there"].includes(pushed.status)) return pushed;
    const host = hostFor(provider, remote, token ? await token.plaintext() : "", apiUrl);
    const [title, ...rest] = message.split("\n");
    const pr = await openOrFindPullRequest(host, { head, base, title, body: rest.join("\n").trim(), approvals });
    const summary = `${pr.status === "opened" ? "Opened" : "Already there:"} pull request #${pr.number} (${pr.url}): ${pr.state}, ${pr.approvals}/${pr.required} approval(s)${pr.changesRequestedBy.length ? `; changes requested by ${pr.changesRequestedBy.join(", ")}` : ""}.`;
    return new GitopsOutcome(pr.status, pr.url, pr.state, summary, JSON.stringify(pr));
  }

  /**
   * The host's release page of a tag (GitHub or Gitea): created, or updated when it exists, with
   * the notes and every file of assets attached (a file of the same name is replaced). Idempotent.
   * @param provider github or gitea.
   * @param repository The application repository's https URL (https://host/owner/repo).
   * @param tag The release tag, e.g. v1.4.0.
   * @param target The commit the tag names (the host creates the tag there if it is missing).
   * @param name The release's title.
   * @param body The release notes (Markdown).
   * @param assets Files to attach (text files: release record, Compose file, notes).
   * @param token Token of the host's API with release write access, e.g. env://GITEA_TOKEN.
   * @param apiUrl The host's API base when it is not the default (GitHub Enterprise, Gitea under a sub-path).
   * @param prerelease Mark it as a pre-release (e.g. for v2.0.0-rc.1).
   */
  @func({ cache: "never" })
  async hostRelease(
    provider: string,
    repository: string,
    tag: string,
    target: string,
    name: string,
    body: string,
    assets?: Directory,
    token?: Secret,
    apiUrl = "",
    prerelease = false,
  ): Promise<string> {
    const host = releaseHostFor(provider, repository, token ? await token.plaintext() : "", apiUrl);
    const files = assets ? (await assets.entries()).filter((e) => !e.endsWith("/")) : [];
    const attached = await Promise.all(files.map(async (f) => ({ name: f, bytes: Buffer.from(await (assets as Directory).file(f).contents(), "utf8"), contentType: contentType(f) })));
    return describePublished(tag, await publishRelease(host, { tag, target, name, body, prerelease, assets: attached }));
  }
}

/** key=value arguments as a record. */
function pairs(args: string[], name: string): Record<string, string> {
  return Object.fromEntries(
    args.map((a) => {
      const i = a.indexOf("=");
      if (i <= 0) throw new Error(`${name}: "${a}" is not key=value`);
      return [a.slice(0, i), a.slice(i + 1)];
    }),
  );
}

/** The media type of an attached text file, by its extension. */
function contentType(file: string): string {
  if (file.endsWith(".json")) return "application/json";
  if (/\.ya?ml$/.test(file)) return "application/yaml";
  if (file.endsWith(".md")) return "text/markdown; charset=utf-8";
  return "text/plain; charset=utf-8";
}
