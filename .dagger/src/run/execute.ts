/**
 * The plan is the program: `ci` runs the stages of the plan of its event, in order, each stage's
 * jobs side by side, and stops at the first stage that failed or could not start, saying why.
 * Every job that runs is one of the plan's; the run's summary and result.json use the plan's
 * stage names. Stage work goes through the ports (run/ports.ts).
 */
import type { Plan, Stage, StageName } from "../plan/plan.js";
import { newReleaseRecord, type ReleaseRecord } from "../release/record.js";
import { checkReport } from "../report/junit.js";
import type { CheckOutcome } from "../report/outcome.js";
import type { RunFacts } from "../report/run.js";
import { stagePassed } from "../report/summary.js";
import type { PipelineConfig } from "../config/schema.js";
import type { Operated, PublishEvidence, RunPorts, Scan, StageImage } from "./ports.js";
import { reportDigest, scanCounts } from "../release/evidence.js";
import { digestOf } from "../registry/reference.js";

/** A job as it ran: the plan's job, with its stage. */
export interface ExecutedJob {
  stage: StageName;
  step: string;
  component?: string;
  environment?: string;
}

/** What the run is allowed to do beyond the plan's stages, and what it records. */
export interface RunSettings {
  revision: string;
  created: string;
  source: string;
  builtBy: string;
  /** The function that runs the plan (ci, release, promote, rollback), for the summary. */
  run?: string;
  /** Why publishing cannot start (no registry token), or "" when it can. */
  noPublish: string;
  /** Why the GitOps stages cannot start (no GitOps token), or "" when they can. */
  noDelivery: string;
  /** Migrations with Flyway's checksums per database component, for the release record. */
  migrations: () => Promise<Record<string, { script: string; version?: string; checksum: number }[]>>;
}

/** Everything a run found, for its reports. */
export interface Execution<I, D> {
  facts: RunFacts;
  executed: ExecutedJob[];
  images: Record<string, StageImage<I>>;
  /** This run's scans (Trivy JSON reports), by component. */
  scans: Record<string, Scan>;
  e2eReports?: D;
  integrationReports?: D;
  /** Markdown sections after the stage reports (the release record, each promotion). */
  sections: string[];
  record?: ReleaseRecord;
}

type Verdict = NonNullable<RunFacts["stages"]>[StageName];

/** Run the plan's stages with these ports. */
export async function executePlan<I, D>(config: PipelineConfig, plan: Plan, ports: RunPorts<I, D>, settings: RunSettings): Promise<Execution<I, D>> {
  const run: Execution<I, D> = {
    facts: { run: settings.run ?? "ci", pipeline: config.name, revision: settings.revision, only: plan.stages.map((s) => s.name), stages: {} },
    executed: [],
    images: {},
    scans: {},
    sections: [],
  };
  const ran = (stage: Stage) => run.executed.push(...stage.jobs.map((j) => ({ stage: stage.name, ...j })));
  const verdicts = run.facts.stages as NonNullable<RunFacts["stages"]>;
  for (const stage of plan.stages) {
    const blocked = whyNotStarted(stage.name, settings);
    if (blocked) {
      run.facts.stop = blocked;
      break;
    }
    ran(stage);
    const verdict = await ports.span(stage.name, () => RUNNERS[stage.name](stage, run, ports, config, settings));
    if (verdict) verdicts[stage.name] = verdict;
    if (!passed(run, stage.name)) {
      run.facts.stop = STOPPED_BY[stage.name];
      break;
    }
  }
  if (!run.facts.stop && plan.stages.length === 0) run.facts.stop = "because the plan has no stage for this event";
  return run;
}

/** Why the stages after a failed one did not start, as the summary says it. */
const STOPPED_BY: Record<StageName, string> = {
  checks: "because a check failed",
  build: "because an image did not build",
  e2e: "because E2E failed; nothing was pushed",
  scan: "because a scan failed; nothing was pushed",
  integration: "because the Aspire integration failed; nothing was pushed",
  publish: "because publishing failed",
  record: "because the release could not be recorded",
  release: "because the release page could not be written",
  promote: "because a promotion did not land",
  deploy: "because a deployment failed",
  verify: "because a verification failed",
  preview: "because the preview could not be written",
  "preview-removal": "because the preview could not be removed",
};

