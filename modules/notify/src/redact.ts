/** Secrets (webhook URLs carry their token in the path; SMTP passwords) out of error messages. */

/**
 * The text with each secret, and each of its URL-decoded, URL-encoded and JSON-escaped forms and
 * (for a multi-line secret) each of its lines, replaced by ***: a server may quote the value
 * escaped, or reflow it over its own response lines (SMTP).
 */
export function redact(text: string, secrets: (string | undefined)[]): string {
  const forms = secrets
    .flatMap((s) => (s ? [s, encodeURIComponent(s), safeDecode(s), JSON.stringify(s).slice(1, -1), ...(s.includes("\n") ? s.split(/\r?\n/).filter((l) => l.length >= 8) : [])] : []))
    .filter((s) => s.length >= 4);
  return [...new Set(forms)].sort((a, b) => b.length - a.length).reduce((t, s) => t.split(s).join("***"), text);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
