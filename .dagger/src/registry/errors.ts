/** Failures of a registry conversation, worded for the person who has to fix them. */

/** A registry request that failed: `registry <host>: <METHOD> <path>: <status> (<what the registry said>; <hint>)`; never holds credentials. */
export class RegistryError extends Error {
  /** HTTP status of the failed answer, when there was one. */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = "RegistryError";
    this.status = status;
  }
}

/** The registry's own explanation from an error body (`{"errors":[{"code","message"}]}`), or the start of the text. */
export function errorDetail(body: string): string | undefined {
  const text = body.trim();
  if (text === "") return undefined;
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0)
      return parsed.errors.map((e) => [e.code, e.message].filter((x) => typeof x === "string" && x !== "").join(": ")).join("; ");
  } catch {
    // not JSON: fall through to the text
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A fetch failure in words: timeout, or the network error under fetch's generic "fetch failed". */
export function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "no answer in time";
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}
