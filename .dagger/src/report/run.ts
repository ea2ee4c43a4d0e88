/**
 * The overview of a run, at the top of summary.md and in result.json: the stages in the order they
 * run with their verdict (or why they did not start), the components with their versions and
 * images, and where to look next (the CI run, the report files).
 */
import { STAGE_NAMES, type StageName } from "../plan/plan.js";
import type { CheckOutcome } from "./outcome.js";
import { stagePassed } from "./summary.js";

/** The stages of a run, in the order they run: the plan's (lint/test run only checks, e2e only E2E). */
export const STAGES = STAGE_NAMES;
export type { StageName };
const TITLES: Record<StageName, string> = {
  checks: "checks",
  build: "build",
  e2e: "E2E",
  scan: "scan",
  integration: "integration (Aspire)",
  publish: "publish",
  record: "release record",
  release: "release page",
  promote: "promote",
  deploy: "deploy",
  verify: "verify",
  preview: "preview",
  "preview-removal": "preview removal",
};
/** Stages whose verdict comes from outcomes per component and check; the others have one verdict each. */
const OUTCOME_STAGES: readonly StageName[] = ["checks", "build", "e2e", "integration"];

/** A stage's verdict; "not-started" always says why, since a stage that did not run is never a pass. */
export interface StageVerdict {
  stage: StageName;
  status: "passed" | "failed" | "not-started";
  note: string;
}

/** Everything a run's overview is made of. Stages come from their outcomes, else from `stages`, else from `stop`. */
export interface RunFacts {
  /** The function that ran: ci, lint, test, e2e, integration. */
  run: string;
  pipeline?: string;
  revision?: string;
  branch?: string;
  /** The CI run's page; not a secret, so it may be linked. */
  runUrl?: string;
  checks?: CheckOutcome[];
  build?: CheckOutcome[];
  e2e?: CheckOutcome[];
  /** The Aspire integration's outcome. */
  integration?: CheckOutcome[];
  /** Verdicts of stages without outcomes (publish, GitOps delivery) or that ended early on purpose. */
  stages?: Partial<Record<StageName, Omit<StageVerdict, "stage">>>;
  /** Why the stages after the last one with a verdict did not start, as "because …". */
  stop?: string;
  /** Which stages this kind of run has (the plan's); default: the stages with a verdict. */
  only?: StageName[];
  versions?: Record<string, string>;
  /** Published images by component: registry/name:tag@sha256:…, and whether an earlier identical image was reused. */
  images?: Record<string, { ref: string; reused: boolean }>;
  /** Paths in the reports directory worth a link, besides summary.md and result.json. */
  reportFiles?: string[];
}

/** A stage's verdict from its outcomes: failed naming each failing component and check. */
function fromOutcomes(outcomes: CheckOutcome[], passed: (n: number) => string): Omit<StageVerdict, "stage"> {
  if (stagePassed(outcomes)) {
    const notRun = outcomes.filter((o) => o.status === "not-run").length;
    return { status: "passed", note: `${passed(outcomes.length - notRun)}${notRun > 0 ? `, ${notRun} not run` : ""}` };
  }
  return {
    status: "failed",
    note: `failed: ${outcomes
      .filter((o) => o.status === "failed")
      .map((o) => `${o.component} ${o.check}`)
      .join(", ")}`,
  };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** Every stage of the run in order, each with its verdict. */
export function stageVerdicts(f: RunFacts): StageVerdict[] {
  const known: Partial<Record<StageName, Omit<StageVerdict, "stage">>> = {
    ...(f.checks ? { checks: fromOutcomes(f.checks, (n) => `${plural(n, "check")} passed`) } : {}),
    ...(f.build ? { build: fromOutcomes(f.build, (n) => `${plural(n, "image")} built`) } : {}),
    ...(f.e2e ? { e2e: fromOutcomes(f.e2e, (n) => `${plural(n, "step")} passed`) } : {}),
    ...(f.integration ? { integration: fromOutcomes(f.integration, (n) => `${plural(n, "run")} passed`) } : {}),
    ...f.stages,
  };
  // A run names its stages (the plan's); without that, the stages it has verdicts for.
  const stages = f.only ?? STAGES.filter((s) => known[s]);
  return stages.map((stage) => ({ stage, ...(known[stage] ?? { status: "not-started" as const, note: `not started, ${f.stop ?? "because an earlier stage did not finish"}` }) }));
}

/** Whether a run passed: no stage failed (a stage that did not start is no failure: the plan or a missing token stopped it). */
export function runPassed(stages: StageVerdict[]): boolean {
  return stages.every((s) => s.status !== "failed");
}

/** The first lines of summary.md: verdict, revision and link, the stage table, components, report files. */
export function renderOverview(f: RunFacts, stages: StageVerdict[]): string {
  const passed = runPassed(stages);
  const firstFailure = [...(f.checks ?? []), ...(f.build ?? []), ...(f.e2e ?? []), ...(f.integration ?? [])].find((o) => o.status === "failed");
  const failedStage = stages.find((s) => s.status === "failed");
  const headline = passed
    ? "✅ passed"
    : `❌ failed${failedStage ? ` in ${TITLES[failedStage.stage]}` : ""}${firstFailure && failedStage && OUTCOME_STAGES.includes(failedStage.stage) ? `: ${firstFailure.component} ${firstFailure.check}` : ""}`;
  const where = [f.revision ? `revision \`${f.revision.slice(0, 12)}\`` : "", f.branch ? `branch \`${f.branch}\`` : "", f.runUrl ? `[CI run](${f.runUrl})` : ""].filter((s) => s !== "");
  const icon = { passed: "✅", failed: "❌", "not-started": "⏹️" } as const;
  const lines = [
    `# ${f.pipeline ? `${f.pipeline} ` : ""}${f.run}: ${headline}`,
    ...(where.length > 0 ? ["", where.join(" · ")] : []),
    "",
    "| stage | verdict |",
    "|---|---|",
    ...stages.map((s) => `| ${TITLES[s.stage]} | ${icon[s.status]} ${s.note.replace(/\|/g, "\\|")} |`),
  ];
  const components = Object.keys({ ...f.versions, ...f.images });
  if (components.length > 0) {
    lines.push("", "| component | version | image |", "|---|---|---|");
    for (const c of components) {
      const image = f.images?.[c];
      lines.push(`| ${c} | ${f.versions?.[c] ?? ""} | ${image ? `\`${image.ref}\`${image.reused ? " (reused: inputs unchanged)" : ""}` : "not published"} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The closing section: the CI run, and where each report is, relative to the folder `reports export` wrote. */
export function renderReportLinks(f: RunFacts): string {
  const files = f.reportFiles ?? [];
  const junit = files.filter((p) => p.startsWith("junit/"));
  const lines = [
    "- `reports/summary.md`: this summary",
    "- `reports/result.json`: the verdict and what failed, for CI wrappers",
    ...(junit.length > 0 ? [`- \`reports/junit/\`: ${junit.length} JUnit XML reports, one per check, image and E2E step (\`<component>-<check>.xml\`)`] : []),
    ...files.filter((p) => !p.startsWith("junit/")).map((p) => `- \`reports/${p}\``),
  ];
  return `\n## Reports\n\n${f.runUrl ? `CI run: ${f.runUrl}\n\n` : ""}Exported with \`… reports export --path=reports\`:\n\n${lines.join("\n")}\n`;
}

/** Whether a stage's verdict comes from outcomes per component and check. */
export function hasOutcomes(stage: StageName): boolean {
  return OUTCOME_STAGES.includes(stage);
}
