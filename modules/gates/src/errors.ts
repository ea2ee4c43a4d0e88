/** Errors that are the user's to fix (a bad waiver file, an unknown severity), as opposed to our bugs. */

/** Bad input to a gate; the message names the input, the value and what is valid. */
export class GateInputError extends Error {
  /** Exit code for user errors, distinct from a refused gate (1). */
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "GateInputError";
  }
}
