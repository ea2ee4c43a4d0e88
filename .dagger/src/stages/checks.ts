/** The check stage: every check of every selected component at once; a failure never hides the others. */
import { dag } from "@dagger.io/dagger";
import { CHECK_STEPS } from "../plan/plan.js";
import { checkReport, failedTests, tail } from "../report/junit.js";
import type { CheckOutcome } from "../report/outcome.js";
import { baseImage, type StageContext } from "./context.js";

/** npm script behind each check of a node component. */
const NODE_SCRIPTS: Record<string, string> = { lint: "lint", typecheck: "typecheck", unit: "test" };
/** Where node-toolchain's check leaves node's JUnit report (its JUNIT_REPORT). */
const NODE_JUNIT = "/reports/junit.xml";

/** Run the given checks (default: all of each component's toolchain) of the components concurrently. */
export async function runChecks(ctx: StageContext, components: string[], only?: string[]): Promise<CheckOutcome[]> {
  const jobs = components.flatMap((c) => CHECK_STEPS[ctx.config.components[c].toolchain].filter((s) => !only || only.includes(s)).map((step) => ({ component: c, step })));
  return Promise.all(jobs.map((j) => runCheck(ctx, j.component, j.step)));
}

async function runCheck(ctx: StageContext, name: string, step: string): Promise<CheckOutcome> {
  const component = ctx.config.components[name];
  const started = Date.now();
  const dir = ctx.source.directory(component.path);
  const seconds = () => (Date.now() - started) / 1000;
  switch (component.toolchain) {
    case "node": {
      const ctr = dag.nodeToolchain({ image: baseImage(ctx, component), registry: ctx.config.mirror?.npm ?? "", npmrc: ctx.npmrc }).check(dir, NODE_SCRIPTS[step], { junit: step === "unit", runId: ctx.runId });
      const [exitCode, stdout, stderr] = await Promise.all([ctr.exitCode(), ctr.stdout(), ctr.stderr()]);
      const runnerReport = step === "unit" ? await ctr.file(NODE_JUNIT).contents().catch(() => undefined) : undefined;
      return outcome(name, step, exitCode === 0, `${stdout}${stderr}`, seconds(), runnerReport);
    }
    case "flyway": {
      if (step !== "lint") return notRun(name, step, "migrating a throwaway database comes with the flyway module's migrate (issue 4)");
      const problems = await dag.flyway().lint(dir.directory(component.migrations ?? "migrations"));
      return outcome(name, step, problems === "", problems, seconds());
    }
    default:
      return notRun(name, step, `toolchain ${component.toolchain} has no module yet`);
  }
}

function outcome(component: string, check: string, passed: boolean, output: string, seconds: number, runnerReport?: string): CheckOutcome {
  return {
    component,
    check,
    status: passed ? "passed" : "failed",
    failedTests: runnerReport ? failedTests(runnerReport) : [],
    detail: passed ? "" : tail(output),
    junit: runnerReport ?? checkReport(component, check, passed ? "passed" : "failed", output, seconds),
    seconds,
  };
}

function notRun(component: string, check: string, why: string): CheckOutcome {
  return { component, check, status: "not-run", failedTests: [], detail: why, junit: checkReport(component, check, "not-run", why, 0), seconds: 0 };
}
