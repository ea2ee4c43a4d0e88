/** The result of one check of one component, as every report of the check stage reads it. */

/** One check's verdict. "not-run" is never a pass: the summary says why it did not run. */
export interface CheckOutcome {
  component: string;
  check: string;
  status: "passed" | "failed" | "not-run";
  /** Names of failed tests, from the JUnit report, when the check has a test runner. */
  failedTests: string[];
  /** Why a check did not run, or the tail of the output of a failed one. */
  detail: string;
  /** The JUnit XML for this check (the runner's own, or one written for it). */
  junit: string;
  seconds: number;
}
