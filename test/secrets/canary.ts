/**
 * Secret canaries: a 4 KB multi-line random value with a marker, and every form in which it could
 * leak (whole, each line, base64 of it and of user:it, URL-encoded, JSON-escaped).
 */
import { randomBytes } from "node:crypto";

/** A new canary: 64 lines of random base64url text, each carrying the marker. */
export function canary(marker = "CANARY"): string {
  return Array.from({ length: 64 }, (_, i) => `${marker}-${i}-${randomBytes(36).toString("base64url")}`).join("\n");
}

/** The forms a leak could take; a line counts only when it is long enough to be unmistakable. */
export function leakForms(secret: string, user = ""): string[] {
  const lines = secret.split("\n").filter((l) => l.length >= 16);
  return [
    secret,
    ...lines,
    Buffer.from(secret).toString("base64"),
    ...(user ? [Buffer.from(`${user}:${secret}`).toString("base64")] : []),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
}

/** The leak forms found in `text` (empty when it is clean), shortened for messages. */
export function leaksIn(text: string, secret: string, user = ""): string[] {
  return leakForms(secret, user).filter((f) => text.includes(f)).map((f) => `${f.slice(0, 24)}… (${f.length} chars)`);
}
