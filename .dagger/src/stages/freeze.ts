/**
 * `freeze --env`: set or lift an environment's freeze flag in its state file, as one commit on the
 * GitOps branch (a stop, not a change of what runs, so it does not wait for a pull request's
 * approvals). While the flag is set every promotion but a rollback or an emergency is refused.
 */
import { knownEnvironment } from "../plan/plan.js";
import { dag, type Secret } from "@dagger.io/dagger";
import type { PipelineConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { parseEnvironmentState, renderEnvironmentState, statePath } from "../release/state.js";
import { GitopsSession, landed } from "./promote.js";

/** What was asked: freeze with a reason, or lift. */
export interface FreezeRequest {
  environment: string;
  reason: string;
  lift: boolean;
  dryRun: boolean;
  token?: Secret;
  now?: Date;
}

/** Set or lift the freeze flag; setting it twice or lifting an unfrozen environment changes nothing and says so. */
export async function freeze(config: PipelineConfig, req: FreezeRequest): Promise<string> {
  const gitops = config.gitops;
  if (!gitops) throw new InputError("gitops: pipeline.yaml names no GitOps repository: the freeze flag lives in the environment's state there");
  const env = knownEnvironment(config, req.environment);
  const reason = req.reason.trim();
  if (!req.lift && reason === "") throw new InputError('reason: a freeze needs --reason "…" (shown in every refused promotion)');
  if (!req.lift && /[\r\n]/.test(reason)) throw new InputError("reason: must be one line");
  if (req.lift && reason !== "") throw new InputError("reason: --lift takes no reason");
  const session = new GitopsSession();
  const view = session.view(gitops.repository, gitops.branch, req.token);
  const path = statePath(env.path);
  const state = parseEnvironmentState(await view.read(path), path, req.environment);
  if (req.lift && !state.freeze) return `${req.environment} has no freeze flag; nothing to lift.${env.freeze.length > 0 ? " (Freeze windows in pipeline.yaml end on their own.)" : ""}\n`;
  if (!req.lift && state.freeze) return `${req.environment} is frozen already since ${state.freeze.since}: ${state.freeze.reason}. Nothing written.\n`;
  const { freeze: _lifted, ...rest } = state;
  const next = req.lift ? rest : { ...state, freeze: { since: (req.now ?? new Date()).toISOString(), reason } };
  const what = req.lift ? `lift the freeze of ${req.environment}` : `freeze ${req.environment}: ${reason}`;
  if (req.dryRun) return `Dry run: would ${what} (${path}); nothing was written.\n`;
  const files = dag.directory().withNewFile(path, renderEnvironmentState(next));
  const message = `${what}\n\n${req.lift ? `The freeze set at ${state.freeze?.since} (${state.freeze?.reason}) is lifted: promotions run again.` : "Promotions to this environment are refused until the freeze is lifted (freeze --lift); rollbacks and emergencies pass."}\n\nEnvironment: ${req.environment}\nFreeze: ${req.lift ? "lifted" : "set"}\n`;
  const pushed = await session.push(config, gitops.repository, gitops.branch, files, message, req.token);
  return `${await landed(pushed, what)}\n`;
}
