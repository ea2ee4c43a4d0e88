/**
 * The rules of environments.<name>.strategy that look beyond it (the environment's format, the
 * components): run on the raw document like ./references.ts, so they report beside other mistakes.
 */
import type { Problem } from "./problems.js";

type Raw = Record<string, unknown>;

const isMap = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every strategy problem of a raw (parsed but unvalidated) pipeline.yaml. */
export function strategyProblems(doc: Raw): Problem[] {
  const problems: Problem[] = [];
  const components = isMap(doc.components) ? doc.components : {};
  const names = Object.keys(components);
  const deployable = names.filter((n) => !(isMap(components[n]) && components[n].kind === "database"));
  for (const [name, env] of Object.entries(isMap(doc.environments) ? doc.environments : {})) {
    if (!isMap(env) || env.strategy === undefined) continue;
    const at = `environments.${name}.strategy`;
    const kind = isMap(env.strategy) ? env.strategy.kind : env.strategy;
    if (env.format === "compose" && kind !== "rolling")
      problems.push({
        path: at,
        message: "is a Kubernetes rollout strategy (Argo Rollouts): it needs format kustomize, helm or manifests; a compose environment is updated in place (leave strategy out or use rolling)",
        value: kind,
      });
    const workloads = isMap(env.strategy) && isMap(env.strategy.workloads) ? env.strategy.workloads : {};
    for (const component of Object.keys(workloads)) {
      const path = `${at}.workloads.${component}`;
      if (!names.includes(component)) problems.push({ path, message: `names no component; components that run as a Deployment: ${deployable.join(", ") || "(none)"}`, value: component });
      else if (!deployable.includes(component))
        problems.push({
          path,
          message: `${component} is a database component: its migrations run as a job, not a Deployment a Rollout could take over; components that run as a Deployment: ${deployable.join(", ") || "(none)"}`,
          value: component,
        });
    }
  }
  return problems;
}
