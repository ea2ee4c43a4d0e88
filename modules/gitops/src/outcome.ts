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
  /** The whole answer as JSON. */
  @func()
  json: string;

  constructor(status: string, where: string, state: string, summary: string, json: string) {
    this.status = status;
    this.where = where;
    this.state = state;
    this.summary = summary;
    this.json = json;
  }

  /** Fail with the summary unless the change is on its way (pushed, already there, pull request open or merged). */
  @func()
  async verify(): Promise<string> {
    if (["conflict", "invalid", "failed"].includes(this.status)) throw new Error(this.summary);
    return this.summary;
  }
}
