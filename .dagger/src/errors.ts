/** Errors that are the user's to fix, as opposed to our bugs (which keep their stack trace). */

/** A bad argument (event, ref, environment, component…); the message names the input, the value and what is valid. */
export class InputError extends Error {
  /** Exit code for user errors, distinct from a failing stage (1). */
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}
