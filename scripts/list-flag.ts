/**
 * One occurrence of a list-of-strings flag (`--changed=…`, `--branches=…`) as the Dagger CLI reads
 * it: pflag's StringSlice, which takes the value as the first record of Go's encoding/csv with its
 * defaults. Fields are separated by commas; a field that starts with `"` is quoted (`""` inside is
 * one `"`, and commas and line breaks are kept); a `"` anywhere else is an error; nothing is
 * trimmed; `\r\n` reads as `\n`; what follows the first record's line end is ignored. An empty
 * value is an empty list. Repeating the flag appends its records. `npm run plan` reads `--changed`
 * the same way, so its plan and the engine's agree for the same arguments.
 */

/** The strings one occurrence of the flag holds; throws Go's parse errors for malformed quoting. */
export function readListFlag(value: string): string[] {
  if (value === "") return [];
  // Go's reader normalises \r\n and skips empty lines before the record; nothing but empty lines is EOF (pflag reports it).
  const text = value.replace(/\r\n/g, "\n").replace(/^\n+/, "");
  if (text === "") throw new Error("EOF: the value holds no record");
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] !== '"') {
      let end = i;
      while (end < text.length && text[end] !== "," && text[end] !== "\n") end++;
      const field = text.slice(i, end);
      if (field.includes('"')) throw new Error(`parse error: bare " in non-quoted field ${JSON.stringify(field)}`);
      fields.push(field);
      if (text[end] !== ",") return fields;
      i = end + 1;
      continue;
    }
    let field = "";
    let at = i + 1;
    for (;;) {
      const quote = text.indexOf('"', at);
      if (quote < 0) throw new Error(`parse error: extraneous or missing " in quoted field starting ${JSON.stringify(text.slice(i, i + 40))}`);
      field += text.slice(at, quote);
      const next = text[quote + 1];
      if (next === '"') {
        field += '"';
        at = quote + 2;
        continue;
      }
      if (next !== "," && next !== "\n" && next !== undefined) throw new Error(`parse error: extraneous or missing " in quoted field starting ${JSON.stringify(text.slice(i, i + 40))}`);
      fields.push(field);
      if (next !== ",") return fields;
      i = quote + 2;
      break;
    }
  }
}
