/** The plan as a person reads it in a terminal or a CI log. */
import type { PipelineEvent } from "./event.js";
import type { Plan, Promotion, Stage } from "./plan.js";

/** Render a plan as plain text: the event, the stages in order with their parallel jobs, promotions and notes. */
export function renderPlan(plan: Plan): string {
  const lines = [describeEvent(plan.event), `Flow: ${plan.flow}`];
  if (plan.components.affected.length > 0 || plan.event.kind === "push" || plan.event.kind === "pull-request")
    lines.push(`Components: affected ${list(plan.components.affected)}; unchanged ${list(plan.components.unchanged)}`);
  if (plan.stages.length === 0) lines.push("Stages: none");
  plan.stages.forEach((stage, i) => lines.push(...renderStage(i + 1, stage)));
  if (plan.preview) lines.push(`Preview: namespace ${plan.preview.namespace}, GitOps folder ${plan.preview.path}`);
  if (plan.promotions.length > 0) lines.push("Promotions:", ...plan.promotions.map(renderPromotion));
  if (plan.notes.length > 0) lines.push("Notes:", ...plan.notes.map((n) => `  - ${n}`));
  if (plan.stages.length > 1) lines.push("The run stops at the first stage with a failed job and names the component and the check.");
  return `${lines.join("\n")}\n`;
}

function describeEvent(e: PipelineEvent): string {
  switch (e.kind) {
    case "pull-request":
    case "push": {
      const files = e.changed === undefined ? "changed files unknown" : `${e.changed.length} changed file${e.changed.length === 1 ? "" : "s"}`;
      return `${e.kind === "push" ? "Push to" : "Pull request from"} ${e.branch} (${files})`;
    }
    case "tag":
      return `Release tag ${e.tag}`;
    case "promote":
      return `Manual promotion to ${e.environment}${e.emergency ? " (EMERGENCY)" : ""}`;
    case "rollback":
      return `Manual rollback of ${e.environment}`;
    case "deploy":
      return `Deployment of ${e.environment} from the GitOps repository`;
    case "delete":
      return `Branch ${e.branch} deleted`;
  }
}

function renderStage(n: number, stage: Stage): string[] {
  const bySubject = new Map<string, string[]>();
  for (const job of stage.jobs) {
    const subject = job.component ?? job.environment ?? "release";
    bySubject.set(subject, [...(bySubject.get(subject) ?? []), job.step]);
  }
  const width = Math.max(...[...bySubject.keys()].map((s) => s.length));
  const mode = stage.jobs.length > 1 ? ` (${stage.jobs.length} jobs in parallel)` : "";
  return [`${n}. ${stage.name}${mode}`, ...[...bySubject].map(([subject, steps]) => `     ${subject.padEnd(width)}  ${steps.join(", ")}`)];
}

function renderPromotion(p: Promotion): string {
  const how = p.writeBack === "pull-request" ? `pull request (${p.approvals} approval${p.approvals === 1 ? "" : "s"})` : "commit";
  return `  ${p.environment}${p.rollback ? " back to its previous release" : ""} by ${how}; gates: ${p.gates.join(", ")}${p.emergency ? "; EMERGENCY" : ""}`;
}

function list(names: string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}
