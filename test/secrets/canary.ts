/**
 * Secret canaries: a 4 KB multi-line random value carrying a marker unique to the run, and every
 * form in which it could leak (whole, each line, base64 of it and of user:it, URL-encoded,
 * JSON-escaped). A leak check looks for all of them, since a producer that escapes, encodes or
 * splits a secret leaks it just the same.
 */
import { randomBytes } from "node:crypto";

/** Size of a canary in bytes: a certificate or key bundle is that big, and big values get truncated. */
export const CANARY_BYTES = 4096;

/** A marker unique to this run, so that a hit can never be an old value or a fixture. */
export const MARKER = `CANARY${randomBytes(4).toString("hex").toUpperCase()}`;

/**
 * A new canary of exactly CANARY_BYTES: 64 lines of random base64url text, each starting with the
 * marker and its number (so a leaked line says which one), joined by newlines.
 */
export function canary(marker = MARKER): string {
  const lines = Array.from({ length: 64 }, (_, i) => `${marker}-${i}-`);
  const room = CANARY_BYTES - (lines.length - 1) - lines.reduce((n, l) => n + l.length, 0);
  // Spread the random text over the lines; the first lines take the remainder.
  return lines
    .map(
      (l, i) =>
        `${l}${randomBytes(64)
          .toString("base64url")
          .slice(0, Math.floor(room / lines.length) + (i < room % lines.length ? 1 : 0))}`,
    )
    .join("\n");
}

/**
 * The forms a leak could take; a line counts only when it is long enough to be unmistakable. The
 * start of each base64 form counts on its own: a message cut short still holds a decodable part.
 */
export function leakForms(secret: string, user = ""): string[] {
  const lines = secret.split("\n").filter((l) => l.length >= 16);
  const base64 = [Buffer.from(secret).toString("base64"), ...(user ? [Buffer.from(`${user}:${secret}`).toString("base64")] : [])];
  return [secret, ...lines, ...base64, ...base64.map((b) => b.slice(0, 40)), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
}

/** The leak forms found in `text` (empty when it is clean), shortened for messages. */
export function leaksIn(text: string, secret: string, user = ""): string[] {
  return leakForms(secret, user)
    .filter((f) => text.includes(f))
    .map((f) => `${f.slice(0, 24)}… (${f.length} chars)`);
}

/** Fails naming `where` and each leaked form when `text` holds any form of the secret. */
export function assertNoLeak(text: string, secret: string, where: string, user = ""): void {
  const found = leaksIn(text, secret, user);
  if (found.length > 0) throw new Error(`${where}: the secret leaked in ${found.length} form(s): ${found.slice(0, 5).join(", ")}${found.length > 5 ? ", …" : ""}`);
}
