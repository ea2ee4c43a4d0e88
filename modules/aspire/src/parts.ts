/**
 * Resolved strings as parts, so that a secret is never a plain string in the graph: a secret
 * parameter's value (given or generated) is a part naming the parameter; the runner (Dagger:
 * a Secret; Compose: a ${VAR} reference) decides how to spell it.
 */

/** One piece of a resolved string: literal text, or a secret parameter's value (URI-encoded when `filter` is "uri"). */
export type Part = { text: string } | { secret: string; filter?: "uri" };

/** Literal text as parts (none for the empty string). */
export const text = (value: string): Part[] => (value === "" ? [] : [{ text: value }]);

/** Parts with adjacent texts merged and empty texts dropped, so equal strings have equal parts. */
export function normalize(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if ("text" in p) {
      if (p.text === "") continue;
      if (last && "text" in last) out[out.length - 1] = { text: last.text + p.text };
      else out.push({ text: p.text });
    } else out.push(p.filter ? { secret: p.secret, filter: p.filter } : { secret: p.secret });
  }
  return out;
}

/** Parts with a filter applied: text is encoded now, a secret part carries the filter for whoever renders it. */
export function applyFilter(parts: Part[], filter: "uri"): Part[] {
  // A secret that is already URI-encoded would be encoded twice by Aspire too; keep Aspire's meaning.
  return parts.map((p) => ("text" in p ? { text: encodeURIComponent(p.text) } : { secret: p.secret, filter }));
}

/** The string the parts spell, with each secret part's value from `valueOf(parameterName)`, URI-encoded where the part says so. */
export function render(parts: Part[], valueOf: (secret: string) => string): string {
  return parts.map((p) => ("text" in p ? p.text : p.filter === "uri" ? encodeURIComponent(valueOf(p.secret)) : valueOf(p.secret))).join("");
}

/** The parts as a plain string when they hold no secret; undefined when they do. */
export function plainText(parts: Part[]): string | undefined {
  return parts.every((p) => "text" in p) ? parts.map((p) => (p as { text: string }).text).join("") : undefined;
}
