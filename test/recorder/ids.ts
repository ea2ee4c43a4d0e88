// Opaque object IDs. The recorder has no state to look IDs up in: each ID carries
// its own chain, so an ID the SDK sends back (withServiceBinding(service: ...),
// loadContainerFromID(id: ...), node(id: ...)) resolves without a session.
import type { Chain } from "./types.js";

// Recognisable in raw queries, and distinguishes our IDs from ordinary string arguments.
const PREFIX = "recorded-id:";

/** Mints the ID the recorder answers for an object reached by `chain`. */
export function mintId(chain: Chain): string {
  // base64url keeps the ID free of quotes and backslashes, so the SDK can inline it in a query string as is.
  return PREFIX + Buffer.from(JSON.stringify(chain)).toString("base64url");
}

/** True when `value` is an ID this recorder minted (and so must be resolved, not treated as text). */
export function isRecordedId(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

/** Resolves an ID minted by `mintId` back to its chain; throws on anything else. */
export function decodeId(id: string): Chain {
  if (!id.startsWith(PREFIX)) {
    throw new Error(`recorder: ${JSON.stringify(id.slice(0, 60))} is not an ID this recorder minted`);
  }
  let chain: unknown;
  try {
    chain = JSON.parse(Buffer.from(id.slice(PREFIX.length), "base64url").toString("utf8"));
  } catch {
    chain = undefined;
  }
  if (!Array.isArray(chain)) {
    throw new Error(`recorder: malformed ID ${JSON.stringify(id.slice(0, 60))}`);
  }
  return chain as Chain;
}
