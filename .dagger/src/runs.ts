/**
 * What `lint`, `test` and `ci` return. They never throw for a failing check, so the reports can
 * always be exported (`… reports export --path reports`); `verify` is what fails a CI job.
 */
import { dag, type Directory, func, object } from "@dagger.io/dagger";
import type { CheckOutcome } from "./report/outcome.js";
import { hasOutcomes, renderOverview, renderReportLinks, type RunFacts, runPassed, type StageName, type StageVerdict, stageVerdicts } from "./report/run.js";
import { renderCheckSummary } from "./report/summary.js";

/** The outcome of a check stage: every component's checks, their JUnit reports and a summary. */
@object()
export class CheckRun {
  /** Markdown summary naming each failing component, check and test. */
  @func()
  summary: string;
  /** Whether every check that ran passed. */
  @func()
  passed: boolean;
  /** summary.md and result.json (the verdict, for CI wrappers) at the top; JUnit XML of every check (junit/<component>-<check>.xml); E2E reports under e2e/. */
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

/** Turn check outcomes (and the E2E stage's, when it ran) into a CheckRun with its reports directory: what lint, test and e2e return. */
export function checkRun(outcomes: CheckOutcome[], extraSummary = "", e2e?: E2ePart): CheckRun {
  const only = [...(outcomes.length > 0 ? (["checks"] as const) : []), ...(e2e ? (["e2e"] as const) : [])];
  return runOf(
    { run: "checks", only, ...(outcomes.length > 0 ? { checks: outcomes } : {}), ...(e2e ? { e2e: e2e.outcomes } : {}) },
    { overview: false, sections: extraSummary, ...(e2e ? { e2eReports: e2e.reports } : {}) },
  );
}

/** The Aspire integration's outcome as a CheckRun (what `integration` returns): its own stage title, and its reports under integration/. */
export function integrationRun(outcome: CheckOutcome, reports: Directory, evidence?: string): CheckRun {
  return runOf({ run: "integration", only: ["integration"], integration: [outcome] }, { overview: false, integrationReports: reports, ...(evidence ? { files: { "evidence.json": evidence } } : {}) });
}

/** What a run adds to its reports besides the outcomes. */
export interface RunExtras {
  /** Start the summary with the overview (verdict, link, stage table, components); ci's summary does. */
  overview?: boolean;
  /** Markdown after the stage reports: the release record, promotions with their gate verdicts, a preview. */
  sections?: string;
  e2eReports?: Directory;
  /** The Aspire integration's reports (integration/ in the reports directory). */
  integrationReports?: Directory;
  /** This run's Trivy JSON reports by component (scan/<component>.json). */
  scans?: Record<string, string>;
  /** More files for the reports directory by path, e.g. compose.yaml of a published release. */
  files?: Record<string, string>;
  /** Markdown on where the notifications went (or why one was not sent), before the report links. */
  notes?: string;
}

/** A run from its facts: summary.md (overview, each stage's report, links) and result.json at the top of its reports. */
export function runOf(facts: RunFacts, extras: RunExtras = {}): CheckRun {
  const outcomes = [...(facts.checks ?? []), ...(facts.build ?? []), ...(facts.e2e ?? []), ...(facts.integration ?? [])];
  const junit = (o: CheckOutcome) => `junit/${o.component}-${o.check.replace(/\s+/g, "-")}.xml`;
  const reportFiles = [
    ...outcomes.map(junit),
    ...(extras.e2eReports ? E2E_REPORT_FILES : []),
    ...(extras.integrationReports ? ["integration/"] : []),
    ...Object.keys(extras.scans ?? {}).map((c) => `scan/${c}.json`),
    ...Object.keys(extras.files ?? {}),
  ];
  const withFiles = { ...facts, reportFiles };
  const stages = stageVerdicts(withFiles);
  const passed = runPassed(stages);
  const sections = [
    ...(extras.overview ? [renderOverview(withFiles, stages)] : []),
    ...(facts.checks && facts.checks.length > 0 ? [renderCheckSummary(facts.checks)] : []),
    ...(facts.build ? [renderCheckSummary(facts.build, "Build")] : []),
    ...(facts.e2e ? [renderCheckSummary(facts.e2e, "E2E")] : []),
    ...(facts.integration ? [renderCheckSummary(facts.integration, "Integration (Aspire)")] : []),
  ];
  const summary = `${sections.join("\n")}${extras.sections ?? ""}${extras.notes ?? ""}${renderReportLinks(withFiles)}`;
  let reports = dag
    .directory()
    .withNewFile("summary.md", summary)
    .withNewFile("result.json", `${JSON.stringify(runResult(facts, stages), null, 2)}\n`);
  for (const o of outcomes) if (o.junit) reports = reports.withNewFile(junit(o), o.junit);
  if (extras.e2eReports) reports = reports.withDirectory("e2e", extras.e2eReports);
  if (extras.integrationReports) reports = reports.withDirectory("integration", extras.integrationReports);
  for (const [component, report] of Object.entries(extras.scans ?? {})) reports = reports.withNewFile(`scan/${component}.json`, report);
  for (const [path, contents] of Object.entries(extras.files ?? {})) reports = reports.withNewFile(path, contents);
  return new CheckRun(summary, passed, reports);
}

/** Where the E2E stage's reports land in the reports directory (see stages/e2e.ts). */
const E2E_REPORT_FILES = ["e2e/playwright-report/index.html", "e2e/junit.xml", "e2e/test-results/", "e2e/services/"];

/**
 * reports/result.json: the verdict a CI wrapper reads (ci/report.sh reads the first key, so
 * "passed" stays first, and no nested key is named "passed" for tools that search the file), what
 * failed by stage, and every stage's verdict.
 */
export interface RunResult {
  passed: boolean;
  /** Each failure: a failed check, image build, E2E step or integration by component; a failed stage without components (publish, record, promote) has component "". */
  failed: { stage: StageName; component: string; check: string; tests: string[] }[];
  stages: StageVerdict[];
  revision?: string;
  branch?: string;
  runUrl?: string;
  /** Each component's version and, once published, its image by digest. */
  components?: Record<string, { version?: string; image?: string }>;
}

/** The machine-readable verdict of a run: passed, each failure with its stage, component, check and failing tests, every stage. */
export function runResult(facts: RunFacts, stages: StageVerdict[]): RunResult {
  const failed = (stage: StageName, outcomes: CheckOutcome[] = []) =>
    outcomes.filter((o) => o.status === "failed").map((o) => ({ stage, component: o.component, check: o.check, tests: o.failedTests }));
  const withoutOutcomes = stages.filter((s) => s.status === "failed" && !hasOutcomes(s.stage)).map((s) => ({ stage: s.stage, component: "", check: s.stage, tests: [] }));
  const names = Object.keys({ ...facts.versions, ...facts.images });
  return {
    passed: runPassed(stages),
    failed: [...failed("checks", facts.checks), ...failed("build", facts.build), ...failed("e2e", facts.e2e), ...failed("integration", facts.integration), ...withoutOutcomes],
    stages,
    ...(facts.revision ? { revision: facts.revision } : {}),
    ...(facts.branch ? { branch: facts.branch } : {}),
    ...(facts.runUrl ? { runUrl: facts.runUrl } : {}),
    ...(names.length > 0
      ? { components: Object.fromEntries(names.map((n) => [n, { ...(facts.versions?.[n] ? { version: facts.versions[n] } : {}), ...(facts.images?.[n] ? { image: facts.images[n].ref } : {}) }])) }
      : {}),
  };
}
