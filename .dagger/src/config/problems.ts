import { maskCredentials } from "../vendor/credentials.js";

/** A problem found in a user's config: where it is, what is wrong, and the value that was given. */
export interface Problem {
  /** Dotted path of the key, e.g. components.backend.requires.db ("" for the document itself). */
  path: string;
  /** What is wrong and what would be valid. */
  message: string;
  /** The offending value as the user wrote it, when there is one. */
  value?: unknown;
  /** 1-based line and column in the file, when the key can be located. */
  line?: number;
  col?: number;
}

/** The user's config is invalid; carries every problem found, not just the first. */
export class ConfigError extends Error {
  /** Exit code for user errors, distinct from a failing stage (1). */
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.map((p) => `  ${formatProblem(file, p)}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Dotted form of a zod/yaml path; numeric segments become [n]. */
export function dottedPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), "");
}

/** One line per problem: file:line:col path: message (got value), credentials masked (CI logs outlive the file's fix). */
export function formatProblem(file: string, p: Problem): string {
  const where = p.line ? `${file}:${p.line}:${p.col ?? 1}` : file;
  const got = p.value === undefined ? "" : ` (got ${showValue(p.value)})`;
  return maskCredentials(`${where} ${p.path || "(document)"}: ${p.message}${got}`);
}

function showValue(v: unknown): string {
  // Masked before JSON escaping (a quote in a password would end the masked value early) and
  // before the cut below (a cut secret would no longer be recognised).
  const s = typeof v === "string" ? JSON.stringify(maskCredentials(v)) : maskCredentials(JSON.stringify(v) ?? String(v));
  // Long values (a whole mapping) would drown the message; the path already says where.
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
