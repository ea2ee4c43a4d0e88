/** Errors that are the user's to fix (a malformed deployment file, a bad update), as opposed to our bugs. */

/** Where and what went wrong, as fields so callers (and tests) need not parse the message. */
export interface EditErrorDetail {
  /** The file, as given to the editor. */
  file: string;
  /** YAML path of the offending node, e.g. images[1].name; "" for the whole file. */
  path: string;
  /** The offending value as found (or the problem text for unparsable YAML). */
  value: string;
  /** What would be valid there. */
  expected: string;
  /** 1-based line, when known. */
  line?: number;
  /** 0-based document index, for files with several documents. */
  document?: number;
}

/** A deployment file or image update the editors refuse; the message names file, path, value and what is valid. */
export class GitopsEditError extends Error implements EditErrorDetail {
  /** Exit code for user errors, distinct from a failing stage (1). */
  readonly exitCode = 2;
  readonly file: string;
  readonly path: string;
  readonly value: string;
  readonly expected: string;
  readonly line?: number;
  readonly document?: number;
  constructor(detail: EditErrorDetail, problem: string) {
    const where = `${detail.file}${detail.line === undefined ? "" : `:${detail.line}`}${detail.document ? ` (document ${detail.document + 1})` : ""}`;
    super(`${where}: ${detail.path === "" ? "" : `${detail.path}: `}${problem} (found ${detail.value}); expected ${detail.expected}`);
    this.name = "GitopsEditError";
    this.file = detail.file;
    this.path = detail.path;
    this.value = detail.value;
    this.expected = detail.expected;
    if (detail.line !== undefined) this.line = detail.line;
    if (detail.document !== undefined) this.document = detail.document;
  }
}
