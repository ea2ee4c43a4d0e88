/**
 * A token server as the distribution token spec describes it (test helper; the Debian package
 * ships the spec as /usr/share/doc/docker-registry/spec/auth/token.md.gz and jwt.md.gz):
 * GET <realm>?service=…&scope=repository:<name>:<actions> with Basic credentials →
 * `{"token", "access_token", "expires_in", "issued_at"}`, the token an ES256 JWT whose `x5c`
 * header carries a self-signed certificate (made with openssl) that the registry trusts via
 * `auth.token.rootcertbundle`. The registry that checks the tokens is the real one; this part is ours.
 */
import { spawnSync } from "node:child_process";
import { createPrivateKey, randomUUID, sign, X509Certificate } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { tempDir } from "./registry-server.js";

/** A running token server. */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certificatePem: string;
  /** Every token request it received: the scopes asked for and whether the credentials were right. */
  requests: { scopes: string[]; service: string | null; authenticated: boolean }[];
  stop(): Promise<void>;
}

/** Start a token server on a free 127.0.0.1 port that grants pull and push to one user. */
export async function startTokenServer(username: string, password: string): Promise<TokenServer> {
  const dir = tempDir("token-server");
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=registry-test-token-issuer",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  const key = createPrivateKey(readFileSync(join(dir, "key.pem")));
  const certificatePem = readFileSync(join(dir, "cert.pem"), "utf8");
  const certificateDer = new X509Certificate(certificatePem).raw.toString("base64");
  const service = "registry-integration-test";
  const issuer = "registry-test-token-issuer";
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  const requests: TokenServer["requests"] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://token");
    const authenticated = req.headers.authorization === expected;
    const scopes = url.searchParams.getAll("scope");
    requests.push({ scopes, service: url.searchParams.get("service"), authenticated });
    if (url.pathname !== "/token") return void res.writeHead(404).end();
    if (!authenticated) {
      res.writeHead(401, { "Content-Type": "application/json", "WWW-Authenticate": 'Basic realm="token"' });
      return void res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "invalid username or password" }] }));
    }
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((s) => {
      const [type, ...rest] = s.split(":");
      const actions = rest.pop() ?? "";
      return { type, name: rest.join(":"), actions: actions.split(",").filter((a) => a === "pull" || a === "push") };
    });
    const token = jwt({ typ: "JWT", alg: "ES256", x5c: [certificateDer] }, { iss: issuer, sub: username, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }, key);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
  });
  // Port 0: the kernel picks a port nobody holds (a probed "free" port can be taken by a parallel test).
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificatePem,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => rmSync(dir, { recursive: true, force: true })),
  };
}

function jwt(header: object, claims: object, key: ReturnType<typeof createPrivateKey>): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }).toString("base64url");
  return `${input}.${signature}`;
}
