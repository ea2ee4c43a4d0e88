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

/** Characters JSON.stringify leaves as they are that a terminal or a log viewer still acts on: C1 controls, line/paragraph separators, bidirectional overrides. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A value as an error message quotes it: JSON-quoted with every control character escaped (a
 * newline or an ANSI escape in an argument would otherwise forge lines of the output), and cut
 * short so that a megabyte argument does not drown the message.
 */
export function quoted(value: string, max = 80): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
