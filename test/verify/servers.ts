// Real HTTP servers on 127.0.0.1 for the verification tests, and a fake clock: requests go over
// the loopback for real, while waiting between polls costs no time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { VerifyDeps } from "../../.dagger/src/verify/poll.js";

/** A started server and its base URL; close() ends it and every open connection. */
export interface Started {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Start a node:http server on an ephemeral loopback port. */
export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Started> {
  const server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Answer with JSON. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** A clock that moves only when the code under test sleeps; fetch is the real one. */
export function fakeClock(start = 1_750_000_000_000): { deps: VerifyDeps; slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    deps: {
      fetch: (input, init) => globalThis.fetch(input, init),
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    },
  };
}