/** A stage that needs a credential the call was not given does not start. */
function whyNotStarted(stage: StageName, settings: RunSettings): string {
  if (stage === "publish" && settings.noPublish) return settings.noPublish;
  if ((stage === "record" || stage === "promote" || stage === "preview" || stage === "deploy" || stage === "verify") && settings.noDelivery) return settings.noDelivery;
  return "";
}

function passed<I, D>(run: Execution<I, D>, stage: StageName): boolean {
  const outcomes: Partial<Record<StageName, CheckOutcome[] | undefined>> = { checks: run.facts.checks, build: run.facts.build, e2e: run.facts.e2e, integration: run.facts.integration };
  const o = outcomes[stage];
  if (o) return stagePassed(o);
  return run.facts.stages?.[stage]?.status !== "failed";
}

type Runner = <I, D>(stage: Stage, run: Execution<I, D>, ports: RunPorts<I, D>, config: PipelineConfig, settings: RunSettings) => Promise<Verdict | undefined>;

const components = (stage: Stage) => stage.jobs.map((j) => j.component).filter((c): c is string => c !== undefined);

/** Each stage's runner, by the plan's stage name. */
const RUNNERS: Record<StageName, Runner> = {
  async checks(stage, run, ports) {
    run.facts.checks = await Promise.all(stage.jobs.map((j) => ports.check(j.component as string, j.step)));
    return undefined;
  },

  async build(stage, run, ports) {
    const names = components(stage);
    const [versions, built] = await Promise.all([
      ports.versions(names),
      Promise.all(
        stage.jobs.map(async (j) => {
          const c = j.component as string;
          // A component whose inputs are already published is not rebuilt: E2E, the scans and the promotion all get that digest.
          const found = await ports.findPublished(c);
          if (found) return { c, image: { image: ports.pull(found), reused: found }, outcome: reusedOutcome(c, found) };
          const b = await ports.build(c);
          return { c, image: { image: b.image }, outcome: b.outcome };
        }),
      ),
    ]);
    run.facts.versions = versions;
    run.facts.build = built.map((b) => b.outcome);
    for (const b of built) run.images[b.c] = b.image;
    return undefined;
  },

  async e2e(_stage, run, ports) {
    const e2e = await ports.e2e(imagesOf(run), run.facts.versions ?? {});
    run.facts.e2e = e2e.outcomes;
    run.e2eReports = e2e.reports;
    return undefined;
  },

  async scan(stage, run, ports) {
    const reports = await Promise.all(components(stage).map(async (c) => [c, { ...(await ports.scan(c, run.images[c].image)), scannedAt: new Date().toISOString() }] as const));
    run.scans = Object.fromEntries(reports);
    run.sections.push(renderScans(run.scans));
    return { status: "passed", note: `${reports.length} image(s) scanned; promotions judge these reports` };
  },

  async integration(_stage, run, ports) {
    const r = await ports.integration(imagesOf(run), run.facts.versions ?? {});
    run.facts.integration = [r.outcome];
    run.integrationReports = r.reports;
    return undefined;
  },

  async publish(stage, run, ports) {
    const pushed = await Promise.all(
      components(stage).map(
        async (c) =>
          [
            c,
            await ports
              .publish(c, run.images[c], { sbom: run.scans[c]?.sbom ?? "", report: run.scans[c]?.report ?? "", scannedAt: run.scans[c]?.scannedAt ?? "", tests: testsOf(run, c) })
              .catch((e: Error) => e),
          ] as const,
      ),
    );
    const failed = pushed.filter(([, r]) => r instanceof Error);
    if (failed.length > 0) return { status: "failed", note: `failed: ${failed.map(([c, e]) => `${c}: ${(e as Error).message.split("\n")[0]}`).join("; ")}` };
    run.facts.images = Object.fromEntries(pushed.map(([c, ref]) => [c, { ref: ref as string, reused: run.images[c].reused !== undefined }]));
    const reused = Object.values(run.images).filter((i) => i.reused).length;
    return { status: "passed", note: `${pushed.length} image(s) pushed, tagged with the revision${reused > 0 ? ` (${reused} reused: inputs unchanged)` : ""}` };
  },

  async record(_stage, run, ports, config, settings) {
    const images = Object.fromEntries(Object.entries(run.facts.images ?? {}).map(([c, i]) => [c, i.ref]));
    const migrations = await settings.migrations();
    run.record = newReleaseRecord({
      application: config.name,
      revision: settings.revision,
      // The record says when it was made when the build has no creation time (its images stay repeatable).
      created: settings.created || new Date().toISOString(),
      source: settings.source,
      components: Object.fromEntries(
        Object.entries(images).map(([name, image]) => [
          name,
          { image, version: run.facts.versions?.[name] ?? "", requires: config.components[name].requires, ...(migrations[name] ? { migrations: migrations[name] } : {}) },
        ]),
      ),
      // The run reached record only if every earlier stage passed; the scans are this run's, of these digests.
      evidence: {
        checks: "passed",
        e2e: config.e2e ? "passed" : "not-run",
        integration: run.facts.integration ? "passed" : "not-run",
        scans: Object.fromEntries(Object.entries(run.scans).map(([c, s]) => [c, scanCounts(s.report)])),
        reports: Object.fromEntries(
          Object.entries(run.scans)
            .filter(([c]) => images[c])
            .map(([c, s]) => [c, { digest: digestOf(images[c]), report: reportDigest(s.report), ...(s.sbom ? { sbom: reportDigest(s.sbom) } : {}) }]),
        ),
        builtBy: settings.builtBy,
      },
    });
    const d = await ports.record(run.record);
    run.sections.push(`\n## Release\n\n${d.text}\n`);
    return d.landed ? { status: "passed", note: "release recorded" } : { status: "failed", note: `failed: the release could not be recorded (${d.refused ?? "not written"})` };
  },

  async release(_stage, run, ports) {
    const d = await ports.releasePage();
    run.sections.push(d.text);
    return d.landed ? { status: "passed", note: "release page written" } : { status: "failed", note: `failed: ${d.refused ?? "release page not written"}` };
  },

  async promote(stage, run, ports) {
    const results = [];
    // One environment after the other: a later one may follow an earlier one (after:).
    for (const j of stage.jobs) {
      const d = await ports.promote(j.environment as string, run.record, run.scans, j.step === "rollback");
      // One promotion is the whole answer of promote and rollback; ci and release give each environment a heading.
      run.sections.push(stage.jobs.length === 1 && (run.facts.run === "promote" || run.facts.run === "rollback") ? d.text : `\n## ${j.environment}\n\n${d.text}\n`);
      results.push({ environment: j.environment as string, ...d });
    }
    const refused = results.filter((r) => !r.landed);
    if (refused.length > 0) return { status: "failed", note: `failed: ${refused.map((r) => `promotion to ${r.environment} ${r.refused ?? "not written"}`).join("; ")} (see Release below)` };
    return { status: "passed", note: `promoted to ${results.map((r) => r.environment).join(", ")}` };
  },

  async deploy(stage, run, ports) {
    const failed: string[] = [];
    for (const j of stage.jobs) {
      const d = await ports.deploy(j.environment as string);
      run.sections.push(`\n## Deploy ${j.environment}\n\n${d.text}\n`);
      if (!d.landed) failed.push(`${j.environment} ${d.refused ?? "not deployed"}`);
    }
    return failed.length > 0 ? { status: "failed", note: `failed: deploying ${failed.join("; ")}` } : { status: "passed", note: `deployed ${stage.jobs.map((j) => j.environment).join(", ")}` };
  },

  async verify(stage, run, ports, config) {
    const failed: string[] = [];
    for (const j of stage.jobs) {
      const environment = j.environment as string;
      const v = await ports.verify(environment);
      run.sections.push(`\n## Verify ${environment}\n\n${v.text}\n`);
      if (v.landed) continue;
      failed.push(`${environment} ${v.refused ?? "not verified"}${await recovered(environment, v, run, ports, config)}`);
    }
    return failed.length > 0 ? { status: "failed", note: `failed: verification of ${failed.join("; ")}` } : { status: "passed", note: `verified ${stage.jobs.map((j) => j.environment).join(", ")}` };
  },

  async preview(_stage, run, ports) {
    const d = await ports.preview(Object.fromEntries(Object.entries(run.facts.images ?? {}).map(([c, i]) => [c, i.ref])));
    return d.landed ? { status: "passed", note: d.text.split("\n")[0] } : { status: "failed", note: `failed: ${d.refused ?? d.text.split("\n")[0]}` };
  },

  async "preview-removal"() {
    return { status: "failed", note: "failed: previews are removed by dagger call preview --remove" };
  },
};

