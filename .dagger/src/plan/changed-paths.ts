/**
 * Changed files as CI hands them over (`git diff --name-only`, relative to the folder of
 * pipeline.yaml), in the one spelling the affected-component rules match: forward slashes,
 * normalised (`db/../backend/x.ts` is backend's file, not db's), inside the repository.
 */
import { posix } from "node:path";
import { InputError, quoted } from "../errors.js";

/** The changed paths normalised; blank entries (a trailing comma, an empty diff line) are dropped, anything else that names no file in the repository is refused. */
export function normaliseChanged(paths: readonly string[]): string[] {
  return paths
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map(normaliseOne);
}

function normaliseOne(raw: string): string {
  const refuse = (why: string): never => {
    throw new InputError(`changed: ${quoted(raw)} ${why}; changed files are paths relative to the folder of pipeline.yaml, as git diff --name-only prints them, e.g. backend/src/server.ts`);
  };
  // git quotes a name with a control character ("a\nb"): a raw one is not a path git printed, and would forge output lines.
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(raw)) refuse("holds a control character");
  const slashed = raw.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:\//.test(slashed)) refuse("is absolute");
  const path = posix.normalize(slashed).replace(/\/$/, "");
  if (path === "..") refuse("is the folder above the repository");
  if (path.startsWith("../")) refuse("is outside the repository");
  if (path === ".") refuse("names the repository's folder itself, not a file");
  return path;
}
