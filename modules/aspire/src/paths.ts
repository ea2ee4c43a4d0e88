/** Paths as the manifest writes them (relative to the manifest's folder, '/' or '\'), for runners that want them elsewhere. */
import { posix } from "node:path";
import { AspireManifestError } from "./errors.js";

/** A manifest path with '/' separators and no "./" prefix. */
export const normalizePath = (p: string): string => posix.normalize(p.replace(/\\/g, "/")).replace(/\/$/, "") || ".";

/** A Dockerfile path (relative to the manifest's folder) relative to its build context, as docker build and Compose want it. */
export function dockerfileInContext(context: string, dockerfile: string): string {
  return posix.relative(normalizePath(context), normalizePath(dockerfile)) || ".";
}

/** A manifest path seen from a folder that reaches the manifest's folder by `manifestDir`; kept relative, starting with ./ or ../ so Compose reads it as a path. */
export function fromManifestDir(manifestDir: string, path: string): string {
  const normalized = normalizePath(path);
  // An absolute path (Aspire writes one when the source is on another drive) means the same from anywhere.
  if (normalized.startsWith("/") || /^[A-Za-z]:\//.test(normalized)) return normalized;
  const joined = posix.join(normalizePath(manifestDir), normalized);
  return joined.startsWith("/") || joined.startsWith("../") || joined === ".." ? joined : `./${joined === "." ? "" : joined}`.replace(/\/$/, "") || ".";
}

/**
 * The manifest's folder as seen from the folder a Compose file is written to (both inside the
 * source folder), for fromManifestDir: Compose reads a build context relative to its own file.
 */
export function manifestDirFrom(composeDir: string, manifestDir: string, file: string): string {
  const from = normalizePath(composeDir);
  if (posix.isAbsolute(from) || from === ".." || from.startsWith("../") || /^[A-Za-z]:\//.test(from))
    throw new AspireManifestError(file, `--compose-dir ${JSON.stringify(composeDir)}: not a folder inside the source folder; give it relative to the source's root, e.g. deploy`);
  return posix.relative(from, normalizePath(manifestDir)) || ".";
}
