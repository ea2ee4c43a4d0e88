/**
 * The plan: given the config, an event and the changed files, which stages run, in which
 * order, which jobs run in parallel, which components are affected and what is promoted where.
 * Pure: no engine, no git, no network; `ci` and `promote` follow it and every CI wrapper maps
 * its host's event onto it.
 */
import picomatch from "../vendor/picomatch.js";
import type { PipelineConfig } from "../config/schema.js";
import { affectedComponents } from "./affected.js";
import type { PipelineEvent } from "./event.js";
import { InputError } from "../errors.js";
import { previewFolder, previewNamespace } from "./preview.js";

/** The kinds of run an event leads to. */
export type Flow = "checks-only" | "main" | "build-only" | "preview" | "release-tag" | "promotion" | "rollback" | "deployment" | "preview-removal" | "nothing";

/** One unit of work; the jobs of a stage run in parallel. */
export interface Job {
  step: string;
  component?: string;
  environment?: string;
}

/** Every stage a plan can hold, in the order they run; `ci` executes exactly these (run/execute.ts). */
export const STAGE_NAMES = ["checks", "build", "e2e", "scan", "integration", "publish", "record", "release", "promote", "deploy", "verify", "preview", "preview-removal"] as const;
/** The name of a stage: the same word in the plan, the run's summary, result.json and JUnit. */
export type StageName = (typeof STAGE_NAMES)[number];

/** Stages run in order; the run stops at the first stage with a failed job. */
export interface Stage {
  name: StageName;
  jobs: Job[];
}

/** What a promotion to one environment involves. */
export interface Promotion {
  environment: string;
  writeBack: "commit" | "pull-request";
  approvals: number;
  /** The environment a release must have reached first; waived only by an emergency. */
  after?: string;
  /** Gates checked against the target environment before anything is written. */
  gates: string[];
  emergency?: boolean;
  /** Back to the release the environment ran before its current one. */
  rollback?: boolean;
}

/** The whole answer to "what happens if I push this?". */
export interface Plan {
  event: PipelineEvent;
  flow: Flow;
  components: { affected: string[]; unchanged: string[] };
  stages: Stage[];
  promotions: Promotion[];
  preview?: { branch: string; namespace: string; path: string };
  notes: string[];
}

/** Steps of the checks stage per toolchain; each is its own parallel job. */
export const CHECK_STEPS: Record<PipelineConfig["components"][string]["toolchain"], string[]> = {
  node: ["lint", "typecheck", "unit"],
  flyway: ["lint", "unit"],
  dotnet: ["lint", "unit"],
  maven: ["lint", "unit"],
};

/** Plan the run an event causes. Throws InputError when the event names something the config lacks. */
export function plan(config: PipelineConfig, event: PipelineEvent): Plan {
  switch (event.kind) {
    case "pull-request":
      return branchPlan(config, event, "checks-only");
    case "push":
      return branchPlan(config, event, pushFlow(config, event.branch));
    case "tag":
      return tagPlan(config, event);
    case "promote":
      return promotePlan(config, event);
    case "rollback":
      return rollbackPlan(config, event);
    case "deploy":
      return deployPlan(config, event);
    case "delete":
      return deletePlan(config, event);
  }
}

/** The flow of a push, from the branch rules of the config (ci follows it: the plan and the run agree). */
export function pushFlow(config: PipelineConfig, branch: string): Flow {
  if (branch === config.branches.main) return "main";
  if (picomatch.isMatch(branch, config.branches.buildOnly)) return "build-only";
  if (picomatch.isMatch(branch, config.branches.previews)) return "preview";
  return "checks-only";
}

