/** Errors that are the user's to fix, as opposed to our bugs (which keep their stack trace). */
import { maskCredentials } from "./vendor/credentials.js";

/** A bad argument (event, ref, environment, component…); the message names the input, the value and what is valid. */
export class InputError extends Error {
  /** Exit code for user errors, distinct from a failing stage (1). */
  readonly exitCode = 2;
  constructor(message: string) {
    // A message that quotes a URL or a connection string never carries its credentials (CI logs outlive the fix).
    super(maskCredentials(message));
    this.name = "InputError";
  }
}
