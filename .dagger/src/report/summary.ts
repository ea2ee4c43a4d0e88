/** The check stage's summary: which component, which check, which tests — the first thing a developer reads. */
import type { CheckOutcome } from "./outcome.js";

/** Whether a stage with these outcomes may go on to the build. */
export function stagePassed(outcomes: CheckOutcome[]): boolean {
  return outcomes.every((o) => o.status !== "failed");
}

/** Markdown summary: a table of every check, then the failures with their failing tests and log tails. */
export function renderCheckSummary(outcomes: CheckOutcome[], title = "Checks"): string {
  const icon = { passed: "✅ passed", failed: "❌ failed", "not-run": "⚪ not run" } as const;
  const failed = outcomes.filter((o) => o.status === "failed");
  const notRun = outcomes.filter((o) => o.status === "not-run");
  const lines = [
    `## ${title}: ${failed.length === 0 ? "passed" : `${failed.length} failed`}${notRun.length > 0 ? `, ${notRun.length} not run` : ""}`,
    "",
    `| component | ${title === "Checks" ? "check" : "step"} | result | time |`,
    "|---|---|---|---|",
    ...outcomes.map((o) => `| ${o.component} | ${o.check} | ${icon[o.status]} | ${o.seconds.toFixed(1)} s |`),
  ];
  for (const o of failed) {
    lines.push("", `### ${o.component}: ${o.check} failed`);
    if (o.failedTests.length > 0) lines.push("", "Failing tests:", ...o.failedTests.map((t) => `- ${t}`));
    lines.push("", "```", o.detail, "```");
  }
  for (const o of notRun) lines.push("", `${o.component}: ${o.check} did not run: ${o.detail}`);
  return `${lines.join("\n")}\n`;
}
