/**
 * What `lint`, `test` and `ci` return. They never throw for a failing check, so the reports can
 * always be exported (`… reports export --path reports`); `verify` is what fails a CI job.
 */
import { dag, type Directory, func, object } from "@dagger.io/dagger";
import type { CheckOutcome } from "./report/outcome.js";
import { renderCheckSummary, stagePassed } from "./report/summary.js";

/** The outcome of a check stage: every component's checks, their JUnit reports and a summary. */
@object()
export class CheckRun {
  /** Markdown summary naming each failing component, check and test. */
  @func()
  summary: string;
  /** Whether every check that ran passed. */
  @func()
  passed: boolean;
  /** JUnit XML of every check (junit/<component>-<check>.xml), summary.md and result.json (the verdict, for CI wrappers). */
  @func()
  reports: Directory;

  constructor(summary: string, passed: boolean, reports: Directory) {
    this.summary = summary;
    this.passed = passed;
    this.reports = reports;
  }

  /** Fail with the summary when a check failed: the step that makes a CI job red. */
  @func()
  async verify(): Promise<string> {
    if (!this.passed) throw new Error(this.summary);
    return this.summary;
  }
}

/** The E2E part of a run: its step outcomes and its Playwright reports. */
export interface E2ePart {
  outcomes: CheckOutcome[];
  reports: Directory;
}

/** Turn check outcomes (and the E2E stage's, when it ran) into a CheckRun with its reports directory. */
export function checkRun(outcomes: CheckOutcome[], extraSummary = "", e2e?: E2ePart): CheckRun {
  const sections = [...(outcomes.length > 0 ? [renderCheckSummary(outcomes)] : []), ...(e2e ? [renderCheckSummary(e2e.outcomes, "E2E")] : [])];
  const summary = `${sections.join("\n")}${extraSummary}`;
  const all = [...outcomes, ...(e2e?.outcomes ?? [])];
  const passed = stagePassed(all);
  let reports = dag.directory().withNewFile("summary.md", summary).withNewFile("result.json", `${JSON.stringify(runResult(passed, outcomes, e2e?.outcomes ?? []), null, 2)}\n`);
  for (const o of all) reports = reports.withNewFile(`junit/${o.component}-${o.check.replace(/\s+/g, "-")}.xml`, o.junit);
  if (e2e) reports = reports.withDirectory("e2e", e2e.reports);
  return new CheckRun(summary, passed, reports);
}

/** reports/result.json: the verdict a CI wrapper reads (ci/report.sh), and what failed, by stage. */
export interface RunResult {
  passed: boolean;
  failed: { stage: "checks" | "e2e"; component: string; check: string; tests: string[] }[];
}

/** The machine-readable verdict of a run: passed, and each failed check with its stage and failing tests. */
export function runResult(passed: boolean, checks: CheckOutcome[], e2e: CheckOutcome[]): RunResult {
  const failed = (stage: "checks" | "e2e", outcomes: CheckOutcome[]) =>
    outcomes.filter((o) => o.status === "failed").map((o) => ({ stage, component: o.component, check: o.check, tests: o.failedTests }));
  return { passed, failed: [...failed("checks", checks), ...failed("e2e", e2e)] };
}
