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
  /** JUnit XML of every check (junit/<component>-<check>.xml) and summary.md. */
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

/** Turn check outcomes into a CheckRun with its reports directory. */
export function checkRun(outcomes: CheckOutcome[], extraSummary = ""): CheckRun {
  const summary = `${renderCheckSummary(outcomes)}${extraSummary}`;
  let reports = dag.directory().withNewFile("summary.md", summary);
  for (const o of outcomes) reports = reports.withNewFile(`junit/${o.component}-${o.check}.xml`, o.junit);
  return new CheckRun(summary, stagePassed(outcomes), reports);
}
