// The HTTP side of the recorder: the endpoint the SDK's GraphQL client talks to
// when DAGGER_SESSION_PORT / DAGGER_SESSION_TOKEN are set
// (POST http://127.0.0.1:<port>/query, `Authorization: Basic base64(<token>:)`).
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerQuery, type Stubs } from "./answer.js";
import type { RecordedQuery } from "./types.js";

/** A running recorder: where it listens, the token it accepts, and what it has recorded so far. */
export interface Recorder {
  port: number;
  token: string;
  /** Every authorised request, in arrival order. */
  queries: RecordedQuery[];
  /** Requests refused for a missing or wrong token. */
  rejected: number;
  /** The most authorised requests that were in flight at once: 1 means the caller never overlapped its calls. */
  maxInFlight: number;
  close(): Promise<void>;
}

/**
 * Starts a recorder on 127.0.0.1 (ephemeral port) that accepts only `token` as the basic-auth user.
 * holdMs delays every answer, so calls a caller makes concurrently overlap measurably (maxInFlight).
 */
export async function startRecorder(token: string = randomBytes(16).toString("hex"), stubs: Stubs = () => undefined, holdMs = 0): Promise<Recorder> {
  // The exact header the SDK builds (common/graphql/client.js): the token is the user, the password empty.
  const expected = `Basic ${Buffer.from(`${token}:`).toString("base64")}`;
  const queries: RecordedQuery[] = [];
  let rejected = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req, res) => {
    if (req.url !== "/query" || req.method !== "POST") return reply(res, 404, { error: "not found" });
    if (req.headers.authorization !== expected) {
      rejected++;
      res.setHeader("WWW-Authenticate", 'Basic realm="dagger"');
      return reply(res, 401, { error: "unauthorized" });
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    readBody(req).then(
      (body) => setTimeout(() => answer(body, queries, res, stubs), holdMs),
      (e: unknown) => reply(res, 400, { error: String(e) }),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });

  return {
    port: (server.address() as AddressInfo).port,
    token,
    queries,
    get rejected() {
      return rejected;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK's fetch keeps connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function answer(body: string, queries: RecordedQuery[], res: ServerResponse, stubs: Stubs): void {
  let request: { query?: unknown; variables?: Record<string, unknown> };
  try {
    request = JSON.parse(body) as typeof request;
  } catch {
    return reply(res, 400, { error: "body is not JSON" });
  }
  const query = typeof request.query === "string" ? request.query : "";
  try {
    const { data, leaves } = answerQuery(query, request.variables ?? {}, stubs);
    queries.push({ query, leaves });
    reply(res, 200, { data });
  } catch (e) {
    // Recorded too, so a test can see what the SDK asked for when the recorder could not answer.
    const error = e instanceof Error ? e.message : String(e);
    queries.push({ query, leaves: [], error });
    reply(res, 200, { data: null, errors: [{ message: error }] });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
