/** The check stage: every check of every selected component at once; a failure never hides the others. */
import { inSpan } from "../progress.js";
import { CHECK_STEPS } from "../plan/plan.js";
import { checkReport, failedTests, tail } from "../report/junit.js";
import type { CheckOutcome } from "../report/outcome.js";
import { toolchainOf } from "../toolchains/index.js";
import type { StageContext } from "./context.js";

/** Run the given checks (default: all of each component's toolchain) of the components concurrently. */
export async function runChecks(ctx: StageContext, components: string[], only?: string[]): Promise<CheckOutcome[]> {
  const jobs = components.flatMap((c) => CHECK_STEPS[ctx.config.components[c].toolchain].filter((s) => !only || only.includes(s)).map((step) => ({ component: c, step })));
  return Promise.all(jobs.map((j) => inSpan(["checks", j.component, j.step], () => runCheck(ctx, j.component, j.step))));
}

async function runCheck(ctx: StageContext, name: string, step: string): Promise<CheckOutcome> {
  const component = ctx.config.components[name];
  const started = Date.now();
  const result = await toolchainOf(name, component).check(ctx, component, ctx.source.directory(component.path), step);
  const seconds = (Date.now() - started) / 1000;
  if ("notRun" in result) return { component: name, check: step, status: "not-run", failedTests: [], detail: result.notRun, junit: checkReport(name, step, "not-run", result.notRun, 0), seconds: 0 };
  return {
    component: name,
    check: step,
    status: result.passed ? "passed" : "failed",
    failedTests: result.junit ? failedTests(result.junit) : [],
    detail: result.passed ? "" : tail(result.output),
    junit: result.junit ?? checkReport(name, step, result.passed ? "passed" : "failed", result.output, seconds),
    seconds,
  };
}
