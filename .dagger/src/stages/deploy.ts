/**
 * `deploy --env`: apply a Compose environment on its Docker host over SSH, from what the GitOps
 * repository's branch holds for it (compose.yaml, the flags, state.json naming the release). The
 * script is deploy/compose-ssh.ts's; this file only reads the files, runs it once in the docker
 * CLI image and reads its output once.
 */
import { randomUUID } from "node:crypto";
import { dag, ReturnType, type Secret } from "@dagger.io/dagger";
import type { PipelineConfig } from "../config/schema.js";
import { composeSshPlan } from "../deploy/compose-ssh.js";
import { failureMessage, parseDeployOutput, serviceLine } from "../deploy/result.js";
import { InputError } from "../errors.js";
import { mirrorImage } from "../mirror/images.js";
import { parseEnvironmentState, statePath } from "../release/state.js";
import { type GitopsView, gitopsView } from "./promote.js";

/** The image the script runs in: docker CLI 28.2.2 with the compose plugin (2.36/2.37) and openssh-client (docker-library/docker 28/cli), by digest as ci/drone pins it. */
const DEPLOY_IMAGE = "docker:28.2.2-cli@sha256:c2e49a065e45c462dda70b65b1a50a74c75804091fae15b7e4fbec6b114996d1";

/** Where the container holds the environment's files, the script and the key. */
const FILES = "/deploy/files";
const SCRIPT = "/deploy/deploy.sh";
const KEY = "/run/secrets/deploy-ssh-key";

/** What deploy needs besides the config: the private key, the GitOps token, or a view the caller already has (after its own push). */
export interface DeployOptions {
  sshKey: Secret;
  token?: Secret;
  view?: GitopsView;
}

/** A deploy whose script failed: the message holds the failed step, each service's state and the failing services' last log lines. */
export class DeployFailed extends Error {
  constructor(
    readonly environment: string,
    readonly failed: string[],
    message: string,
  ) {
    super(message);
    this.name = "DeployFailed";
  }
}

/** Deploy the environment's Compose file at the GitOps branch's tip to its host; returns the summary, throws DeployFailed or InputError. */
export async function deployEnvironment(config: PipelineConfig, environment: string, options: DeployOptions): Promise<string> {
  const plan = composeSshPlan(config, environment);
  const gitops = config.gitops;
  if (!gitops) throw new InputError("gitops: pipeline.yaml names no GitOps repository to deploy from");
  const env = config.environments[environment];
  const view = options.view ?? gitopsView(gitops.repository, gitops.branch, options.token);
  const [compose, flags, stateText] = await Promise.all([view.read(plan.composePath), plan.flagsPath ? view.read(plan.flagsPath) : undefined, view.read(statePath(env.path))]);
  if (compose === undefined)
    throw new InputError(`${plan.composePath}: missing in ${gitops.repository} (branch ${gitops.branch}); promote a release to ${environment} first (environments.${environment}.path, file)`);
  const state = parseEnvironmentState(stateText, statePath(env.path), environment);
  const name = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  let files = dag.directory().withNewFile(name(plan.composePath), compose);
  if (flags !== undefined && plan.flagsPath) files = files.withNewFile(name(plan.flagsPath), flags);

  const done = dag
    .container()
    .from(mirrorImage(DEPLOY_IMAGE, config.mirror?.images))
    .withDirectory(FILES, files)
    .withNewFile(SCRIPT, plan.script(flags !== undefined))
    .withMountedSecret(KEY, options.sshKey, { owner: "root", mode: 0o400 })
    // The key's copy and the host's .env (database passwords) live under /tmp: a tmpfs, so no
    // layer of this exec keeps them, even when the script is killed before its cleanup.
    .withMountedTemp("/tmp")
    // A deploy acts on a host the engine cannot see: every call runs it again, never a cached result.
    .withEnvVariable("PIPELINE_DEPLOY_RUN", `${new Date().toISOString()} ${randomUUID()}`)
    // stderr joins stdout and the exit code is the last line, so one read of stdout holds everything.
    .withExec(["sh", "-c", `sh ${SCRIPT} ${FILES} ${KEY} 2>&1; echo "{\\"event\\":\\"exit\\",\\"code\\":$?}"`], { expect: ReturnType.Any });
  const outcome = parseDeployOutput(await done.stdout());

  const current = state.history[0];
  const release = current
    ? `release ${current.release.slice(0, 12)} (${Object.entries(state.components)
        .map(([c, d]) => `${c} ${d.version}`)
        .join(", ")})`
    : "no release recorded in state.json";
  const what = `deploy of ${environment} (${release}) to ${plan.where}, project ${plan.project}`;
  if (!outcome.ok) throw new DeployFailed(environment, outcome.failed, failureMessage(outcome, what));
  return `Deployed ${environment}: ${release} on ${plan.where}, project ${plan.project}.\nServices: ${serviceLine(outcome)}\n`;
}
