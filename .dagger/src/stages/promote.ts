/**
 * Promotion: move a recorded release (its exact digests; nothing is rebuilt) into an
 * environment through its GitOps files, after the gates: upstream (the environment it follows
 * ran it, unless an emergency), compatibility (every `requires` holds for the state after, live
 * database version included; nothing overrides it) and vulnerabilities (Trivy reports, waivers,
 * fail closed; an emergency passes it, recorded). One commit, or one pull request where the
 * environment needs approval; the same promotion twice says "already there".
 */
import { knownEnvironment } from "../plan/plan.js";
import { posix } from "node:path";
import { dag, type Directory, type Secret } from "@dagger.io/dagger";
import type { PipelineConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { mirrorImage } from "../mirror/images.js";
import { admissionFile, environmentPolicy, kustomizationNamespace } from "../release/admission.js";
import { flagsEnvFile, flagsManifest, flagsOf, withFlagsResource, withHelmFlags, withResource } from "../release/flags.js";
import { deploymentFiles, flagsFile } from "../release/files.js";
import { previewFiles, previewOf, stalePreviews } from "../release/preview.js";
import { rolloutFiles, withRolloutResources } from "../release/rollouts.js";
import { progressiveStrategy } from "../config/strategy.js";
import { renderVerdicts } from "../release/gate.js";
import { parseReleaseRecord, type ReleaseRecord, releasePath } from "../release/record.js";
import { chooseRollbackTarget, currentRelease, namedRollbackTarget, noTargetMessage, rollbackCandidates, rollbackComponents } from "../release/rollback.js";
import { stopVerdicts } from "../release/stops.js";
import { compatibilityGate, liveSchemaVersion, promotionGates } from "./promotion-gates.js";
import type { ScanResult } from "./scan.js";
import type { ImageVerification, SigningTrust } from "./sign.js";
import { alreadyDeployed, type EnvironmentState, parseEnvironmentState, promoted, renderEnvironmentState, statePath } from "../release/state.js";
import { formatRepository, tryParseImageReferenceStrict } from "../vendor/image-reference.js";

/** A promotion its gates refused: nothing was written; `gates` names them (the message holds the verdict table). */
export class GatesRefused extends InputError {
  constructor(
    readonly gates: string[],
    report: string,
  ) {
    super(`${report}\nRefused by ${gates.join(", ")}: nothing was written.`);
  }
}

/** GitOps write outcomes that mean nothing landed; the same rule as the gitops module's GitopsOutcome.verify, read here from the status so a caller can name it. */
const NOT_LANDED = ["failed", "conflict", "invalid"];

/** A GitOps write's outcome as the module returns it (push, propose): read through its one JSON field. */
interface WriteOutcome {
  json(): Promise<string>;
}

/** What a write's JSON holds. */
interface WriteAnswer {
  status: string;
  where: string;
  summary: string;
}

/** Thrown when a GitOps write did not land: the call fails (non-zero exit) instead of reporting the failure as text. */
export class WriteFailed extends Error {
  constructor(
    readonly status: string,
    readonly summary: string,
    what: string,
  ) {
    super(`${what}: not written (${status}): ${summary}`);
  }
}

/**
 * The summary of a write that landed; a write that did not (failed, conflict, invalid) throws
 * WriteFailed naming what was written. The module's push and propose are never cached, so each
 * field read would run the write again (one push per query): this reads the one JSON field, once.
 */
export async function landed(outcome: WriteOutcome, what: string): Promise<string> {
  return (await landedAnswer(outcome, what)).summary;
}

/** The write's answer (status, where it landed, summary); throws WriteFailed when it did not land. */
export async function landedAnswer(outcome: WriteOutcome, what: string): Promise<WriteAnswer> {
  const answer = JSON.parse(await outcome.json()) as WriteAnswer;
  if (NOT_LANDED.includes(answer.status)) throw new WriteFailed(answer.status, answer.summary, what);
  return answer;
}

/**
 * The GitOps repository across the writes of one call. The engine resolves a branch once per
 * session (git remote reads are cached), so a read after our own push would see the tree from
 * before it: after each push this remembers the commit, and later reads go to that commit.
 */
export class GitopsSession {
  /** The tip we pushed last, by repository and branch. */
  private readonly tips = new Map<string, string>();

  /** The repository's files at the branch, or at the commit we pushed there in this call. */
  view(repository: string, branch: string, token?: Secret): GitopsView {
    return gitopsView(repository, branch, token, this.tips.get(`${repository}#${branch}`));
  }

  /** Push one commit through the gitops module (read once) and remember where the branch now is. */
  async push(config: PipelineConfig, repository: string, branch: string, files: Directory, message: string, token?: Secret, opts: { deletePaths?: string[] } = {}): Promise<WriteOutcome> {
    const outcome = dag
      .gitops({ image: mirrorImage(GIT_IMAGE, config.mirror?.images) })
      .push(repository, branch, files, message, { token, ...(opts.deletePaths ? { deletePaths: opts.deletePaths } : {}) });
    const json = await outcome.json();
    const answer = JSON.parse(json) as WriteAnswer;
    if ((answer.status === "pushed" || answer.status === "already-there") && /^[0-9a-f]{40}$/.test(answer.where)) this.tips.set(`${repository}#${branch}`, answer.where);
    return { json: async () => json };
  }
}

/** The image the GitOps module runs git in (before mirror rewriting): git and node. */
export const GIT_IMAGE = "node:22-bookworm";

/** What was asked: where, what, and how. */
export interface PromotionRequest {
  environment: string;
  /** The release's git SHA; default: what the upstream environment runs (or, for a rollback, the previous release). */
  revision?: string;
  /** Components to move; default: all of the release. */
  components?: string[];
  emergency?: string;
  rollback?: boolean;
  /** For a rollback: the release to go back to (`rollback --to`); default: the newest earlier release that suits the live schema. */
  to?: string;
  /** Started by a push or a tag (or a failed verification), not by a person: a hold stops it. */
  automatic?: boolean;
  /** Why an automatic rollback runs (the failed verification), recorded in the history and the commit. */
  reason?: string;
  /** The live schema version when no database URL is given (what the backend's health endpoint reported). */
  liveSchema?: string;
  /** The moment freeze windows are judged at; default: now. */
  now?: Date;
  dryRun: boolean;
  /** Token for the GitOps repository (and its pull requests). */
  token?: Secret;
  /** Trivy JSON reports, <component>.json, made elsewhere (ci's scan stage, or given with --scans). */
  scans?: Directory;
  /** Without `scans`: scan a component's published image (by digest) in this run, for the vulnerability gate (with signing: only with `rescan`). */
  scan?: (component: string, image: string) => Promise<ScanResult>;
  /** With signing: scan the images again with today's databases instead of judging the report attested at publish. */
  rescan?: boolean;
  /** URL of the environment's live database, for the compatibility gate. */
  databaseUrl?: Secret;
  /** The date waivers are judged on (default today). */
  today?: string;
  /** The release's record when the caller just wrote it (ci): a tree read in the same session may predate that push. */
  record?: ReleaseRecord;
  /** The GitOps repository across this call's writes (reads after our own push see it). */
  session?: GitopsSession;
  /** The scanned images' config digests by component, which tie a tarball scan's report to the image. */
  imageIds?: Record<string, string>;
  /** cosign's answers for one image (pipeline.yaml signing): the signature gate judges them. */
  verify?: (image: string) => Promise<ImageVerification>;
  /** What verification trusts (pipeline.yaml signing), read once from the application repository: its public key goes into an environment's Kyverno policy. */
  trust?: SigningTrust;
}

/** The GitOps repository's files as promotion reads them. */
export interface GitopsView {
  tree: Directory;
  read(path: string): Promise<string | undefined>;
}

/** Promote and describe what happened (or, with dryRun, what would). Refusals throw with every verdict. */
export async function promote(config: PipelineConfig, req: PromotionRequest): Promise<string> {
  const gitops = config.gitops;
  if (!gitops) throw new InputError("gitops: pipeline.yaml names no GitOps repository to promote into");
  const env = knownEnvironment(config, req.environment);
  if (req.emergency !== undefined && req.emergency.trim() === "")
    throw new InputError('reason: an emergency needs a reason (--emergency --reason "…"), which is written into the commit and the release record');
  const session = req.session ?? new GitopsSession();
  const view = session.view(gitops.repository, gitops.branch, req.token);
  const target = parseEnvironmentState(await view.read(statePath(env.path)), statePath(env.path), req.environment);
  const upstream = env.after ? parseEnvironmentState(await view.read(statePath(config.environments[env.after].path)), statePath(config.environments[env.after].path), env.after) : undefined;

  const readRecord = async (r: string) => {
    const text = await view.read(releasePath(r));
    return text === undefined ? undefined : parseReleaseRecord(text, releasePath(r));
  };
  const release = req.rollback ? await rollbackRelease(config, req, target, readRecord) : await forwardRelease(req, upstream, env.after, readRecord, gitops.repository);
  const revision = release.revision;
  const components = req.rollback ? rollbackComponents(config, release) : req.components && req.components.length > 0 ? req.components : Object.keys(release.components);
  const unknown = components.filter((c) => !release.components[c]);
  if (unknown.length > 0) throw new InputError(`components: ${unknown.join(", ")} not in release ${revision.slice(0, 12)}; it holds ${Object.keys(release.components).join(", ")}`);

  const stops = stopVerdicts(env, target, { automatic: req.automatic === true, rollback: req.rollback === true, now: req.now ?? new Date(), ...(req.emergency ? { emergency: req.emergency } : {}) });
  const verdicts = [...stops, ...(await promotionGates(config, req, release, components, target, upstream, view))];
  const refused = verdicts.filter((v) => !v.passed);
  const header = `Promotion of release ${revision.slice(0, 12)} (${components.map((c) => `${c} ${release.components[c].version}`).join(", ")}) to ${req.environment}${req.rollback ? " (rollback)" : ""}${req.emergency ? ` — EMERGENCY: ${req.emergency}` : ""}\n\n${renderVerdicts(verdicts)}`;
  if (refused.length > 0) {
    if (req.dryRun) return `${header}\nDry run: REFUSED by ${refused.map((v) => v.gate).join(", ")}; nothing would be written.\n`;
    throw new GatesRefused(
      refused.map((v) => v.gate),
      header,
    );
  }
  if (alreadyDeployed(target, release, components) && !req.rollback) return `${header}\nAlready there: ${req.environment} runs these digests; nothing to write.\n`;

  const at = new Date().toISOString();
  const from = currentRelease(target);
  const next = promoted(target, release, components, at, {
    ...(req.emergency ? { emergency: req.emergency } : {}),
    ...(req.rollback ? { rollback: true, ...(from ? { from } : {}), ...(req.automatic ? { automatic: true } : {}) } : {}),
    ...(req.reason ? { reason: req.reason } : !req.rollback && target.hold ? { reason: `released the hold of ${target.hold.since} (${target.hold.reason})` } : {}),
  });
  const changes = await rewrite(config, req.environment, release, components, next, view, req.trust);
  const gitopsModule = dag.gitops({ image: mirrorImage(GIT_IMAGE, config.mirror?.images) });
  const diff = await gitopsModule.diff(view.tree, changes);
  if (req.dryRun) return `${header}\nDry run: these changes would be written (${env.writeBack === "pull-request" ? "as a pull request" : "as one commit"}); nothing was written.\n\n${diff}`;

  const message = await gitopsModule.message(
    revision,
    req.environment,
    components.map((c) => `${c}=${release.components[c].version}`),
    verdicts.map((v) => `${v.gate}=${v.waivedByEmergency ? "waived" : "passed"}`),
    {
      emergency: req.emergency ?? "",
      ...(req.rollback && from ? { rollbackFrom: from, automatic: req.automatic === true, rollbackReason: (req.reason ?? "").split("\n")[0] } : {}),
    },
  );
  if (env.writeBack === "commit") {
    const pushed = await session.push(config, gitops.repository, gitops.branch, changes, message, req.token);
    return `${header}\n${await landed(pushed, `promotion to ${req.environment}`)}\n`;
  }
  const pr = await gitopsModule.propose(gitops.provider, gitops.repository, gitops.branch, `promote/${req.environment}/${revision.slice(0, 12)}`, changes, message, env.approvals, {
    token: req.token,
  });
  return `${header}\n${await landed(pr, `promotion to ${req.environment} (pull request)`)}\n`;
}

/** The GitOps repository at its branch's tip (or at a commit we pushed), read through Dagger's git (token as HTTP auth). */
export function gitopsView(repository: string, branch: string, token?: Secret, commit?: string): GitopsView {
  const repo = dag.git(repository, token ? { httpAuthToken: token } : {});
  const tree = (commit ? repo.commit(commit) : repo.branch(branch)).tree();
  return {
    tree,
    async read(path) {
      return (await tree.exists(path)) ? tree.file(path).contents() : undefined;
    },
  };
}

/** The release a promotion moves: the one given (--revision, or ci's own record), else the one the upstream environment runs. */
async function forwardRelease(
  req: PromotionRequest,
  upstream: EnvironmentState | undefined,
  after: string | undefined,
  read: (revision: string) => Promise<ReleaseRecord | undefined>,
  repository: string,
): Promise<ReleaseRecord> {
  if (req.record) return req.record;
  const revision = req.revision ?? upstream?.history[0]?.release;
  if (!revision) throw new InputError(`revision: required (${after ? `${after} runs no release yet` : `${req.environment} follows no environment`}); pass --revision <git sha>`);
  const record = await read(revision);
  if (!record) throw new InputError(`release ${revision}: not found in ${repository} (${releasePath(revision)}); releases are recorded when ci publishes them`);
  return record;
}

/**
 * The release a rollback goes back to: the one named (--to), or the newest earlier release the
 * environment ran, not rolled back from, whose requires the environment after the rollback
 * satisfies, live schema included (the compatibility gate, asked per candidate).
 */
async function rollbackRelease(config: PipelineConfig, req: PromotionRequest, target: EnvironmentState, read: (revision: string) => Promise<ReleaseRecord | undefined>): Promise<ReleaseRecord> {
  if (req.to) {
    const named = namedRollbackTarget(target, req.environment, req.to);
    const record = await read(named);
    if (!record) throw new InputError(`to: release ${named.slice(0, 12)} has no record in the GitOps repository (${releasePath(named)})`);
    return record;
  }
  const live = await liveSchemaVersion(config, req);
  const choice = await chooseRollbackTarget(rollbackCandidates(target), read, async (record) => {
    const verdict = compatibilityGate(config, req.environment, target, record, rollbackComponents(config, record), live);
    const [passed, summary] = await Promise.all([verdict.passed(), verdict.summary()]);
    return { passed, summary };
  });
  if (!choice.target) throw new InputError(noTargetMessage(req.environment, target, choice.skipped));
  return choice.target;
}

/** The changed files: deployment files with the new images, flags, the admission policy, and the environment's state. */
async function rewrite(config: PipelineConfig, environment: string, release: ReleaseRecord, components: string[], next: EnvironmentState, view: GitopsView, trust?: SigningTrust): Promise<Directory> {
  const env = config.environments[environment];
  const dir = env.path.replace(/\/+$/, "");
  const inFolder = env.format === "manifests" && (await view.tree.exists(dir)) ? await view.tree.directory(dir).entries() : [];
  const updates = components.map((c) => `${repositoryOf(release.components[c].image)}=${release.revision}@${release.components[c].digest}`);
  const helmPaths = JSON.stringify(Object.fromEntries(Object.entries(env.helm).map(([c, p]) => [repositoryOf(release.components[c]?.image ?? ""), p])));
  let changes = dag.directory();
  const flags = flagsOf(config, environment);
  const policyPath = env.admission === "kyverno" ? admissionFile(env, env.format === "helm" && (await view.tree.exists(`${dir}/Chart.yaml`))) : undefined;
  let namespace: string | undefined;
  const paths = deploymentFiles(env, inFolder);
  if (paths.length === 0) throw new InputError(`environments.${environment}.path: ${dir} holds no .yaml/.yml manifest in the GitOps repository; promotion would deploy nothing`);
  const texts = await Promise.all(
    paths.map(async (path) => {
      const text = await view.read(path);
      if (text === undefined) throw new InputError(`${path}: missing in the GitOps repository; environments.${environment} (format ${env.format}) expects it`);
      return text;
    }),
  );
  // One call for all files: an image that no file names fails the promotion before anything is written.
  const editedTexts = await dag.gitops().editFiles(env.format, paths, texts, updates, { helmPaths });
  for (const [i, path] of paths.entries()) {
    let edited = editedTexts[i]!;
    if (Object.keys(flags).length > 0 && env.format === "kustomize") edited = withFlagsResource(edited, path);
    if (Object.keys(flags).length > 0 && env.format === "helm") edited = withHelmFlags(edited, path, flags);
    if (policyPath && env.format === "kustomize") {
      edited = withResource(edited, path, posix.relative(posix.dirname(path), policyPath));
      namespace = kustomizationNamespace(edited, path);
    }
    if (progressiveStrategy(env.strategy) && env.format === "kustomize") edited = withRolloutResources(edited, path);
    changes = changes.withNewFile(path, edited);
  }
  if (progressiveStrategy(env.strategy))
    for (const [path, text] of Object.entries(rolloutFiles(config, environment, next, env.format === "helm" && (await view.tree.exists(`${dir}/Chart.yaml`)))))
      changes = changes.withNewFile(path, text);
  if (policyPath) changes = changes.withNewFile(policyPath, environmentPolicy(config, environment, trust?.publicKey, namespace));
  const flagsPath = flagsFile(env);
  if (flagsPath && Object.keys(flags).length > 0)
    changes = changes.withNewFile(flagsPath, env.format === "compose" ? flagsEnvFile(environment, flags) : flagsManifest(config.name, environment, flags));
  return changes.withNewFile(statePath(env.path), renderEnvironmentState(next));
}

/** registry/name:tag@digest → registry/name (a release record's image; anything else is kept as it is). */
function repositoryOf(image: string): string {
  const ref = tryParseImageReferenceStrict(image);
  return ref ? formatRepository(ref) : image;
}

/** A preview to create, update or remove. */
export interface PreviewRequest {
  branch: string;
  /** The branch build's images by component (registry/name:<sha>@sha256:<digest>). */
  images: Record<string, string>;
  remove: boolean;
  dryRun: boolean;
  token?: Secret;
}

/** Remove, in one commit, the preview overlays of branches that no longer exist (for hosts with no branch-deletion event, e.g. Drone). */
export async function prunePreviews(config: PipelineConfig, req: { liveBranches: string[]; dryRun: boolean; token?: Secret }): Promise<string> {
  const gitops = config.gitops;
  if (!gitops) throw new InputError("gitops: pipeline.yaml names no GitOps repository for previews");
  const root = config.previews.path.replace(/\/+$/, "");
  const view = gitopsView(gitops.repository, gitops.branch, req.token);
  const folders = (await view.tree.exists(root)) ? (await view.tree.directory(root).entries()).map((e) => e.replace(/\/$/, "")) : [];
  const stale = stalePreviews(config, folders, req.liveBranches);
  if (stale.length === 0) return `Previews: none to remove (${folders.length} preview(s), each of a live branch).\n`;
  const paths = (await Promise.all(stale.map(async (f) => (await view.tree.directory(`${root}/${f}`).entries()).map((e) => `${root}/${f}/${e}`)))).flat();
  if (req.dryRun) return `Dry run: would remove the previews ${stale.join(", ")} (their branches are gone): ${paths.join(", ")}.\n`;
  const gitopsModule = dag.gitops({ image: mirrorImage(GIT_IMAGE, config.mirror?.images) });
  const pushed = await gitopsModule.push(gitops.repository, gitops.branch, dag.directory(), `remove previews of deleted branches\n\n${stale.join("\n")}\n`, { token: req.token, deletePaths: paths });
  return `${await landed(pushed, `removing the previews ${stale.join(", ")}`)}\n`;
}

/** Write (or delete) a branch's preview overlay in the GitOps repository as one commit. */
export async function preview(config: PipelineConfig, req: PreviewRequest): Promise<string> {
  const gitops = config.gitops;
  if (!gitops) throw new InputError("gitops: pipeline.yaml names no GitOps repository for previews");
  const { namespace, folder } = previewOf(config, req.branch);
  const view = gitopsView(gitops.repository, gitops.branch, req.token);
  const gitopsModule = dag.gitops({ image: mirrorImage(GIT_IMAGE, config.mirror?.images) });
  if (req.remove) {
    if (!(await view.tree.exists(folder))) return `Preview ${namespace}: already gone (${folder} is not in the GitOps repository).\n`;
    const paths = (await view.tree.directory(folder).entries()).map((f) => `${folder}/${f}`);
    if (req.dryRun) return `Dry run: would delete ${paths.join(", ")} (namespace ${namespace}).\n`;
    const pushed = await gitopsModule.push(gitops.repository, gitops.branch, dag.directory(), `remove preview ${namespace} of ${req.branch}\n\nThe branch was deleted.\n\nPreview: ${namespace}\n`, {
      token: req.token,
      deletePaths: paths,
    });
    return `${await landed(pushed, `removing preview ${namespace}`)}\n`;
  }
  const images = Object.entries(req.images).map(([component, ref]) => {
    const image = tryParseImageReferenceStrict(ref);
    if (!image?.tag || !/^[0-9a-f]{40}$/.test(image.tag) || !image.digest) throw new InputError(`images.${component}: ${ref} is not registry/name:<git sha>@sha256:<digest>`);
    return { repository: formatRepository(image), tag: image.tag, digest: image.digest };
  });
  let changes = dag.directory();
  for (const [path, text] of Object.entries(previewFiles(config, req.branch, images))) changes = changes.withNewFile(path, text);
  if (req.dryRun) return `Dry run: preview ${namespace} of ${req.branch}; nothing was written.\n\n${await gitopsModule.diff(view.tree, changes)}`;
  const pushed = await gitopsModule.push(
    gitops.repository,
    gitops.branch,
    changes,
    `preview ${namespace} of ${req.branch}\n\n${images.map((i) => `${i.repository}:${i.tag.slice(0, 12)}`).join("\n")}\n\nPreview: ${namespace}\n`,
    { token: req.token },
  );
  return `${await landed(pushed, `preview ${namespace}`)}\n`;
}
