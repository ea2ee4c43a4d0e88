/**
 * Argo Rollouts objects of an environment whose strategy is canary or blue-green, rewritten by every
 * promotion: per non-database component a `Rollout` that takes its pod template from the existing
 * Deployment (`workloadRef`), so promotion keeps editing the Deployment's image and the Rollout
 * rolls that change out; the Service the analysis reaches the new pods through (canary:
 * `<workload>-canary`, blue-green: `<workload>-preview`); and the environment's AnalysisTemplate
 * (./analysis-template.ts), the release's version in each Rollout's analysis arguments.
 *
 * The Deployment: `scaleDown: progressively` lets the controller scale it down as the Rollout's
 * pods become ready (no moment without serving pods, unlike scaling it to 0 in git beside a new
 * Rollout, which Argo Rollouts' migration guide warns causes downtime). The controller does so only
 * during the Rollout's first revision (rollout/replicaset.go, argo-rollouts#4935), so a GitOps agent
 * must not scale the Deployment back up afterwards: the README says how (no `replicas` in the
 * Deployment's manifest, or Argo CD ignoring /spec/replicas).
 *
 * Canary without traffic routing: weights are shares of the pods; the canary Service (its selector
 * narrowed by the controller to the new pods) carries only the analysis. No stableService: the
 * component's own Service keeps selecting old and new pods, so users see the weight.
 */
import { posix } from "node:path";
import type { Document } from "../vendor/yaml.js";
import type { PipelineConfig } from "../config/schema.js";
import { type ProgressiveStrategy, progressiveStrategy, type Workload, workloadOf } from "../config/strategy.js";
import { InputError } from "../errors.js";
import { analysisTemplate, analysisTemplateName, ERROR_RATE_ARGS, yamlDocument } from "./analysis-template.js";
import type { EnvironmentState } from "./state.js";
import { withResource } from "./flags.js";

/** File of the Rollouts, Services and AnalysisTemplate in the environment's folder (helm charts: templates/). */
export const ROLLOUTS_MANIFEST = "rollouts.yaml";
/** Kustomize transformer configuration that teaches namePrefix/nameSuffix the Rollout's references. */
export const ROLLOUTS_KUSTOMIZE_CONFIG = "rollouts-kustomizeconfig.yaml";

/** One component as its Rollout is rendered. */
export interface RolloutComponent {
  name: string;
  /** The release's version of the component, which the analysis expects the new pods to report. */
  version: string;
  /** The container port, which the rendered Service forwards to. */
  port: number;
  /** Path of the version endpoint. */
  versionPath: string;
  workload: Workload;
}

/** What an environment's rollouts are rendered from. */
export interface RolloutsInput {
  application: string;
  environment: string;
  strategy: ProgressiveStrategy;
  components: RolloutComponent[];
}

/** The Deployment (and Rollout) name of a component. */
const workloadName = (c: RolloutComponent) => c.workload.deployment ?? c.name;

const labels = (application: string) => ({ "app.kubernetes.io/part-of": application, "app.kubernetes.io/managed-by": "pipeline-as-code" });