function branchPlan(config: PipelineConfig, event: Extract<PipelineEvent, { kind: "push" | "pull-request" }>, flow: Flow): Plan {
  const scope = affectedComponents(config, event.changed);
  const notes: string[] = [];
  if (scope.reason) notes.push(`Every component is affected: ${scope.reason}.`);
  const checks: Stage = { name: "checks", jobs: scope.affected.flatMap((c) => CHECK_STEPS[config.components[c].toolchain].map((step) => ({ step, component: c }))) };
  const all = Object.keys(config.components);
  const build: Stage = { name: "build", jobs: all.map((c) => ({ step: scope.affected.includes(c) ? "build" : "reuse", component: c })) };
  // E2E and the scans judge exactly the digests the build stage produced (built or reused), which are the ones published.
  const e2e: Stage[] = config.e2e ? [{ name: "e2e", jobs: [{ step: "e2e" }] }] : [];
  const scan: Stage = { name: "scan", jobs: all.map((c) => ({ step: "scan", component: c })) };
  const publish: Stage = { name: "publish", jobs: all.map((c) => ({ step: "push", component: c })) };
  const base = { event, flow, components: { affected: scope.affected, unchanged: scope.unchanged }, promotions: [] as Promotion[], notes };

  if (scope.affected.length === 0 && !(flow === "main" && scope.e2eChanged)) {
    notes.push("No component is affected by the changed files: nothing to run.");
    return { ...base, flow: "nothing", stages: [] };
  }
  if (scope.unchanged.length > 0 && flow !== "checks-only")
    notes.push(`Unchanged components (${scope.unchanged.join(", ")}) are not rebuilt: their published image is reused when its inputs hash the same, so the release still holds all components.`);
  switch (flow) {
    case "checks-only":
      if (event.kind === "push") notes.push(`Pushes to ${event.branch} run the checks only (branches in pipeline.yaml).`);
      return { ...base, stages: [checks] };
    case "build-only":
      notes.push(`Pushes to ${event.branch} end after the image build: nothing is published or deployed.`);
      return { ...base, stages: [checks, build] };
    case "preview": {
      const namespace = previewNamespace(config.previews.namespace, event.branch);
      // The folder promotion writes (release/preview.ts): named after the namespace, so unique per branch.
      const preview = { branch: event.branch, namespace, path: previewFolder(config.previews.path, namespace) };
      return { ...base, stages: [checks, build, publish, { name: "preview", jobs: [{ step: "deploy-preview", environment: preview.namespace }] }], preview };
    }
    default: {
      const promotions = environmentsOn(config, "push").map((e) => promotion(config, e, false));
      if (!config.e2e) notes.push("No e2e project is configured: the images are scanned, not tested end to end.");
      // With an Aspire AppHost, the release also runs through it once E2E passed (ci does both).
      const integration: Stage[] = config.aspire && config.e2e ? [{ name: "integration", jobs: [{ step: "aspire" }] }] : [];
      const stages: Stage[] = [checks, build, ...e2e, scan, ...integration, publish];
      // The release is recorded in the GitOps repository (releases/<sha>.json) before any environment gets it.
      if (config.gitops) stages.push({ name: "record", jobs: [{ step: "record-release" }] });
      if (promotions.length > 0) stages.push({ name: "promote", jobs: promotions.map((p) => ({ step: "promote", environment: p.environment })) }, ...afterWrite(config, promotions, notes));
      else notes.push("No environment is promoted on push: the run ends after publishing.");
      return { ...base, stages, promotions };
    }
  }
}

function tagPlan(config: PipelineConfig, event: Extract<PipelineEvent, { kind: "tag" }>): Plan {
  const promotions = environmentsOn(config, "tag").map((e) => promotion(config, e, false));
  const base = { event, components: { affected: [], unchanged: Object.keys(config.components) }, notes: [] as string[] };
  if (promotions.length === 0 && !config.releases)
    return { ...base, flow: "nothing", stages: [], promotions, notes: ["No environment is promoted on a tag (environments.*.on: tag) and no release page is configured (releases): nothing to run."] };
  // The release page first: it describes the tagged release whether or not a gate lets it into an environment.
  const page: Stage[] = config.releases ? [{ name: "release", jobs: [{ step: "release-page", environment: config.releases.provider }] }] : [];
  const after: string[] = [];
  const promote: Stage[] = promotions.length > 0 ? [{ name: "promote", jobs: promotions.map((p) => ({ step: "promote", environment: p.environment })) }, ...afterWrite(config, promotions, after)] : [];
  return {
    ...base,
    flow: "release-tag",
    stages: [...page, ...promote],
    promotions,
    notes: [
      `The release built from the tagged commit is ${promotions.length > 0 ? "promoted" : "described"} as it is (same image digests); nothing is rebuilt.`,
      ...(promotions.length > 0 ? [SCANNED_AT_PROMOTION] : []),
      ...(config.releases
        ? [`Its ${config.releases.provider === "github" ? "GitHub" : "Gitea"} release page gets the notes (components, versions, digests, migrations) and the files release.json and compose.yaml.`]
        : []),
      ...after,
    ],
  };
}

