/**
 * How a Kubernetes environment rolls a release out (environments.<name>.strategy): `rolling`, the
 * Deployment's own rolling update, or Argo Rollouts' canary or blue-green, which promotion renders
 * as Rollout objects beside the Deployment (release/rollouts.ts). Rules that look at other keys
 * (format, components) live in ./strategy-references.ts.
 */
import { z } from "../vendor/zod.js";
import { dottedPath } from "./problems.js";

/**
 * A pause as Argo Rollouts reads it: whole seconds, or a Go duration in h, m and s (e.g. 90s, 5m,
 * 1h30m). Argo truncates a pause to whole seconds, so ms/us/ns units are refused rather than
 * silently becoming an endless pause; `manual` waits for `kubectl argo rollouts promote`.
 */
const PAUSE_PATTERN = /^(?=\d)(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;
const PAUSE_RULE = "must be a duration such as 30s, 5m or 1h30m (units h, m, s, in that order), a whole number of seconds, or manual";

/** A pause after a canary step: checked in one refinement, so every bad pause gets the same rule. */
const pause = z.union([z.number(), z.string()], { error: PAUSE_RULE }).superRefine((p, ctx) => {
  const ok = typeof p === "number" ? Number.isInteger(p) && p >= 1 : p === "manual" || (PAUSE_PATTERN.test(p) && /[1-9]/.test(p));
  if (!ok) ctx.addIssue({ code: "custom", message: PAUSE_RULE, input: p });
});

/** One canary step: the share of the pods that run the new version, then a pause. */
export const CanaryStep = z
  .strictObject({
    weight: z
      .number({ error: "must be a whole percentage from 1 to 100" })
      // A refinement, not .int(): zod's int check aborts, which would hide the field behind the union's message.
      .refine(Number.isInteger, { error: "must be a whole percentage from 1 to 100" })
      .min(1, { error: "must be a whole percentage from 1 to 100" })
      .max(100, { error: "must be a whole percentage from 1 to 100" })
      .describe("Percentage of the pods that run the new version at this step (1-100; without traffic routing Argo Rollouts splits by pod count)."),
    pause: pause.optional().describe("How long to wait at this weight before the analysis: 30s, 5m, 1h30m, whole seconds, or manual (wait for `kubectl argo rollouts promote`)."),
  })
  .describe("One canary step.");

/** The default canary: a fifth, then half, then all of the pods, each checked by the analysis. */
export const DEFAULT_CANARY_STEPS = [{ weight: 20, pause: "1m" }, { weight: 50, pause: "2m" }, { weight: 100 }];

/** A DNS label (RFC 1123) short enough that <name>-preview and <name>-canary are still labels. */
const workloadName = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,53}[a-z0-9])?$/, {
  error: "must be a Kubernetes name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 55 characters (so <name>-preview fits 63)",
});

/** A label key or value as Kubernetes allows them (prefix/name: value). */
const labelKey = z
  .string()
  .regex(/^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/, { error: "must be a Kubernetes label key such as app or app.kubernetes.io/name" });
const labelValue = z.string().regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/, { error: "must be a Kubernetes label value (letters, digits, '-', '_', '.', at most 63)" });

/** Which Deployment (and Service) a component runs as in the environment. */
export const Workload = z
  .strictObject({
    deployment: workloadName.optional().describe("Name of the component's Deployment (default: the component's name); the Rollout gets the same name."),
    service: workloadName.optional().describe("The component's existing Service, which blue-green switches between versions (default: the Deployment's name)."),
    selector: z.record(labelKey, labelValue).optional().describe("Labels of the component's pods, which the rendered preview/canary Service selects (default: app: <deployment>)."),
    replicas: z.number().int().min(1).max(1000).default(1).describe("Pods the Rollout runs (the Deployment is scaled down as they come up)."),
  })
  .describe("The component's Deployment, Service, pod labels and replica count.");

/**
 * A workload as written: the Deployment's name alone, or the object form. No transform to one form
 * here: zod leaves every default above a transform out of the editor JSON Schema (workloadOf
 * normalises instead).
 */
const workload = z.union([workloadName, Workload], { error: "must be the Deployment's name, or { deployment, service, selector, replicas }" });

/** The checks an AnalysisTemplate makes of each new version before it gets more traffic. */
export const Analysis = z
  .strictObject({
    versionPath: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/?=&-]*$/, { error: "must be an absolute URL path such as /health" })
      .optional()
      .describe("Path of the endpoint that reports the component's version as JSON (default: the component's image.health)."),
    versionField: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$/, { error: "must be a dotted JSON field path such as version or build.version" })
      .default("version")
      .describe("JSON field of that answer holding the version; it must equal the release's version of the component."),
    prometheus: z
      .string()
      .regex(/^https?:\/\/[^\s/?#@]+[^\s@]*$/, { error: "must be an http:// or https:// URL without credentials, e.g. http://prometheus.monitoring:9090" })
      .optional()
      .describe("Prometheus server (as the Argo Rollouts controller reaches it) for the error-rate check; without it only the version is checked."),
    errorRate: z
      .number()
      .min(0, { error: "must be a fraction from 0 to 1, e.g. 0.01 for 1 %" })
      .max(1, { error: "must be a fraction from 0 to 1, e.g. 0.01 for 1 %" })
      .default(0.01)
      .describe("Highest share of failed requests (5xx) of the new pods that passes (with prometheus)."),
    errorRateQuery: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PromQL giving the new pods\' error rate as one number (with prometheus). Placeholders: {{args.namespace}}, {{args.rollout}}, {{args.pod-hash}}; default: the 5xx share of http_requests_total{code=~"5.."} over 2m of the pods <rollout>-<pod-hash>-*.',
      ),
  })
  .prefault({})
  .describe("Analysis of each new version: its version endpoint (web provider), and its error rate when prometheus is set.");

