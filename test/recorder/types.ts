// Data shapes shared by the recorder's server and graph builder. Kept apart so
// neither has to import the other to agree on what a recorded call looks like.

/** An object ID passed as an argument, resolved back to the chain of calls that produced the object. */
export interface Ref {
  $ref: Chain;
}

/** An argument value as recorded: plain GraphQL input values, or a `Ref` where the SDK sent an ID. */
export type Value = null | boolean | number | string | Value[] | Ref | { [key: string]: Value };

/** One field selection: its name and its arguments (keys sorted, secret plaintext dropped). */
export interface Call {
  field: string;
  args: { [name: string]: Value };
}

/** Calls from the query root down to an object or, for a recorded leaf, down to the leaf field. */
export type Chain = Call[];

/** One request the recorder received: the raw GraphQL text and the chain of every leaf it answered. */
export interface RecordedQuery {
  query: string;
  leaves: Chain[];
  /** Set when the recorder refused to answer (unknown ID, parse error); the SDK then sees a GraphQL error. */
  error?: string;
}

/** True when `value` is a resolved object ID rather than an input object. */
export function isRef(value: Value): value is Ref {
  // `$` cannot start a GraphQL name, so no input object sent by the SDK can collide with this key.
  return typeof value === "object" && value !== null && !Array.isArray(value) && "$ref" in value;
}