/**
 * After a failed verification, with `verify.rollback: automatic` (and not in a rollback's own
 * run, which would walk back on its own): roll back through the ports, then deploy and verify the
 * release rolled back to when the environment is written by commit (a pull request waits for its
 * merge, whose push deploys). Says what happened, for the failed verdict's note.
 */
async function recovered<I, D>(environment: string, failed: Operated, run: Execution<I, D>, ports: RunPorts<I, D>, config: PipelineConfig): Promise<string> {
  const env = config.environments[environment];
  if (env.verify?.rollback !== "automatic") return "";
  if (run.facts.run === "verify") return "";
  if (failed.unjudged) return " (not rolled back: the verification could not judge the release)";
  if (run.facts.run === "rollback") return " (no automatic rollback after a rollback: roll back again by hand, or rollback --to)";
  const back = await ports.recover(environment, (failed.refused ?? failed.text).split("\n")[0], failed.liveSchema);
  run.sections.push(`\n## Automatic rollback of ${environment}\n\n${back.text}\n`);
  if (!back.landed) return `; the automatic rollback failed too (${back.refused ?? "not written"})`;
  if (env.writeBack !== "commit") return "; rolled back automatically (a pull request: deployed when it merges)";
  if (env.deploy) {
    const d = await ports.deploy(environment);
    run.sections.push(`\n## Deploy ${environment} (rollback)\n\n${d.text}\n`);
    if (!d.landed) return `; rolled back automatically, but deploying it failed (${d.refused ?? "not deployed"})`;
  }
  const again = await ports.verify(environment);
  run.sections.push(`\n## Verify ${environment} (rollback)\n\n${again.text}\n`);
  return again.landed ? "; rolled back automatically and verified" : `; rolled back automatically, and that failed verification too (${again.refused ?? "not verified"})`;
}

