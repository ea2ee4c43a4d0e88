// What the recorder answers for a leaf field. There is no schema here, so the
// type of each leaf is known by field name. The tables are checked against the
// SDK's own declarations (`client.gen.d.ts`) by recorder.test.ts, so a new SDK
// version that changes a leaf's type makes that test fail instead of drifting.
import { createHash } from "node:crypto";
import { mintId } from "./ids.js";
import type { Call, Chain } from "./types.js";

/** Leaves whose answer is an object ID (`sync` returns the object itself, as the engine does). */
export const ID_LEAVES = new Set(["id", "sync", "start", "stop", "step"]);

/** Leaves the SDK reads as numbers; answered 0 (so `exitCode` reads as success). */
export const NUMBER_LEAVES = new Set([
  "absoluteOffset",
  "addedLines",
  "asInteger",
  "cachedTokenReads",
  "cachedTokenWrites",
  "column",
  "createdTimeUnixNano",
  "diskSpaceBytes",
  "end",
  "entryCount",
  "exitCode",
  "inputTokens",
  "line",
  "lineNumber",
  "maxUsedSpace",
  "minFreeSpace",
  "mostRecentUseTimeUnixNano",
  "outputTokens",
  "permissions",
  "port",
  "removedLines",
  "reservedSpace",
  "retries",
  "size",
  "targetSpace",
  "totalTokens",
]);

/** Leaves the SDK reads as booleans; answered false. */
export const BOOLEAN_LEAVES = new Set([
  "activelyUsed",
  "asBoolean",
  "completed",
  "configExists",
  "debug",
  "exists",
  "experimentalSkipHealthcheck",
  "hasConfig",
  "hasPrompt",
  "initialized",
  "isEmpty",
  "isNull",
  "optional",
  "passed",
  "shell",
]);

/** Fields returning lists (of strings, or of objects the SDK selects `{ id }` on); answered []. */
export const LIST_FIELDS = new Set([
  "addedPaths",
  "args",
  "asArray",
  "branches",
  "clients",
  "configClients",
  "currentTypeDefs",
  "defaultArgs",
  "dependencies",
  "diffStats",
  "entries",
  "entrypoint",
  "enums",
  "envVariables",
  "exposedPorts",
  "fields",
  "functions",
  "glob",
  "history",
  "ignore",
  "inputArgs",
  "inputs",
  "interfaces",
  "labels",
  "list",
  "members",
  "modifiedPaths",
  "mounts",
  "objects",
  "outputs",
  "ports",
  "recordTypes",
  "removedPaths",
  "search",
  "submatches",
  "tags",
  "toolchains",
  "values",
  "variables",
  "vcsGeneratedPaths",
  "vcsIgnoredPaths",
]);

/** Leaves of GraphQL type Void; answered null. */
export const VOID_LEAVES = new Set(["exportImage", "prune", "returnError", "returnValue", "serve", "up"]);

/** Marks every digest the recorder invents: no real registry returns 16 leading zero hex digits by chance. */
export const RECORDED_DIGEST_PREFIX = "sha256:0000000000000000";

/** The fake `publish` answer: `<address>@sha256:<64 hex>`, deterministic in the address and the chain. */
export function recordedDigestRef(address: string, receiver: Chain): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([address, receiver]))
    .digest("hex");
  return `${address}@${RECORDED_DIGEST_PREFIX}${hash.slice(0, 48)}`;
}

/**
 * The fake `from(address).imageRef()` answer. The recorder has no registry: an image we publish
 * under an input tag (`…:in-<hash>`) is never there (the engine's `from` fails, so every run
 * builds), any other image always is, pinned to a recorded digest; a digest reference is answered
 * as it is.
 */
export function recordedImageRef(receiver: Chain): string {
  const from = receiver[receiver.length - 1];
  const address = from?.field === "from" ? String(from.args.address) : "";
  if (address === "") throw new Error("recorder: imageRef is only answered right after from (core/container.go ImageRefOrErr)");
  if (address.includes("@")) return address;
  if (/:in-[0-9a-f]{64}$/.test(address)) throw new Error(`recorder: failed to resolve image "${address}": not found (the recorder has no registry)`);
  return `${address}@${RECORDED_DIGEST_PREFIX}${createHash("sha256").update(address).digest("hex").slice(0, 48)}`;
}

/** The answer for leaf `call` selected on the object reached by `receiver`. */
export function leafAnswer(call: Call, receiver: Chain): unknown {
  const { field, args } = call;
  if (ID_LEAVES.has(field)) return mintId(receiver);
  if (field === "publish") return recordedDigestRef(String(args.address), receiver);
  if (field === "imageRef") return recordedImageRef(receiver);
  // The engine answers `export` with the path it wrote to; echo the requested path.
  if (field === "export") return typeof args.path === "string" ? args.path : "";
  if (NUMBER_LEAVES.has(field)) return 0;
  if (BOOLEAN_LEAVES.has(field)) return false;
  if (LIST_FIELDS.has(field)) return [];
  if (VOID_LEAVES.has(field)) return null;
  // Everything else the SDK reads is a string-like scalar (String, JSON, Platform, enums): "".
  return "";
}
