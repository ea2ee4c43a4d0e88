/**
 * Engine rule (g): secret scrubbing of exec output, Dagger v0.21.9 (see source.ts).
 *
 * Read in dagger/dagger:
 * - engine/engineutil/executor_spec.go `(*Client).setupSecretScrubbing`: stdout and stderr of an exec
 *   go through `NewSecretScrubReader` with the exec's secret env variables (`execMD.SecretEnvNames`)
 *   and the exec's mounted secret files (`execMD.SecretFilePaths`); core/container_exec.go fills those
 *   from the container's `Secrets` (EnvName or MountPath). Only the secrets exposed to that exec count.
 * - engine/engineutil/secret_scrub.go `NewSecretScrubReader`: every non-empty secret value (a file's
 *   whole content, an env variable's whole value) and its `bytes.TrimSpace` form go into a trie with
 *   the replacement `***`; `(*censor).Transform` streams bytes through it: at a byte where no secret
 *   can continue, the longest secret matched so far is replaced and the bytes after it are flushed
 *   as they are; with no match, the buffered bytes are flushed as they are.
 *
 * Behaviour: exact values only. A token that sits inside a larger secret (an .npmrc holding
 * `_authToken=<token>`) is not a secret of its own: printed alone it is not scrubbed.
 */

/** What replaces a secret (secret_scrub.go `scrubString`). */
export const SCRUBBED = "***";

/** A wrong model for the mutant test: "any secret's substrings are scrubbed" (the belief behind item 8). */
export type ScrubMutant = "substring-of-secret";

/** The text as the engine prints it: exact secret values (and their trimmed forms) replaced by ***. */
export function scrub(text: string, secretValues: string[], mutant?: ScrubMutant): string {
  const keys = [
    ...new Set(
      secretValues
        .filter((v) => v.length > 0)
        .flatMap((v) => [v, v.trim()])
        .filter((v) => v.length > 0),
    ),
  ].map((k) => Buffer.from(k));
  if (mutant === "substring-of-secret") {
    // Wrong: treats every token-looking word inside a secret as a secret of its own.
    const words = secretValues.flatMap((v) => v.split(/[^A-Za-z0-9_-]+/)).filter((w) => w.length >= 8);
    return words.reduce((t, w) => t.split(w).join(SCRUBBED), scrub(text, secretValues));
  }
  const src = Buffer.from(text);
  const isPrefix = (buf: Buffer) => keys.some((k) => k.length >= buf.length && k.subarray(0, buf.length).equals(buf));
  const isKey = (buf: Buffer) => keys.some((k) => k.equals(buf));
  const out: Buffer[] = [];
  let pending: number[] = [];
  let matchLen = 0;
  for (let i = 0; i < src.length; i++) {
    const next = Buffer.from([...pending, src[i]]);
    if (isPrefix(next)) {
      pending = [...next];
      if (isKey(next)) matchLen = next.length;
      continue;
    }
    if (matchLen > 0) {
      out.push(Buffer.from(SCRUBBED), Buffer.from(pending.slice(matchLen)));
      pending = [];
      matchLen = 0;
      i--; // the current byte is processed again
    } else if (pending.length > 0) {
      out.push(Buffer.from(pending));
      pending = [];
      i--;
    } else out.push(Buffer.from([src[i]]));
  }
  out.push(matchLen > 0 ? Buffer.concat([Buffer.from(SCRUBBED), Buffer.from(pending.slice(matchLen))]) : Buffer.from(pending));
  return Buffer.concat(out).toString();
}
