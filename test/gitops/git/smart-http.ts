/**
 * A git smart-HTTP server for tests: node:http in front of `git http-backend` (CGI), serving the
 * bare repositories under a folder, requiring one exact Authorization header, and recording what
 * each request carried.
 */
import { spawn } from "node:child_process";
import { listen } from "./http.js";

/** One request the server received. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** A running server. */
export interface HttpServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Requests so far. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Serve `root`'s bare repositories over smart HTTP; with `authorization`, a request without exactly that header gets 401. */
export async function smartHttp(root: string, authorization: string | undefined): Promise<HttpServer> {
  const seen: SeenRequest[] = [];
  const server = await listen((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    seen.push({ method: req.method ?? "", path: url.pathname, authorization: req.headers.authorization });
    if (authorization !== undefined && req.headers.authorization !== authorization) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="gitops"', "Content-Type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH ?? "",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        // A REMOTE_USER turns on receive-pack (push) in http-backend.
        REMOTE_USER: "promoter",
        REMOTE_ADDR: "127.0.0.1",
        REQUEST_METHOD: req.method ?? "GET",
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        ...(req.headers["content-length"] ? { CONTENT_LENGTH: req.headers["content-length"] } : {}),
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        HTTP_GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      },
    });
    req.pipe(cgi.stdin);
    const out: Buffer[] = [];
    cgi.stdout.on("data", (d: Buffer) => out.push(d));
    cgi.on("close", () => {
      const all = Buffer.concat(out);
      const split = all.indexOf("\r\n\r\n");
      const head = all.subarray(0, split).toString("latin1");
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.split("\r\n")) {
        const i = line.indexOf(":");
        const [k, v] = [line.slice(0, i).trim(), line.slice(i + 1).trim()];
        if (k.toLowerCase() === "status") status = Number(v.split(" ")[0]);
        else if (k) headers[k] = v;
      }
      res.writeHead(status, headers);
      res.end(all.subarray(split + 4));
    });
  });
  return { ...server, seen };
}
