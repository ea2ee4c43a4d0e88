/**
 * The Argo Rollouts AnalysisTemplate of an environment (strategy canary or blue-green): one
 * template for every component and release, the release-specific values coming as arguments from
 * each Rollout, which promotion rewrites with the version being rolled out.
 *
 * Metrics: `version` asks the new pods (through the canary or preview Service) for their version
 * endpoint with the web provider and passes when the JSON field equals the release's version, three
 * times 10 s apart; `error-rate`, with analysis.prometheus, passes when the new pods' share of 5xx
 * answers is at most analysis.errorRate (no traffic yet, so no series or NaN, passes: blue-green's
 * preview is only reached by the checks).
 */
import { Document } from "../vendor/yaml.js";
import type { ProgressiveStrategy } from "../config/strategy.js";

/** A YAML document of plain data; a value used twice is written twice, not as an anchor and alias (a reader of a Rollout should not need to resolve *a1). */
export const yamlDocument = (value: unknown): Document => new Document(value, { aliasDuplicateObjects: false });

/** Name of an environment's AnalysisTemplate: two environments in one namespace keep one each. */
export const analysisTemplateName = (application: string, environment: string) => `${application}-${environment}-release-analysis`;

/** Arguments every Rollout passes: the version, and where the version endpoint of the new pods answers. */
export const VERSION_ARGS = ["version", "service", "namespace", "port", "path"] as const;
/** Arguments the error-rate query also reads: the new pods are <rollout>-<pod-hash>-*. */
export const ERROR_RATE_ARGS = ["rollout", "pod-hash"] as const;

/** The default error-rate query: 5xx share of http_requests_total (Prometheus client libraries' name, `code` label) of the new pods over 2 minutes. */
export const DEFAULT_ERROR_RATE_QUERY = (() => {
  const pods = 'namespace="{{args.namespace}}",pod=~"{{args.rollout}}-{{args.pod-hash}}-.*"';
  return `sum(rate(http_requests_total{${pods},code=~"5.."}[2m])) / sum(rate(http_requests_total{${pods}}[2m]))`;
})();

/** The AnalysisTemplate document of an environment. */
export function analysisTemplate(application: string, environment: string, strategy: ProgressiveStrategy): Document {
  const { analysis } = strategy;
  const args = [...VERSION_ARGS, ...(analysis.prometheus ? ERROR_RATE_ARGS : [])].map((name) => ({ name }));
  const metrics: Record<string, unknown>[] = [
    {
      name: "version",
      // A pod that answers with another version is a wrong rollout, not a flake: no failure tolerated.
      count: 3,
      interval: "10s",
      failureLimit: 0,
      successCondition: "result == '{{args.version}}'",
      provider: {
        web: {
          url: "http://{{args.service}}.{{args.namespace}}.svc:{{args.port}}{{args.path}}",
          timeoutSeconds: 10,
          jsonPath: `{$.${analysis.versionField}}`,
        },
      },
    },
  ];
  if (analysis.prometheus)
    metrics.push({
      name: "error-rate",
      failureLimit: 0,
      // An empty vector or NaN means no requests reached the new pods yet: nothing failed.
      successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] <= ${analysis.errorRate}`,
      provider: { prometheus: { address: analysis.prometheus, query: analysis.errorRateQuery ?? DEFAULT_ERROR_RATE_QUERY } },
    });
  return yamlDocument({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: analysisTemplateName(application, environment), labels: { "app.kubernetes.io/part-of": application, "app.kubernetes.io/managed-by": "pipeline-as-code" } },
    spec: { args, metrics },
  });
}
