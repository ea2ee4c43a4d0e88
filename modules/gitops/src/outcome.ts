/** What a write to the GitOps repository did, as the module returns it. */
import { func, object } from "@dagger.io/dagger";

/** The result of a push or a pull request: its status, where it landed, and a line for people. */
@object()
export class GitopsOutcome {
  /** pushed, already-there, opened, conflict, invalid or failed. */
  @func()
  status: string;
  /** The commit on the branch, or the pull request's URL. */
  @func()
  where: string;
  /** For a pull request: open, approved, changes-requested, merged or closed. */
  @func()
  state: string;
  /** One paragraph for people. */
  @func()
  summary: string;
  /**
   * The whole answer as JSON: status, where, state, summary and the write's own detail. push and
   * propose are never cached, so every query that reads a field runs them again: read this one.
   */
  @func()
  json: string;

  constructor(status: string, where: string, state: string, summary: string, detail: string) {
    this.status = status;
    this.where = where;
    this.state = state;
    this.summary = summary;
    this.json = JSON.stringify({ status, where, state, summary, detail: parseDetail(detail) });
  }

  /** Fail with the summary unless the change is on its way (pushed, already there, pull request open or merged). */
  @func()
  async verify(): Promise<string> {
    if (["conflict", "invalid", "failed"].includes(this.status)) throw new Error(this.summary);
    return this.summary;
  }
}

/** The write's detail as JSON when it is JSON (the push script's result, the pull request), else as text. */
function parseDetail(detail: string): unknown {
  try {
    return JSON.parse(detail) as unknown;
  } catch {
    return detail;
  }
}
