/** `name=value` command-line lists (--override, --image, --parameter, --test-env) as records. */
import { AspireManifestError } from "./errors.js";

/** Parse name=value entries; a malformed or repeated name is an error naming the flag and the entry. */
export function parseAssignments(entries: string[], flag: string): Record<string, string> {
  // No prototype: a resource named constructor is a name like any other, and __proto__ is kept, not dropped.
  const out: Record<string, string> = Object.create(null);
  for (const entry of entries) {
    const at = entry.indexOf("=");
    const name = at > 0 ? entry.slice(0, at).trim() : "";
    if (!name || at === entry.length - 1) throw new AspireManifestError(flag, `"${entry}" is not name=value (e.g. ${flag} backend=registry.example.com/shop/backend:<sha>@sha256:<digest>)`);
    if (Object.hasOwn(out, name)) throw new AspireManifestError(flag, `${name} is given twice`);
    out[name] = entry.slice(at + 1);
  }
  return out;
}
