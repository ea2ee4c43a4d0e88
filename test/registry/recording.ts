/**
 * Recorded HTTP exchanges (test helper): a fetch that records what passes through it, the JSON
 * shape of test/registry/fixtures/*.json, and a fake fetch that replays them.
 */

/** One request as the client sent it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Request body as UTF-8 text (manifests are JSON). */
  body?: string;
}

/** One response as the server sent it. */
export interface RecordedResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** Response body as UTF-8 text; absent for HEAD and empty bodies. */
  body?: string;
}

/** A request and its response, with the step of the scenario that made it. */
export interface Exchange {
  step: string;
  request: RecordedRequest;
  response: RecordedResponse;
}

/** A fixture file. */
export interface Fixture {
  description: string;
  source: string;
  /** The registry address the exchanges were made with (`127.0.0.1:<port>` for recordings). */
  registry: string;
  /** Values the scenario used: tags, digests, the test credentials. */
  values: Record<string, string>;
  exchanges: Exchange[];
}

/** A fetch that passes requests to `inner` and appends each exchange to `log` under the current step. */
export function recordingFetch(inner: typeof fetch, log: Exchange[], step: () => string): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    const method = init?.method ?? "GET";
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = init?.body instanceof Uint8Array ? utf8(init.body) : undefined;
    const response = await inner(input, init);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const text = bytes.length > 0 ? utf8(bytes) : undefined;
    log.push({
      step: step(),
      request: { method, url, headers, ...(body === undefined ? {} : { body }) },
      response: { status: response.status, statusText: response.statusText, headers: Object.fromEntries(response.headers.entries()), ...(text === undefined ? {} : { body: text }) },
    });
    return new Response(method === "HEAD" || bytes.length === 0 ? null : bytes, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** A fake fetch answering from recorded exchanges, matched on method, URL, Authorization and body; `requests` lists what it was asked. */
export function replayFetch(exchanges: Exchange[]): { fetch: typeof fetch; requests: RecordedRequest[] } {
  const used = new Set<Exchange>();
  const requests: RecordedRequest[] = [];
  const fake: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    const method = init?.method ?? "GET";
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = init?.body instanceof Uint8Array ? utf8(init.body) : undefined;
    requests.push({ method, url, headers, ...(body === undefined ? {} : { body }) });
    const matches = exchanges.filter((e) => e.request.method === method && sameUrl(e.request.url, url) && e.request.headers.authorization === headers.authorization && e.request.body === body);
    const exchange = matches.find((e) => !used.has(e)) ?? matches.at(-1);
    if (!exchange) throw new Error(`replay: no recorded exchange for ${method} ${url} (authorization ${headers.authorization ? "set" : "absent"})`);
    used.add(exchange);
    const r = exchange.response;
    const noBody = method === "HEAD" || r.body === undefined || r.status === 204 || r.status === 304;
    return new Response(noBody ? null : r.body, { status: r.status, statusText: r.statusText, headers: r.headers });
  };
  return { fetch: fake, requests };
}

/** Same origin and path, and the same query parameters in any order and either encoding. */
function sameUrl(a: string, b: string): boolean {
  const [x, y] = [new URL(a), new URL(b)];
  const query = (u: URL) => JSON.stringify([...u.searchParams].map(([k, v]) => `${k}=${v}`).sort());
  return x.origin === y.origin && x.pathname === y.pathname && query(x) === query(y);
}

function utf8(bytes: Uint8Array): string {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  if (Buffer.compare(Buffer.from(text, "utf8"), Buffer.from(bytes)) !== 0) throw new Error("recording: body does not round-trip as UTF-8");
  return text;
}