/** Where a promotion's vulnerability verdict comes from when no build ran in the same call. */
const SCANNED_AT_PROMOTION = "The vulnerability gate judges a Trivy scan of the release's published images, pulled by digest and scanned in this call (reports given with --scans are used instead).";

function promotePlan(config: PipelineConfig, event: Extract<PipelineEvent, { kind: "promote" }>): Plan {
  knownEnvironment(config, event.environment);
  const p = promotion(config, event.environment, event.emergency === true);
  const notes = [`The release is promoted as it is (same image digests); nothing is rebuilt.`, SCANNED_AT_PROMOTION];
  if (p.writeBack === "pull-request") notes.push(`A pull request is opened in the GitOps repository; it needs ${p.approvals} approval(s) to merge. Running promote again reports its state.`);
  if (p.emergency) notes.push("Emergency: the vulnerability gate and the upstream-environment rule are waived and the reason is recorded; compatibility is still enforced.");
  return {
    event,
    flow: "promotion",
    components: { affected: [], unchanged: Object.keys(config.components) },
    stages: [{ name: "promote", jobs: [{ step: "promote", environment: p.environment }] }, ...afterWrite(config, [p], notes)],
    promotions: [p],
    notes,
  };
}

function rollbackPlan(config: PipelineConfig, event: Extract<PipelineEvent, { kind: "rollback" }>): Plan {
  const env = knownEnvironment(config, event.environment);
  // Back to digests this environment already ran: their scans were judged then, and the upstream
  // rule looks forward; compatibility (the live database must suit the older release) still holds.
  const gates = ["compatibility", ...(env.writeBack === "pull-request" ? [`approval:${env.approvals}`] : [])];
  const notes = [
    `${event.environment} goes back to the newest earlier release it ran (its history in the GitOps repository), never to one it was rolled back from, as it is (same image digests); nothing is rebuilt.`,
  ];
  notes.push(
    "The compatibility gate still applies: a release whose requires the live database schema no longer satisfies is passed over (migrations are never rolled back; the database component stays).",
  );
  if (env.writeBack === "pull-request") notes.push(`A pull request is opened in the GitOps repository; it needs ${env.approvals} approval(s) to merge.`);
  return {
    event,
    flow: "rollback",
    components: { affected: [], unchanged: Object.keys(config.components) },
    stages: [
      { name: "promote", jobs: [{ step: "rollback", environment: event.environment }] },
      ...afterWrite(config, [{ environment: event.environment, writeBack: env.writeBack, approvals: env.approvals, gates, rollback: true }], notes),
    ],
    promotions: [{ environment: event.environment, writeBack: env.writeBack, approvals: env.approvals, gates, rollback: true }],
    notes,
  };
}

/**
 * The stages after the GitOps write: deploy (Compose environments with a deploy section) and
 * verify (environments with a verify section), for environments written by a commit. An
 * environment written by a pull request is deployed and verified by `deploy --env` from the GitOps
 * repository's own push once the pull request merges.
 */
function afterWrite(config: PipelineConfig, promotions: Promotion[], notes: string[]): Stage[] {
  const direct = promotions.filter((p) => p.writeBack === "commit").map((p) => p.environment);
  const viaPullRequest = promotions.filter((p) => p.writeBack === "pull-request" && (config.environments[p.environment].deploy || config.environments[p.environment].verify));
  for (const p of viaPullRequest) notes.push(`${p.environment} is deployed and verified by deploy --env ${p.environment}, run by the GitOps repository's push once the pull request merges.`);
  return deploymentStages(
    config,
    direct,
    notes,
    promotions.some((p) => p.rollback),
  );
}

