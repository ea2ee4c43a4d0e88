/**
 * The second half of verification (issue 17, item 2): the E2E specs tagged as smoke, run with
 * Playwright against the environment's public URL. The same container as the E2E stage's test
 * step (the locked Playwright image, the project installed through the mirror, e2eShell's
 * readiness poll and browser check), with `--grep <tag>` and no services of its own.
 */
import { dag, type Directory } from "@dagger.io/dagger";
import { InputError, quoted } from "../errors.js";
import { E2E_EXIT } from "../e2e/scripts.js";
import { checkReport, failedTests, tail } from "../report/junit.js";
import type { CheckOutcome } from "../report/outcome.js";
import type { StageContext } from "../stages/context.js";
import { e2eImage, e2eProject, runE2eShell, withE2eShell } from "../stages/e2e.js";
import { isSecret, parseTemplate } from "../topology/template.js";
import { resolveValue } from "../topology/values.js";
import { holdsCredentials, maskCredentials } from "../vendor/credentials.js";

/** Where and what the smoke specs check. */
export interface SmokeTarget {
  /** The environment's name, for messages. */
  environment: string;
  /** The environment's public URL (environments.<name>.verify.url): BASE_URL of the run. */
  url: string;
  /** The Playwright tag of the smoke specs (environments.<name>.verify.smoke), passed as --grep. */
  tag: string;
  /** Component → the version deployed, for `{component.version}` in e2e.env. */
  versions: Record<string, string>;
  /**
   * The schema the database reports (verifyEndpoints' liveSchema): `{db.version}` resolves to it
   * when given, since after a rollback the database stays ahead of the release (forward-only).
   */
  liveSchema?: string;
}

/** The smoke run's verdict and its reports (playwright-report/, junit.xml, test-results/). */
export interface SmokeResult {
  outcome: CheckOutcome;
  reports: Directory;
}

/** Run the smoke specs against the environment; a failing run is an outcome, bad input an InputError. */
export async function runSmoke(ctx: StageContext, target: SmokeTarget): Promise<SmokeResult> {
  const at = `environments.${target.environment}.verify`;
  if (!/^https?:\/\/[^\s/?#]+[^\s]*$/.test(target.url)) throw new InputError(`${at}.url: ${quoted(maskCredentials(target.url))} must be the environment's http:// or https:// URL`);
  if (target.tag.trim() === "") throw new InputError(`${at}.smoke: must be the Playwright tag of the smoke specs, e.g. @smoke`);
  const e2e = ctx.config.e2e;
  if (!e2e) return { outcome: outcome("not-run", "pipeline.yaml has no e2e section: there are no smoke specs to run"), reports: dag.directory() };
  // Config mistakes (a Playwright image of another version) fail before any container starts.
  let ctr = e2eProject(ctx, await e2eImage(ctx));
  for (const [name, value] of Object.entries(e2e.env)) {
    const parts = parseTemplate(value);
    if (isSecret(parts, (c) => ctx.config.components[c].kind))
      throw new InputError(
        `e2e.env.${name}: ${quoted(value)} refers to a database's password or URL, which a smoke run against ${target.environment} does not have; smoke specs must check the environment through its URL only`,
      );
    const resolved = resolveValue(ctx.config, parts, {
      password: () => "",
      version: (c) => (ctx.config.components[c].kind === "database" && target.liveSchema ? target.liveSchema : (target.versions[c] ?? "")),
      text: (t) => t,
    });
    // A literal that carries credentials (a URL with user:password@, ?token=) is passed as a secret.
    ctr = holdsCredentials(resolved) ? ctr.withSecretVariable(name, dag.setSecret(`smoke-${name}-${ctx.runId}`, resolved)) : ctr.withEnvVariable(name, resolved);
  }
  // The readiness poll asks the URL itself: the endpoints were verified already; this proves the container reaches it.
  ctr = withE2eShell(ctr, ctx, target.url, "").withEnvVariable("PIPELINE_GREP", target.tag);
  const started = Date.now();
  const { exitCode, stdout, stderr, junit, reports } = await runE2eShell(ctr);
  // Playwright fails a run whose --grep selects nothing: that is the config's mistake, not the release's
  // (a failed verification would roll back a healthy release).
  if (exitCode !== 0 && /No tests found/.test(`${stdout}${stderr}`))
    throw new InputError(`environments.${target.environment}.verify.smoke: no spec of the e2e project is tagged ${quoted(target.tag)}; tag the smoke specs (test(title, { tag: "${target.tag}" }, …))`);
  const why =
    exitCode === E2E_EXIT.notReady
      ? `${maskCredentials(target.url)} did not answer from the test container:\n`
      : exitCode === E2E_EXIT.browsersMismatch
        ? "the image's browsers do not match the locked Playwright:\n"
        : `the specs tagged ${target.tag} failed against ${maskCredentials(target.url)}:\n`;
  const detail = exitCode === 0 ? "" : `${why}${tail(`${stdout}${stderr}`)}`;
  return { outcome: outcome(exitCode === 0 ? "passed" : "failed", detail, (Date.now() - started) / 1000, junit), reports };
}

/** The smoke run as a check outcome, like the E2E stage's Playwright step (component "e2e", check "smoke"). */
function outcome(status: CheckOutcome["status"], detail: string, seconds = 0, junit?: string): CheckOutcome {
  return {
    component: "e2e",
    check: "smoke",
    status,
    failedTests: junit ? failedTests(junit) : [],
    detail: status === "passed" ? "" : detail,
    junit: junit ?? checkReport("e2e", "smoke", status, detail, seconds),
    seconds,
  };
}
