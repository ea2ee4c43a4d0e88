/** What a failure notification says: which pipeline, which stage and component failed, where to look. */

/** A run's notification (a failure, or with notifications.on: always a pass), as every channel words it. */
export interface FailureMessage {
  pipeline: string;
  /** The run passed: only sent when notifications are wanted always; stage and component are then empty. */
  passed?: boolean;
  stage: string;
  component?: string;
  /** The first lines of the failing step's output or summary. */
  detail?: string;
  /** The CI run (or report) to open. */
  link?: string;
  revision?: string;
  branch?: string;
}

/** The one-line headline: "webshop: failed at e2e (backend) on main @ 0123456789ab", or "webshop: passed on main @ …". */
export function headline(m: FailureMessage): string {
  return `${m.pipeline}: ${verdictLine(m)}`;
}

/** The headline without the pipeline: "failed at e2e (backend) on main @ 0123456789ab" (e-mail subjects carry the pipeline as a [tag]). */
export function verdictLine(m: FailureMessage): string {
  const where = `${m.stage}${m.component ? ` (${m.component})` : ""}`;
  const on = [m.branch ? ` on ${m.branch}` : "", m.revision ? ` @ ${m.revision.slice(0, 12)}` : ""].join("");
  return `${m.passed ? "passed" : `failed at ${where}`}${on}`;
}

/** The plain-text message: headline, link, then the detail (at most 20 lines, so chats stay readable). */
export function renderText(m: FailureMessage): string {
  const detail = (m.detail ?? "").trim().split("\n").slice(0, 20).join("\n");
  return [headline(m), ...(m.link ? [m.link] : []), ...(detail ? ["", detail] : [])].join("\n");
}
