/** Errors that are the user's to fix (a broken manifest, a bad override), as opposed to our bugs. */

/** A manifest or an argument that cannot be turned into a service graph; the message starts with the manifest's file name. */
export class AspireManifestError extends Error {
  /** Exit code for user errors, distinct from a failing run (1). */
  readonly exitCode = 2;
  /** The manifest file the error is about, as the caller named it. */
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "AspireManifestError";
    this.file = file;
  }
}
