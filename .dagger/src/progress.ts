/**
 * Progress that names the stage and the component: each step runs inside an OpenTelemetry span
 * ("checks | backend | unit", "e2e | db | migrate"), which Dagger's TUI and traces show around
 * the engine calls the step makes.
 */
import { getTracer } from "@dagger.io/dagger/telemetry";

/** The span name of a step: its non-empty parts joined by " | ". */
export function spanName(parts: string[]): string {
  return parts.filter((p) => p !== "").join(" | ");
}

/** Run `fn` inside a span named after the stage, component and step; the span fails when `fn` throws. */
export function inSpan<T>(parts: string[], fn: () => Promise<T>): Promise<T> {
  return getTracer("pipeline").startActiveSpan(spanName(parts), () => fn());
}
