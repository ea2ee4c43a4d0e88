/** A recording JSON API server for the pull request clients' tests. */
import { listen } from "./http.js";

/** One request as the server saw it. */
export interface Recorded {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, if any (an upload's bytes that are not JSON: its text). */
  body: unknown;
  /** The body as sent. */
  raw: string;
}

/** What a route answers. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A running API. */
export interface ApiServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** Serve `route`'s answers as JSON and record every request. */
export async function apiServer(route: (r: Recorded) => Answer): Promise<ApiServer> {
  const requests: Recorded[] = [];
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const text = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: req.headers,
        body: text ? jsonOrText(text) : undefined,
        raw: text,
      };
      requests.push(recorded);
      let answer: Answer;
      try {
        answer = route(recorded);
      } catch (e) {
        answer = { status: 500, body: { message: (e as Error).message } };
      }
      const body = answer.body === undefined ? "" : JSON.stringify(answer.body);
      res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
      res.end(body);
    });
  });
  return { ...server, requests };
}

/**
 * Run `fn` with what it prints captured: stderr at the stream (libraries bind console.warn and
 * console.error when they load, so patching console is not enough) and console's stdout methods
 * (stdout itself carries the test runner's reports). Returns what was printed and the outcome.
 */
export async function capturingConsole<T>(fn: () => Promise<T>): Promise<{ printed: string; result?: T; error?: Error }> {
  const methods = ["log", "info", "debug"] as const;
  const saved = methods.map((m) => console[m]);
  const write = process.stderr.write;
  let printed = "";
  for (const m of methods) console[m] = (...args: unknown[]) => void (printed += `${args.map(String).join(" ")}\n`);
  process.stderr.write = ((chunk: string | Uint8Array) => ((printed += String(chunk)), true)) as typeof write;
  try {
    const result = await fn();
    return { printed, result };
  } catch (e) {
    return { printed, error: e as Error };
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]!));
    process.stderr.write = write;
  }
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
