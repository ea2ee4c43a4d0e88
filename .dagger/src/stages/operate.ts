/**
 * After the GitOps write, through `dag`: verify an environment against what its state in the
 * GitOps repository says it runs (Argo CD synced to our commit and healthy, when configured;
 * every health endpoint reporting its component's version; then the smoke specs), and roll it
 * back automatically when that fails. The logic lives in verify/ and release/rollback.ts.
 */
import { knownEnvironment } from "../plan/plan.js";
import type { Secret } from "@dagger.io/dagger";
import type { PipelineConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { parseEnvironmentState, statePath } from "../release/state.js";
import type { Delivered, Operated } from "../run/ports.js";
import { waitForArgoCd } from "../verify/argocd.js";
import { verifyEndpoints } from "../verify/endpoints.js";
import { schemaProblems } from "../verify/schema.js";
import type { SmokeResult, SmokeTarget } from "../verify/smoke.js";
import { GatesRefused, type GitopsSession, type PromotionRequest, promote, WriteFailed } from "./promote.js";

/** What verification and recovery need besides the config. */
export interface OperateOptions {
  session: GitopsSession;
  token?: Secret;
  /** Argo CD API token (verify.argocd). */
  argocdToken?: Secret;
  /** Run the smoke specs against the environment (verify.url); needs the application's E2E project. */
  smoke?: (target: SmokeTarget) => Promise<SmokeResult>;
  /** The promotion options a rollback reuses (signature verification, trust, database URL). */
  promotion: Pick<PromotionRequest, "verify" | "trust" | "databaseUrl">;
}

/** Verify the environment; a failed verification is an answer (landed false), bad input an InputError. */
export async function verifyEnvironment(config: PipelineConfig, environment: string, o: OperateOptions): Promise<Operated> {
  const env = knownEnvironment(config, environment);
  const gitops = config.gitops;
  if (!gitops) throw new InputError("gitops: pipeline.yaml names no GitOps repository: verification reads what the environment runs from it");
  const verify = env.verify;
  if (!verify) throw new InputError(`environments.${environment}.verify: missing; say how to verify ${environment} (health endpoints per component)`);
  const view = o.session.view(gitops.repository, gitops.branch, o.token);
  const state = parseEnvironmentState(await view.read(statePath(env.path)), statePath(env.path), environment);
  const release = state.history[0]?.release;
  if (!release) return { landed: false, text: `${environment} runs no release yet: nothing to verify.`, refused: "no release" };
  const expected = Object.fromEntries(Object.keys(verify.endpoints).map((c) => [c, state.components[c]?.version ?? ""]));
  const unknown = Object.keys(expected).filter((c) => expected[c] === "");
  if (unknown.length > 0)
    throw new InputError(`environments.${environment}.verify.endpoints: ${unknown.join(", ")} not deployed in ${environment} (its state names ${Object.keys(state.components).join(", ")})`);
  const lines = [
    `Release ${release.slice(0, 12)}: ${Object.entries(expected)
      .map(([c, v]) => `${c} ${v}`)
      .join(", ")}`,
  ];
  const timing = { timeoutSeconds: verify.timeout, intervalSeconds: verify.interval };

  if (verify.argocd) {
    if (!o.argocdToken) throw new InputError(`argocd-token: environments.${environment}.verify.argocd waits on Argo CD's API: pass --argocd-token env://ARGOCD_TOKEN`);
    // Synced and Healthy, at whichever commit: someone may push to the GitOps branch after us, and
    // waiting for exactly our commit would then roll back a healthy release. Whether the release
    // runs is the endpoints' versions to say, next.
    const argo = await waitForArgoCd({ server: verify.argocd.server, application: verify.argocd.application, token: await o.argocdToken.plaintext(), ...timing });
    lines.push(`Argo CD: ${argo.summary}`, ...argo.details.map((d) => `  ${d}`));
    if (!argo.passed) return { landed: false, text: lines.join("\n"), refused: `Argo CD: ${argo.summary}` };
  }

  const endpoints = await verifyEndpoints({ environment, endpoints: verify.endpoints, expected, ...timing });
  lines.push(`Health: ${endpoints.summary}`, ...endpoints.details.map((d) => `  ${d}`));
  const live = endpoints.liveSchema ? { liveSchema: endpoints.liveSchema } : {};
  if (!endpoints.passed) return { landed: false, text: lines.join("\n"), refused: endpoints.summary, ...live };
  const schema = endpoints.liveSchema ? schemaProblems(config, state, endpoints.liveSchema) : [];
  if (schema.length > 0) {
    lines.push("Schema:", ...schema.map((p) => `  ${p}`));
    return { landed: false, text: lines.join("\n"), refused: schema[0], ...live };
  }

  if (verify.url) {
    if (!o.smoke) throw new Error("verify: this call cannot run the smoke specs (no E2E project)");
    const versions = Object.fromEntries(Object.entries(state.components).map(([c, d]) => [c, d.version]));
    const smoke = await o.smoke({ environment, url: verify.url, tag: verify.smoke, versions, ...live });
    lines.push(`Smoke (${verify.smoke} against ${verify.url}): ${smoke.outcome.status}${smoke.outcome.detail ? ` — ${smoke.outcome.detail}` : ""}`);
    if (smoke.outcome.status === "failed") return { landed: false, text: lines.join("\n"), refused: `smoke specs failed (${smoke.outcome.failedTests.join(", ") || smoke.outcome.detail})`, ...live };
  }
  return { landed: true, text: lines.join("\n"), ...live };
}

/** Roll the environment back after a failed verification: automatic, through the same gates, recorded, holding automatic promotion. */
export async function recoverEnvironment(config: PipelineConfig, environment: string, why: string, liveSchema: string | undefined, o: OperateOptions): Promise<Delivered> {
  try {
    const text = await promote(config, {
      environment,
      rollback: true,
      automatic: true,
      reason: `verification failed: ${why}`,
      dryRun: false,
      session: o.session,
      ...(liveSchema ? { liveSchema } : {}),
      ...(o.token ? { token: o.token } : {}),
      ...o.promotion,
    });
    return { landed: true, text };
  } catch (e) {
    const err = e as Error;
    return {
      landed: false,
      text: err.message,
      refused: err instanceof GatesRefused ? `refused by ${err.gates.join(", ")}` : err instanceof WriteFailed ? `not written (${err.status})` : `failed (${err.message.split("\n")[0]})`,
    };
  }
}