/** Every check that ran against a component's image in this run, for its test-result attestation: its own checks and build, E2E and the Aspire run (the whole application's), its scan. */
function testsOf<I, D>(run: Execution<I, D>, component: string): PublishEvidence["tests"] {
  const own = [...(run.facts.checks ?? []), ...(run.facts.build ?? [])].filter((o) => o.component === component);
  const whole = [...(run.facts.e2e ?? []), ...(run.facts.integration ?? [])];
  // The scan passed as a test when it wrote its report; its findings are the vulnerability gate's to judge, at each promotion.
  const scan = run.scans[component] ? [{ name: `${component}/scan`, passed: run.scans[component].report !== "" }] : [];
  return [...[...own, ...whole].map((o) => ({ name: `${o.component}/${o.check}`, passed: o.status === "passed" })), ...scan];
}

function imagesOf<I, D>(run: Execution<I, D>): Record<string, I> {
  return Object.fromEntries(Object.entries(run.images).map(([c, i]) => [c, i.image]));
}

/** The scan stage's section of the summary: findings by severity per component (the gate names the blocking ones at promotion). */
function renderScans(scans: Record<string, Scan>): string {
  const severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];
  const rows = Object.entries(scans).map(([c, s]) => {
    const counts = scanCounts(s.report);
    return `| ${c} | ${s.report === "" ? "no report (the gate refuses)" : severities.map((v) => counts[v] ?? 0).join(" | ")} |`;
  });
  return `\n## Scan\n\n| component | ${severities.join(" | ")} |\n|---|${severities.map(() => "---").join("|")}|\n${rows.join("\n")}\n\nTrivy's reports: \`scan/<component>.json\` in the reports.\n`;
}

function reusedOutcome(component: string, ref: string): CheckOutcome {
  const detail = `reused ${ref} (inputs unchanged)`;
  return { component, check: "image", status: "passed", failedTests: [], detail, junit: checkReport(component, "image", "passed", detail, 0), seconds: 0 };
}
