/**
 * Integration through the application's Aspire AppHost: the aspire module starts the manifest's
 * graph with the release's images in place of their resources (every other resource keeps the
 * manifest's image), and the E2E project's Playwright tests run against it, as in the E2E stage.
 */
import { dag, type Directory } from "@dagger.io/dagger";
import { InputError } from "../errors.js";
import { E2E_REPORTS, e2eShell } from "../e2e/scripts.js";
import { checkReport, failedTests } from "../report/junit.js";
import type { CheckOutcome } from "../report/outcome.js";
import { isSecret, parseTemplate } from "../topology/template.js";
import { resolveValue } from "../topology/values.js";
import { holdsCredentials } from "../vendor/credentials.js";
import { digestPinnedProblem } from "../vendor/image-reference.js";
import type { StageContext } from "./context.js";
import { e2eImage, e2eProject, type ReleaseUnderTest, withE2eShell, withStartHealthcheck } from "./e2e.js";
import { topologyOf } from "../topology/topology.js";
import { toolchainOf } from "../toolchains/index.js";

/** Registries whose images the manifest may name, as the aspire module's registry=prefix rules, following the pipeline's mirror layout. */
const MIRRORED_REGISTRIES = ["mcr.microsoft.com", "ghcr.io", "quay.io", "gcr.io", "registry.k8s.io"];

/** The manifest resource each component's image replaces: aspire.resources, else its name (<name>-migrate for a migration image). */
export function aspireResources(config: StageContext["config"]): Record<string, string> {
  const mapping = config.aspire?.resources ?? {};
  return Object.fromEntries(Object.entries(config.components).map(([name, c]) => [name, mapping[name] ?? (c.kind === "database" ? `${name}-migrate` : name)]));
}

/** registry=prefix rules that send the manifest's images through the pipeline's image mirror. */
export function aspireMirrorRules(prefix: string | undefined): string[] {
  if (!prefix) return [];
  return [`docker.io=${prefix}`, ...MIRRORED_REGISTRIES.map((r) => `${r}=${prefix}/${r}`)];
}

/**
 * Published images in place of resources (another repository's artefact under test), as the
 * aspire module's resource=image overrides; refused unless each names its image by digest, so the
 * verdict is about exactly that image.
 */
export function parsePublishedOverrides(overrides: string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const o of overrides) {
    // The s flag: a newline in the image is the image's problem, named below, not a mismatch.
    const m = /^([A-Za-z][A-Za-z0-9-]*)=(.*)$/s.exec(o);
    // The rule the aspire module's --override applies too (lib/image-reference.ts).
    const problem = m ? digestPinnedProblem(m[2]) : undefined;
    if (!m || problem)
      throw new InputError(
        `override: ${JSON.stringify(o)} is not resource=registry/name:tag@sha256:<64 hex> (an Aspire resource name, then a published image by digest)${problem ? `: the image ${problem}` : ""}`,
      );
    if (Object.hasOwn(out, m[1])) throw new InputError(`override: ${m[1]} is given twice`);
    out[m[1]] = m[2];
  }
  return out;
}

/**
 * The integration run's outcome (one, "aspire | integration") and the report directory. The
 * release's images replace their resources, except where `published` puts an image already
 * published (another repository's artefact under test, or this one's from an earlier run).
 */
export async function runAspireIntegration(ctx: StageContext, release: ReleaseUnderTest, published: Record<string, string> = {}): Promise<{ outcome: CheckOutcome; reports: Directory }> {
  const started = Date.now();
  const aspire = ctx.config.aspire as NonNullable<StageContext["config"]["aspire"]>;
  const e2e = ctx.config.e2e as NonNullable<StageContext["config"]["e2e"]>;
  const target = e2e.target ?? Object.entries(ctx.config.components).find(([, c]) => c.kind === "frontend")?.[0];
  const component = target ? ctx.config.components[target] : undefined;
  if (!target || !component || component.kind === "database") throw new Error("e2e.target: no component to test; set it to the component the browser opens");
  const resources = aspireResources(ctx.config);
  let graph = dag.aspire({ source: ctx.source, manifest: aspire.manifest, registryMirrors: aspireMirrorRules(ctx.config.mirror?.images) });
  // A resource given a published image is not built here: the module starts that image. Each app
  // image gets the E2E stage's start health check (1 s start interval): the image's own 10 s
  // HEALTHCHECK would decide when the engine calls the service started (issue 14, item 7).
  const health = new Map(topologyOf(ctx.config, (c) => toolchainOf(c, ctx.config.components[c]).healthProbe(ctx.config.components[c])).services.map((s) => [s.component, s.health]));
  for (const [name, image] of Object.entries(release.images))
    if (!published[resources[name]]) graph = graph.withOverride(resources[name], ctx.config.components[name].kind === "database" ? image : withStartHealthcheck(image, health.get(name)));
  // The browser opens the target's resource on the port its image listens on, as in the E2E stage.
  const baseUrl = `http://${resources[target]}:${component.image.port}`;
  let tests = e2eProject(ctx, await e2eImage(ctx));
  const spell = { password: () => "", version: (c: string) => release.versions[c] ?? "", text: (t: string) => t };
  for (const [name, value] of Object.entries(e2e.env)) {
    const parts = parseTemplate(value);
    if (isSecret(parts, (c) => ctx.config.components[c].kind)) throw new Error(`e2e.env.${name}: refers to a secret, which the Aspire graph owns; use the manifest's own values instead`);
    const resolved = resolveValue(ctx.config, parts, spell);
    // A literal that carries credentials (a URL with user:password@, ?token=) goes in as a secret, never a plain variable.
    tests = holdsCredentials(resolved) ? tests.withSecretVariable(name, dag.setSecret(`aspire-e2e-${name}-${ctx.runId}`, resolved)) : tests.withEnvVariable(name, resolved);
  }
  tests = withE2eShell(tests, ctx, baseUrl, component.image.health);
  const override = Object.entries(published).map(([resource, image]) => `${resource}=${image}`);
  const run = await graph.test(tests, { command: ["sh", "-c", e2eShell], jobs: aspire.jobs, reports: E2E_REPORTS, ...(override.length > 0 ? { override } : {}) });
  // test is never cached: every field read through it would run the whole graph again. Select its
  // reports once (sync returns the folder loaded by its ID) and read the verdict, the summary and
  // the JUnit report from that folder.
  const reports = await run.reports().sync();
  const [verdict, summary, junit] = await Promise.all([
    reports
      .file("result.json")
      .contents()
      .catch(() => ""),
    reports
      .file("summary.md")
      .contents()
      .catch(() => ""),
    reports
      .file("junit.xml")
      .contents()
      .catch(() => undefined),
  ]);
  const passed = readPassed(verdict);
  const seconds = (Date.now() - started) / 1000;
  return {
    outcome: {
      component: "aspire",
      check: "integration",
      status: passed ? "passed" : "failed",
      failedTests: junit ? failedTests(junit) : [],
      detail: passed ? "" : summary,
      junit: junit ?? checkReport("aspire", "integration", passed ? "passed" : "failed", passed ? "" : summary, seconds),
      seconds,
    },
    reports,
  };
}

/** The Aspire run's verdict from its result.json; anything else is a failed run (fail closed). */
function readPassed(json: string): boolean {
  try {
    return (JSON.parse(json) as { passed?: unknown }).passed === true;
  } catch {
    return false;
  }
}
