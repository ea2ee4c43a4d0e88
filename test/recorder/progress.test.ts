// Progress that names the stage and the component: the spans a recorded ci opens, captured by
// an in-memory OpenTelemetry exporter (what Dagger's TUI and traces would show around the calls).
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

const exporter = new InMemorySpanExporter();

describe("progress spans", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });

  it("ci names every check by component, every image build, every E2E step, Playwright and the Aspire integration", async () => {
    await record(async () => (await new Pipeline(dag.directory()).ci("0123456789abcdef0123456789abcdef01234567")).summary, exampleEngine());
    const names = exporter.getFinishedSpans().map((s) => s.name);
    for (const expected of [
      "checks",
      "build",
      "e2e",
      "checks | db | lint",
      "checks | backend | unit",
      "checks | frontend | typecheck",
      "build | db",
      "build | backend",
      "build | frontend",
      "e2e | db | database",
      "e2e | db | migrate",
      "e2e | backend | start",
      "e2e | frontend | start",
      "e2e | playwright",
      "integration | aspire",
    ])
      assert.ok(names.includes(expected), `span ${expected} (spans: ${names.join("; ")})`);
  });
});
