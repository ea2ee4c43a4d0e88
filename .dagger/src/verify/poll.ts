/**
 * What verification needs from the world, injected so that tests run on a fake clock and real
 * local servers: fetch, a clock and a sleep. Production passes liveDeps (globalThis.fetch).
 */

/** The side effects a verification makes: HTTP requests, reading the clock, waiting. */
export interface VerifyDeps {
  fetch: typeof globalThis.fetch;
  /** Milliseconds since the epoch (Date.now in production). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real world: Node's fetch, Date.now and a timer. */
export const liveDeps: VerifyDeps = {
  fetch: (input, init) => globalThis.fetch(input, init),
  now: () => Date.now(),
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
};

/** The longest one request may take, so a hanging server costs one poll, not the whole deadline. */
const REQUEST_TIMEOUT_MS = 10_000;

/** One request's time limit: REQUEST_TIMEOUT_MS, or less when the deadline is nearer (at least 1 ms). */
export function requestBudget(deadline: number, now: number): number {
  return Math.max(1, Math.min(REQUEST_TIMEOUT_MS, deadline - now));
}

/** Why a request got no answer, in words: a timeout, a refused connection, a name that does not resolve. */
export function networkError(e: unknown, budgetMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return `no answer within ${formatSeconds(budgetMs)} (request timed out)`;
  const cause = err?.cause?.code ?? err?.cause?.message;
  return `no answer: ${cause ? `${cause}${err.cause?.message && err.cause.message !== cause ? ` (${err.cause.message})` : ""}` : (err?.message ?? String(e))}`;
}

/** Milliseconds as seconds for a message: "0.5 s", "12 s". */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** The start of a body for a message: one line, at most max characters. */
export function excerpt(text: string, max = 120): string {
  const line = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(line.length > max ? `${line.slice(0, max)}…` : line);
}
