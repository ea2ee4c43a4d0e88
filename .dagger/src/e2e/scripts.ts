/**
 * What runs inside the Playwright container, in order: wait until the application answers its
 * health check (polling with a deadline, never a fixed sleep), check the image's browsers
 * against the locked Playwright, run the tests, keep traces and screenshots with the report.
 * Exit codes say which step failed.
 */

/** Exit codes of the test container's steps. */
export const E2E_EXIT = { notReady: 4, browsersMismatch: 3 } as const;

/** Where the test container leaves its reports: HTML report, JUnit and failures' traces and screenshots. */
export const E2E_REPORTS = "/reports";

/**
 * Where each service's log is kept, in the service and in the test container: one stable cache
 * volume per service mounted at SERVICE_LOGS/<service>, one subdirectory per run in it
 * (SERVICE_LOGS/<service>/<run id>/<service>.log), removed by the test container once copied.
 */
export const SERVICE_LOGS = "/var/log/pipeline-e2e";

/** A run id as the stages make them (randomUUID), or another plain word: it names a directory in a shell line. */
const RUN_DIR = /^[A-Za-z0-9._-]+$/;

/**
 * The service's own command, run by sh with its output also appended to this run's log, so a
 * failure can be explained by the service's words ("column total does not exist"), not only the
 * browser's. Needs sh, mkdir and tee in the image (every Debian-based image has them).
 */
export function loggedCommand(service: string, runId: string, command: string[]): string[] {
  if (!RUN_DIR.test(runId)) throw new Error(`run id ${JSON.stringify(runId)}: letters, digits, . _ - only`);
  const dir = `${SERVICE_LOGS}/${service}/${runId}`;
  // "; " not "&&": a log folder that cannot be made (a volume created for another user) costs the log, never the service.
  return ["sh", "-c", `mkdir -p ${dir}; "$@" 2>&1 | tee -a ${dir}/${service}.log`, "sh", ...command];
}

/** Environment the Playwright run reads for its reports (Playwright ≥ 1.46). */
export const PLAYWRIGHT_REPORT_ENV: Record<string, string> = {
  PLAYWRIGHT_HTML_OUTPUT_DIR: `${E2E_REPORTS}/playwright-report`,
  PLAYWRIGHT_HTML_OPEN: "never",
  PLAYWRIGHT_JUNIT_OUTPUT_FILE: `${E2E_REPORTS}/junit.xml`,
};

/** The Playwright command line: list output for the log, HTML for people, JUnit for CI hosts. */
export const PLAYWRIGHT_TEST = ["npx", "playwright", "test", "--reporter=list,html,junit"];

/** Polls PIPELINE_READY_URL until it answers 2xx or PIPELINE_READY_SECONDS pass; exits 4 naming the last answer. */
export const readinessScript = `
const url = process.env.PIPELINE_READY_URL;
const deadline = Date.now() + 1000 * Number(process.env.PIPELINE_READY_SECONDS || 90);
let last = "no answer";
(async () => {
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (r.ok) { console.log("ready: " + url + " answered " + r.status); return; }
      last = "HTTP " + r.status + " " + (await r.text()).slice(0, 200);
    } catch (e) { last = String(e.cause?.code || e.cause?.message || e.message); }
    await new Promise((done) => setTimeout(done, 500));
  }
  console.error("not ready: " + url + " did not answer 2xx within " + (process.env.PIPELINE_READY_SECONDS || 90) + " s (last: " + last + ")");
  process.exit(${E2E_EXIT.notReady});
})();
`;

/**
 * The shell steps of the test container. PIPELINE_READY_SCRIPT and PIPELINE_BROWSER_CHECK hold
 * the two Node scripts; PIPELINE_REPORTS and PIPELINE_SERVICE_LOGS the folders (E2E_REPORTS and
 * SERVICE_LOGS in the container; the integration tests run the same steps on a host);
 * PIPELINE_GREP, when set, the tag of the specs to run (verification's smoke run).
 */
export const e2eShell = [
  `node -e "$PIPELINE_READY_SCRIPT" || exit ${E2E_EXIT.notReady}`,
  `node -e "$PIPELINE_BROWSER_CHECK" || exit ${E2E_EXIT.browsersMismatch}`,
  'mkdir -p "$PIPELINE_REPORTS"',
  // PIPELINE_GREP (verification's smoke run) selects the specs tagged with it; unset, every spec runs.
  `${PLAYWRIGHT_TEST.join(" ")} \${PIPELINE_GREP:+--grep "$PIPELINE_GREP"}; rc=$?`,
  // Traces and screenshots of failed tests live in the config's outputDir (test-results).
  'if [ -d test-results ]; then cp -R test-results "$PIPELINE_REPORTS/test-results"; fi',
  // This run's service logs go with the report, then leave the stable log volumes (with any run's left over a day ago).
  'mkdir -p "$PIPELINE_REPORTS/services" && for f in "$PIPELINE_SERVICE_LOGS"/*/"$PIPELINE_RUN_ID"/*.log; do if [ -f "$f" ]; then cp "$f" "$PIPELINE_REPORTS/services/"; fi; done',
  'if [ -n "$PIPELINE_RUN_ID" ]; then rm -rf "$PIPELINE_SERVICE_LOGS"/*/"$PIPELINE_RUN_ID" 2>/dev/null; find "$PIPELINE_SERVICE_LOGS" -mindepth 2 -maxdepth 2 -type d -mmin +1440 -exec rm -rf {} + 2>/dev/null; fi',
  "exit $rc",
].join("\n");
