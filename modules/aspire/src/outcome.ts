/** The Markdown summary of an integration run: the graph as it ran, each step's verdict, the failing step's output. */
import type { RunResult } from "./run.js";
import type { ServiceGraph } from "./types.js";

/** The summary and the verdict: passed only when every service started, every job succeeded and the tests passed. */
export function renderRun(graph: ServiceGraph, result: RunResult, containerOverrides: string[]): { summary: string; passed: boolean } {
  const tests = result.steps.find((s) => s.step === "tests");
  const passed = tests !== undefined && result.steps.every((s) => s.passed);
  const lines = [`## Aspire integration: ${passed ? "passed" : "failed"}`, "", "| resource | source | step | verdict |", "|---|---|---|---|"];
  for (const s of graph.services) {
    const step = result.steps.find((x) => x.resource === s.name);
    const source = containerOverrides.includes(s.name) ? "the artefact under test (container)" : s.overridden ? `\`${s.overridden}\` (under test)` : sourceOf(s.source);
    lines.push(`| ${s.name} | ${source} | ${step?.step ?? "-"} | ${step ? (step.passed ? "passed" : "**failed**") : "not started"} |`);
  }
  lines.push(`| tests | | tests | ${tests ? (tests.passed ? "passed" : "**failed**") : "not started, because a step before failed"} |`);
  if (graph.skipped.length > 0) {
    lines.push("", "Skipped resources (not part of a local run):", "");
    for (const s of graph.skipped) lines.push(`- ${s.name} (${s.type ?? "no type"}): ${s.reason}`);
  }
  for (const s of result.steps.filter((x) => !x.passed)) lines.push("", `### ${s.resource} | ${s.step} | failed`, "", "```", s.detail, "```");
  return { summary: `${lines.join("\n")}\n`, passed };
}

function sourceOf(source: ServiceGraph["services"][number]["source"]): string {
  if ("image" in source) return `\`${source.image}\``;
  if ("build" in source) return `build of ${source.build.dockerfile}`;
  if ("project" in source) return `project ${source.project}`;
  return `executable ${source.executable.command}`;
}
