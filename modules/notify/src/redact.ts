/** Secrets (webhook URLs carry their token in the path; SMTP passwords) out of error messages. */

/** The text with each secret, and each of its URL-decoded and encoded forms, replaced by ***. */
export function redact(text: string, secrets: (string | undefined)[]): string {
  const forms = secrets.flatMap((s) => (s ? [s, encodeURIComponent(s), safeDecode(s)] : [])).filter((s) => s.length >= 4);
  return [...new Set(forms)].sort((a, b) => b.length - a.length).reduce((t, s) => t.split(s).join("***"), text);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