/** Per component, its workload (default: a Deployment named like the component). */
const workloads = z.record(z.string(), workload).default({}).describe("Per component, its Deployment's name or { deployment, service, selector, replicas }; default: the component's name.");

/** Canary: shift a growing share of pods to the new version, step by step. */
export const CanaryStrategy = z
  .strictObject({
    kind: z.literal("canary"),
    steps: z
      .array(CanaryStep)
      .min(1, { error: "must hold at least one step, e.g. [{ weight: 20, pause: 1m }, { weight: 100 }]" })
      .superRefine((steps, ctx) => {
        for (let i = 1; i < steps.length; i++)
          if (steps[i].weight <= steps[i - 1].weight)
            ctx.addIssue({ code: "custom", path: [i, "weight"], message: `must be above the previous step's weight ${steps[i - 1].weight}: weights increase step by step`, input: steps[i].weight });
      })
      .default(DEFAULT_CANARY_STEPS)
      .describe("Weights (increasing, 1-100) and pauses; the analysis runs after each step's pause. Default: 20 % for 1m, 50 % for 2m, 100 %."),
    analysis: Analysis,
    workloads,
  })
  .describe("Argo Rollouts canary.");

/** Blue-green: run the new version beside the old behind a preview Service, then switch. */
export const BlueGreenStrategy = z
  .strictObject({
    kind: z.literal("blue-green"),
    autoPromote: z.boolean().default(true).describe("Switch the active Service once the analysis passed (false: wait for `kubectl argo rollouts promote`)."),
    analysis: Analysis,
    workloads,
  })
  .describe("Argo Rollouts blue-green.");

const KINDS = ["rolling", "canary", "blue-green"] as const;
const STRATEGY_RULE = "must be rolling, canary, blue-green, or a mapping { kind: canary | blue-green, … }";
const BRANCHES = { rolling: z.strictObject({ kind: z.literal("rolling") }), canary: CanaryStrategy, "blue-green": BlueGreenStrategy };

/**
 * The union's one message. Zod names no branch when an object's kind is right but a field has the
 * wrong type (every branch "aborted"): then the branch of that kind says what is wrong, field by field.
 */
function strategyError(issue: { input?: unknown }): string {
  const input = issue.input;
  const kind = typeof input === "object" && input !== null ? (input as { kind?: unknown }).kind : undefined;
  if (typeof input !== "object" || input === null) return STRATEGY_RULE;
  if (typeof kind !== "string" || !Object.hasOwn(BRANCHES, kind)) return `kind: must be rolling, canary or blue-green`;
  const parsed = BRANCHES[kind as keyof typeof BRANCHES].safeParse(input);
  return parsed.success ? STRATEGY_RULE : parsed.error.issues.map((i) => `${dottedPath(i.path)}: ${i.message}`).join("; ");
}

/** environments.<name>.strategy as written: a kind alone, or the object form (progressiveStrategy normalises, for the reason workload gives). */
export const Strategy = z
  .union([z.enum(KINDS), z.discriminatedUnion("kind", [BRANCHES.rolling, CanaryStrategy, BlueGreenStrategy])], { error: strategyError })
  .default("rolling")
  .describe(
    "How Kubernetes rolls a release out: rolling (the Deployment's own update, the default), canary or blue-green (Argo Rollouts objects that reference the Deployment, written by promotion). Object form: { kind: canary, steps: [{ weight: 20, pause: 2m }, …], analysis: { versionPath, versionField, prometheus, errorRate, errorRateQuery }, workloads: { <component>: <Deployment name> } } or { kind: blue-green, autoPromote: true, analysis, workloads }.",
  );

/** A validated strategy, as written (a kind alone or the object form). */
export type Strategy = z.output<typeof Strategy>;
/** A canary or blue-green strategy in its object form, defaults applied. */
export type ProgressiveStrategy = z.output<typeof CanaryStrategy> | z.output<typeof BlueGreenStrategy>;
/** A workload in its object form. */
export type Workload = z.output<typeof Workload>;

/** The canary or blue-green strategy of an environment in its object form; undefined for rolling. */
export function progressiveStrategy(strategy: Strategy): ProgressiveStrategy | undefined {
  if (strategy === "canary") return CanaryStrategy.parse({ kind: strategy });
  if (strategy === "blue-green") return BlueGreenStrategy.parse({ kind: strategy });
  return strategy === "rolling" || strategy.kind === "rolling" ? undefined : strategy;
}

/** A workload in its object form: a name alone is the Deployment's. */
export function workloadOf(written: z.output<typeof workload> | undefined): Workload {
  return typeof written === "string" ? Workload.parse({ deployment: written }) : (written ?? Workload.parse({}));
}