/** The Service the analysis reaches a component's new pods through. */
function analysisService(application: string, c: RolloutComponent, suffix: string): Document {
  const name = workloadName(c);
  return yamlDocument({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${name}-${suffix}`, labels: labels(application) },
    // The controller adds rollouts-pod-template-hash to this selector, so it selects only the new pods.
    spec: { selector: c.workload.selector ?? { app: name }, ports: [{ name: "http", port: c.port, targetPort: c.port, protocol: "TCP" }] },
  });
}

/** The analysis arguments of one component's Rollout: the release's version, and fields the controller reads from the Rollout itself (kustomize may have renamed them). */
function analysisArgs(input: RolloutsInput, c: RolloutComponent, serviceField: string): Record<string, unknown>[] {
  const args: Record<string, unknown>[] = [
    { name: "version", value: c.version },
    { name: "service", valueFrom: { fieldRef: { fieldPath: serviceField } } },
    { name: "namespace", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    { name: "port", value: String(c.port) },
    { name: "path", value: c.versionPath },
  ];
  if (input.strategy.analysis.prometheus) {
    const [rollout, hash] = ERROR_RATE_ARGS;
    args.push({ name: rollout, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, { name: hash, valueFrom: { podTemplateHashValue: "Latest" } });
  }
  return args;
}

/** A canary step's pause as Argo writes it: `manual` waits for a promote, a duration or whole seconds wait that long. */
const pauseStep = (pause: string | number) => ({ pause: pause === "manual" ? {} : { duration: pause } });

/** The Rollout of one component. */
function rollout(input: RolloutsInput, c: RolloutComponent): Document {
  const name = workloadName(c);
  const templates = [{ templateName: analysisTemplateName(input.application, input.environment) }];
  const { strategy } = input;
  const spec =
    strategy.kind === "canary"
      ? {
          canary: {
            canaryService: `${name}-canary`,
            steps: strategy.steps.flatMap((s) => [
              { setWeight: s.weight },
              ...(s.pause !== undefined ? [pauseStep(s.pause)] : []),
              { analysis: { templates, args: analysisArgs(input, c, "spec.strategy.canary.canaryService") } },
            ]),
          },
        }
      : {
          blueGreen: {
            activeService: c.workload.service ?? name,
            previewService: `${name}-preview`,
            autoPromotionEnabled: strategy.autoPromote,
            prePromotionAnalysis: { templates, args: analysisArgs(input, c, "spec.strategy.blueGreen.previewService") },
          },
        };
  return yamlDocument({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name, labels: labels(input.application) },
    spec: {
      replicas: c.workload.replicas,
      // No selector: the controller takes the Deployment's, so the two cannot disagree.
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name, scaleDown: "progressively" },
      strategy: spec,
    },
  });
}

/** The environment's manifest: the AnalysisTemplate, then per component its Rollout and analysis Service. */
export function rolloutsManifest(input: RolloutsInput): string {
  const suffix = input.strategy.kind === "canary" ? "canary" : "preview";
  const docs = [analysisTemplate(input.application, input.environment, input.strategy), ...input.components.flatMap((c) => [rollout(input, c), analysisService(input.application, c, suffix)])];
  docs[0].commentBefore = [
    ` ${input.strategy.kind} rollouts of ${input.environment}, written by every promotion from pipeline.yaml (environments.${input.environment}.strategy); edits are overwritten.`,
    " Needs the Argo Rollouts controller (CRDs argoproj.io/v1alpha1 Rollout, AnalysisTemplate) in the cluster.",
  ].join("\n");
  return docs.map((d) => d.toString({ lineWidth: 0 })).join("---\n");
}

/** The kustomize configuration: name references of the Rollout to the Deployment, the Services and the template, so namePrefix, nameSuffix and the like rename both ends. */
function rolloutsKustomizeConfig(): string {
  const rollout = (...paths: string[]) => paths.map((path) => ({ path, kind: "Rollout" }));
  const doc = yamlDocument({
    nameReference: [
      { kind: "Deployment", group: "apps", version: "v1", fieldSpecs: rollout("spec/workloadRef/name") },
      {
        kind: "Service",
        version: "v1",
        fieldSpecs: rollout("spec/strategy/blueGreen/activeService", "spec/strategy/blueGreen/previewService", "spec/strategy/canary/canaryService"),
      },
      {
        kind: "AnalysisTemplate",
        group: "argoproj.io",
        fieldSpecs: rollout("spec/strategy/blueGreen/prePromotionAnalysis/templates/templateName", "spec/strategy/canary/steps/analysis/templates/templateName"),
      },
    ],
  });
  doc.commentBefore = " Written by promotion (environments.<name>.strategy): kustomize name references of the Argo Rollouts objects in rollouts.yaml.";
  return doc.toString();
}

/**
 * A Helm template that renders to exactly this text: Argo's own {{args.x}} placeholders would be
 * read by Helm's template engine, so each {{ and }} is written as a Helm string literal.
 */
export function asHelmTemplate(text: string): string {
  return text.replace(/\{\{|\}\}/g, (m) => (m === "{{" ? '{{ "{{" }}' : '{{ "}}" }}'));
}

/** The components of an environment to roll out: every non-database component it runs, with the version it runs after this promotion. */
export function rolloutsInput(config: PipelineConfig, environment: string, state: EnvironmentState): RolloutsInput {
  const env = config.environments[environment];
  const strategy = env ? progressiveStrategy(env.strategy) : undefined;
  if (!strategy) throw new InputError(`environments.${environment}.strategy: is rolling; there are no Rollouts to render`);
  const components = Object.entries(config.components)
    .filter(([name, c]) => c.kind !== "database" && state.components[name] !== undefined)
    .map(([name, c]) => ({
      name,
      version: state.components[name].version,
      port: c.image.port,
      versionPath: strategy.analysis.versionPath ?? c.image.health,
      workload: workloadOf(strategy.workloads[name]),
    }));
  return { application: config.name, environment, strategy, components };
}

/** The files promotion writes for a canary or blue-green environment, by path in the GitOps repository; `folderIsChart`: a helm environment's folder holds Chart.yaml. */
export function rolloutFiles(config: PipelineConfig, environment: string, state: EnvironmentState, folderIsChart: boolean): Record<string, string> {
  const env = config.environments[environment];
  const manifest = rolloutsManifest(rolloutsInput(config, environment, state));
  const dir = env.path.replace(/\/+$/, "");
  if (env.format === "helm") return folderIsChart ? { [`${dir}/templates/${ROLLOUTS_MANIFEST}`]: asHelmTemplate(manifest) } : { [`${dir}/${ROLLOUTS_MANIFEST}`]: manifest };
  if (env.format === "kustomize") {
    // Beside the kustomization (env.file, default kustomization.yaml), whose resources list them.
    const beside = posix.dirname(`${dir}/${env.file ?? "kustomization.yaml"}`);
    return { [`${beside}/${ROLLOUTS_MANIFEST}`]: manifest, [`${beside}/${ROLLOUTS_KUSTOMIZE_CONFIG}`]: rolloutsKustomizeConfig() };
  }
  if (env.format === "manifests") return { [`${dir}/${ROLLOUTS_MANIFEST}`]: manifest };
  throw new InputError(`environments.${environment}.strategy: canary and blue-green need a Kubernetes format (kustomize, helm or manifests), not ${env.format}`);
}

/** A kustomization that lists the rollouts manifest among its resources and their name references among its configurations (each added once, comments kept). */
export function withRolloutResources(kustomization: string, file: string): string {
  return withResource(withResource(kustomization, file, ROLLOUTS_MANIFEST), file, ROLLOUTS_KUSTOMIZE_CONFIG, "configurations");
}
