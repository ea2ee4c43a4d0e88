/** Keeps credentials out of every message the registry code produces. */

/** Secrets seen so far (password, derived Authorization values, bearer tokens) and their removal from text. */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Remember a secret, and the JSON-escaped and URL-encoded forms a registry may echo it in; empty strings are ignored. */
  add(secret: string | undefined): void {
    if (!secret) return;
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) this.#secrets.add(form);
  }

  /** The text with every known secret replaced by `***`, longest first so that one secret cannot reveal part of another. */
  redact(text: string): string {
    return [...this.#secrets].sort((a, b) => b.length - a.length).reduce((t, s) => t.split(s).join("***"), text);
  }
}
