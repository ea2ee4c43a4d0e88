/** The push script's machine-readable answer: the last line of its stdout, one JSON object. */

/** A commit that reached the branch first and conflicts with the promotion. */
export interface OtherCommit {
  /** Full SHA. */
  commit: string;
  /** Its subject line. */
  subject: string;
}

/** What the push script reports. */
export type PushResult =
  | { status: "pushed"; commit: string; attempts: number; branch: string }
  | { status: "already-there"; commit: string; branch: string }
  | { status: "conflict"; files: string[]; commit: string; commits: OtherCommit[]; branch: string; message: string }
  | { status: "invalid"; message: string }
  | { status: "failed"; message: string };

/** The statuses a result can have, for validation. */
const STATUSES = new Set(["pushed", "already-there", "conflict", "invalid", "failed"]);

/** Parse the script's stdout (progress never goes there, but only the last non-empty line counts). */
export function parsePushResult(stdout: string): PushResult {
  const last = stdout.trim().split("\n").pop() ?? "";
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    throw new Error(`the push script printed no result (last line: ${JSON.stringify(last.slice(0, 200))})`);
  }
  const status = (json as { status?: unknown } | null)?.status;
  if (typeof status !== "string" || !STATUSES.has(status)) throw new Error(`the push script printed an unknown result: ${last.slice(0, 200)}`);
  return json as PushResult;
}

/** Whether the promotion is on the branch (made now, or by an earlier identical run). */
export const landed = (r: PushResult): r is Extract<PushResult, { commit: string; branch: string }> & { status: "pushed" | "already-there" } => r.status === "pushed" || r.status === "already-there";