/** deploy and verify stages for these environments (those with the sections), with their notes. */
function deploymentStages(config: PipelineConfig, environments: string[], notes: string[], afterRollback: boolean): Stage[] {
  const deployed = environments.filter((e) => config.environments[e].deploy);
  const verified = environments.filter((e) => config.environments[e].verify);
  const stages: Stage[] = [];
  if (deployed.length > 0) {
    stages.push({ name: "deploy", jobs: deployed.map((environment) => ({ step: "deploy-compose", environment })) });
    notes.push(`Deployed over SSH (docker compose pull and up through an SSH Docker context), waiting until every service is healthy: ${deployed.join(", ")}.`);
  }
  if (verified.length > 0) {
    stages.push({ name: "verify", jobs: verified.map((environment) => ({ step: "verify", environment })) });
    const automatic = verified.filter((e) => config.environments[e].verify?.rollback === "automatic");
    notes.push(`Verified: each component's health endpoint must report the release's version, then the smoke specs run: ${verified.join(", ")}.`);
    if (automatic.length > 0 && !afterRollback)
      notes.push(
        `A failed verification rolls ${automatic.join(", ")} back automatically (through the same gates, to the newest earlier release the live schema suits) and holds automatic promotion until someone promotes by hand.`,
      );
  }
  return stages;
}

function deployPlan(config: PipelineConfig, event: Extract<PipelineEvent, { kind: "deploy" }>): Plan {
  const env = knownEnvironment(config, event.environment);
  if (!env.deploy && !env.verify)
    throw new InputError(`environment: ${event.environment} has neither a deploy nor a verify section in pipeline.yaml; its GitOps agent deploys it (nothing for deploy --env to do)`);
  const notes = [`Deploys what the GitOps repository says ${event.environment} runs (its files at the GitOps branch's tip); nothing is built or written.`];
  return {
    event,
    flow: "deployment",
    components: { affected: [], unchanged: Object.keys(config.components) },
    stages: deploymentStages(config, [event.environment], notes, false),
    promotions: [],
    notes,
  };
}

/** The environment's settings, or an InputError listing the environments there are. */
export function knownEnvironment(config: PipelineConfig, environment: string): PipelineConfig["environments"][string] {
  const names = Object.keys(config.environments);
  if (!names.includes(environment)) throw new InputError(`environment: "${environment}" is not an environment of this pipeline; environments: ${names.join(", ") || "(none configured)"}`);
  return config.environments[environment];
}

function deletePlan(config: PipelineConfig, event: Extract<PipelineEvent, { kind: "delete" }>): Plan {
  const base = { event, components: { affected: [], unchanged: Object.keys(config.components) }, promotions: [] };
  if (!picomatch.isMatch(event.branch, config.branches.previews)) return { ...base, flow: "nothing", stages: [], notes: [`${event.branch} has no preview environment: nothing to remove.`] };
  const namespace = previewNamespace(config.previews.namespace, event.branch);
  return { ...base, flow: "preview-removal", stages: [{ name: "preview-removal", jobs: [{ step: "remove-preview", environment: namespace }] }], notes: [] };
}

/** The environments promoted on this trigger, each after the one it follows when both are promoted by it (qa after: dev comes after dev). */
function environmentsOn(config: PipelineConfig, on: "push" | "tag" | "manual"): string[] {
  const names = Object.entries(config.environments)
    .filter(([, e]) => e.on === on)
    .map(([n]) => n);
  const ordered: string[] = [];
  const place = (n: string, seen: Set<string>) => {
    if (ordered.includes(n) || seen.has(n)) return;
    seen.add(n);
    const after = config.environments[n].after;
    if (after && names.includes(after)) place(after, seen);
    ordered.push(n);
  };
  for (const n of names) place(n, new Set());
  return ordered;
}

/** The promotion to one environment and the gates it must pass. */
function promotion(config: PipelineConfig, environment: string, emergency: boolean): Promotion {
  const env = config.environments[environment];
  const gates = ["compatibility"];
  if (!emergency) gates.push("vulnerabilities");
  if (env.after && !emergency) gates.push(`reached:${env.after}`);
  if (env.writeBack === "pull-request") gates.push(`approval:${env.approvals}`);
  return {
    environment,
    writeBack: env.writeBack,
    approvals: env.approvals,
    ...(env.after ? { after: env.after } : {}),
    gates,
    ...(emergency ? { emergency: true } : {}),
  };
}
