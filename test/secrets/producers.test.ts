/**
 * Secret canaries through every engine-free producer that ever holds a secret's plaintext, each
 * made to fail the way that would tempt it to print the secret (a server that echoes the
 * credentials back, a malformed URL, a remote that quotes the Authorization header). No form of
 * the canary (whole, each line, base64 and its start, URL-encoded, JSON-escaped) may come out.
 *
 * Producers covered here:
 *  - the mirror's .npmrc (.dagger/src/mirror/npmrc.ts), checked with the real npm CLI;
 *  - the registry client's errors (.dagger/src/registry: transport, auth, redact) for Basic and
 *    Bearer registries and token servers that echo the credentials in JSON, text and cut bodies;
 *  - Flyway's database URL handling (modules/flyway/src/connection.ts): every refusal;
 *  - the GitOps push script (modules/gitops/src/git/push-script.ts) with real git against a
 *    smart-HTTP remote: a push (output, the clone's files, the remote's objects, refs, reflogs
 *    and config) and a remote that quotes the Authorization header back;
 *  - the pull request clients' errors (modules/gitops/src/git/gitea.ts, github.ts);
 *  - failure notifications (modules/notify): webhook errors and SMTP errors;
 *  - the config loader's problems (.dagger/src/config): URLs with credentials;
 *  - producers that take no secret at all and must not find one in the environment: the
 *    Compose writer, release records, environment states, GitOps commit messages and trailers,
 *    the plan renderer and the config summary.
 * The recorded queries of ci, promote, e2e and the other functions are in ./leaks.test.ts; real
 * BuildKit builds and a real Gitea in scripts/integration/secrets.sh.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SMTPServer } from "smtp-server";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { summarise } from "../../.dagger/src/config/summary.js";
import { InputError } from "../../.dagger/src/errors.js";
import { npmrc } from "../../.dagger/src/mirror/npmrc.js";
import { toEvent } from "../../.dagger/src/plan/event.js";
import { plan } from "../../.dagger/src/plan/plan.js";
import { renderPlan } from "../../.dagger/src/plan/render.js";
import { RegistryClient } from "../../.dagger/src/registry/client.js";
import { emptyState, promoted, renderEnvironmentState } from "../../.dagger/src/release/state.js";
import { renderReleaseRecord } from "../../.dagger/src/release/record.js";
import { parseDatabaseUrl } from "../../modules/flyway/src/connection.js";
import { giteaPullRequests } from "../../modules/gitops/src/git/gitea.js";
import { githubPullRequests } from "../../modules/gitops/src/git/github.js";
import { promotionMessage } from "../../modules/gitops/src/git/message.js";
import { openOrFindPullRequest } from "../../modules/gitops/src/git/pull-requests.js";
import { PUSH_EXIT } from "../../modules/gitops/src/git/push-script.js";
import { sendFailureEmail } from "../../modules/notify/src/email.js";
import { postWebhook } from "../../modules/notify/src/webhook.js";
import { maskCredentials } from "../../lib/credentials.js";
import { bareRemote, promotionEnv, runPush, tempDir, writeFiles } from "../gitops/git/git-fixture.js";
import { smartHttp } from "../gitops/git/smart-http.js";
import { exampleRelease, REV_A } from "../release/fixture.js";
import { EXAMPLE_RELEASE, exampleCompose, exampleConfig } from "../topology/fixture.js";
import { ROOT } from "../tiers/modules.js";
import { assertNoLeak, CANARY_BYTES, canary, leaksIn, MARKER } from "./canary.js";
import { everyFile, everyObject } from "./git-evidence.js";

const SECRET = canary();
/** The canary on one line (4 KB): what an HTTP header or a URL can carry, where a line break cannot go. */
const LINE = SECRET.replace(/\n/g, "");

/** Fails when `text` holds any form of the canary, multi-line or one-line, as itself or in user:secret. */
function clean(text: string, where: string, user = ""): void {
  assertNoLeak(text, SECRET, where, user);
  assertNoLeak(text, LINE, where, user);
}

/** An HTTP server on a free loopback port; the handler sees each request with its body. */
async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ url: string; host: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString())).on("end", () => handler(req, body, res));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))),
  };
}

/** The error a promise rejects with; fails when it resolves. */
async function rejection(p: Promise<unknown>, what: string): Promise<Error> {
  return p.then(
    () => assert.fail(`${what}: expected a failure`),
    (e: unknown) => e as Error,
  );
}

describe("the canary", () => {
  test("is 4 KB, multi-line, and carries this run's marker on every line", () => {
    assert.equal(Buffer.byteLength(SECRET), CANARY_BYTES);
    const lines = SECRET.split("\n");
    assert.equal(lines.length, 64);
    assert.ok(lines.every((l, i) => l.startsWith(`${MARKER}-${i}-`) && l.length >= 16));
    assert.notEqual(canary(), SECRET, "random per call");
  });

  test("the check can fail: a producer that cuts a message before redacting it is caught, as are encoded and split forms", () => {
    // The mistake fixed in four producers here: redact, then cut; the other order leaks the start.
    const leaky = (body: string) => body.slice(0, 200).split(LINE).join("***");
    assert.ok(leaksIn(leaky(`denied: ${LINE}`), SECRET).length > 0, "a cut one-line secret leaves its first line");
    assert.ok(leaksIn(`Basic ${Buffer.from(`ci:${SECRET}`).toString("base64").slice(0, 300)}`, SECRET, "ci").length > 0, "the start of a cut Basic value");
    assert.ok(leaksIn(`{"m":${JSON.stringify(SECRET)}}`, SECRET).length > 0, "JSON-escaped");
    assert.ok(leaksIn(`/hooks/${encodeURIComponent(SECRET)}`, SECRET).length > 0, "URL-encoded");
    assert.ok(leaksIn(SECRET.split("\n").join(" / "), SECRET).length > 0, "lines joined differently");
    assert.throws(() => clean(`x ${SECRET.split("\n")[40]} y`, "a log line"), /a log line: the secret leaked in 1 form/);
    clean("nothing here", "a clean text");
  });
});

describe("the mirror's .npmrc", () => {
  test("a token with a line break inside is refused without showing it: npm would print each further line in a warning", () => {
    const err = (() => {
      try {
        npmrc("https://nexus.example.com/repository/npm-group/", {}, { token: SECRET });
      } catch (e) {
        return e as Error;
      }
      return assert.fail("a multi-line token was accepted");
    })();
    assert.ok(err instanceof InputError);
    assert.match(err.message, /mirror token: holds a line break/);
    clean(err.message, "the refusal");
    assert.throws(() => npmrc("https://n.example/", {}, { token: SECRET, username: "ci" }), /line break/, "with a user (the _auth form) too");
  });

  test("why (real npm): the old way of writing a multi-line token makes npm print its lines; a one-line token with a final newline is clean", () => {
    const dir = tempDir("secrets-npmrc");
    const run = (text: string) => {
      const file = join(dir, `npmrc-${Math.random().toString(36).slice(2)}`);
      writeFileSync(file, text);
      const r = spawnSync("npm", ["config", "get", "registry", "--userconfig", file], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: dir } });
      assert.equal(r.status, 0, r.stderr);
      return `${r.stdout}${r.stderr}`;
    };
    // What npmrc() wrote before it refused line breaks: the value spread over 64 lines.
    const before = run(`registry=https://nexus.example.com/\n//nexus.example.com/:_authToken=${SECRET}\n`);
    const npmVersion = execFileSync("npm", ["--version"], { encoding: "utf8" }).trim();
    assert.ok(leaksIn(before, SECRET).length > 0, `npm ${npmVersion} no longer warns about unknown config keys; the refusal is still right, but this proof needs another form`);
    const now = run(npmrc("https://nexus.example.com/", {}, { token: `${LINE}\n` }));
    assert.match(now, /^https:\/\/nexus\.example\.com\/\n$/);
    clean(now, "npm's output with the .npmrc we write");
  });
});

describe("the registry client's errors", () => {
  /** A registry (and token server) misbehaving as `answer` says, and the client's error for a manifest request. */
  async function clientError(answer: (req: IncomingMessage, res: ServerResponse, base: string) => void, password = SECRET): Promise<Error> {
    let base = "";
    const server = await serve((req, _body, res) => answer(req, res, base));
    base = server.url;
    try {
      const client = new RegistryClient({ registry: server.host, credentials: { username: "ci", password } });
      return await rejection(client.manifest(`${server.host}/shop/backend:${REV_A}`), "manifest");
    } finally {
      await server.close();
    }
  }
  const basicChallenge = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.headers.authorization) return false;
    res.writeHead(401, { "www-authenticate": 'Basic realm="r"' }).end();
    return true;
  };
  const decoded = (req: IncomingMessage) => Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();

  test("Basic registry, 401 with a JSON body echoing the header and the decoded password", async () => {
    const err = await clientError((req, res) => {
      if (basicChallenge(req, res)) return;
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Basic realm="r"' });
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: `bad credentials ${req.headers.authorization} for ${decoded(req)}` }] }));
    });
    assert.match(err.message, /401/);
    clean(`${err.message}\n${err.stack}`, "the 401 error", "ci");
  });

  test("Basic registry, 403 with a text body quoting the password JSON-escaped, cut by the client at 200 characters", async () => {
    const err = await clientError((req, res) => {
      if (basicChallenge(req, res)) return;
      res.writeHead(403, { "content-type": "text/plain" }).end(`denied: ${JSON.stringify({ user: "ci", password: decoded(req).slice(3) })}`);
    });
    assert.match(err.message, /403/);
    clean(err.message, "the 403 error", "ci");
  });

  test("Basic registry, 500 with a text body of the URL-encoded password and the raw header", async () => {
    const err = await clientError((req, res) => {
      if (basicChallenge(req, res)) return;
      res.writeHead(500).end(`oops ${encodeURIComponent(decoded(req).slice(3))} ${req.headers.authorization}`);
    });
    clean(err.message, "the 500 error", "ci");
  });

  test("Bearer registry: the token server rejects and quotes the Basic credentials; the registry quotes the bearer token past the cut", async () => {
    const tokenServerRejects = await clientError((req, res, base) => {
      if (req.url?.startsWith("/token")) return void res.writeHead(401, { "content-type": "text/plain" }).end(`no: ${req.headers.authorization} ${decoded(req)}`);
      res.writeHead(401, { "www-authenticate": `Bearer realm="${base}/token",service="reg",scope="repository:shop/backend:pull"` }).end();
    });
    assert.match(tokenServerRejects.message, /token request/);
    clean(tokenServerRejects.message, "the token server's refusal", "ci");

    // The bearer token the token server hands out is a secret too: the canary's one-line form.
    const registryQuotesToken = await clientError((req, res, base) => {
      if (req.url?.startsWith("/token")) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: LINE, expires_in: 300 }));
      if (!req.headers.authorization) return void res.writeHead(401, { "www-authenticate": `Bearer realm="${base}/token",service="reg"` }).end();
      res.writeHead(403, { "content-type": "text/plain" }).end(`${"x".repeat(150)} forbidden for ${req.headers.authorization}`);
    }, "short-password");
    assert.match(registryQuotesToken.message, /403/);
    clean(registryQuotesToken.message, "the 403 with the bearer token");
  });

  test("no answer: the network error names the registry, not the credentials", async () => {
    const client = new RegistryClient({ registry: "127.0.0.1:9", credentials: { username: "ci", password: SECRET }, timeoutMs: 2000 });
    const err = await rejection(client.manifest(`127.0.0.1:9/shop/backend:${REV_A}`), "manifest");
    assert.match(err.message, /registry 127\.0\.0\.1:9/);
    clean(`${err.message}\n${err.stack}`, "the network error", "ci");
  });
});

describe("Flyway's database URL", () => {
  const encoded = encodeURIComponent(SECRET);
  const cases: [string, string][] = [
    ["another scheme", `mysql://webshop:${encoded}@db:3306/webshop`],
    ["no database", `postgresql://webshop:${encoded}@db:5432/`],
    ["no user", `postgresql://:${encoded}@db:5432/webshop`],
    ["no '//' (the mask's anchor)", `postgresql:webshop:${encoded}@db/webshop`],
    ["an unencoded '@' in the password", `postgresql://webshop:${LINE.slice(0, 1500)}@${LINE.slice(1500)}@db/`],
    ["the raw multi-line value as the password", `mysql://webshop:${SECRET}@db/webshop`],
    ["JDBC with the password as a parameter", `jdbc:mysql://db:3306/webshop?user=webshop&password=${encoded}`],
    ["JDBC without a database", `jdbc:postgresql://db:5432/?user=webshop&password=${encoded}`],
    ["not a URL at all", `webshop:${encoded}`],
    ["the bare secret", SECRET],
  ];
  for (const [what, url] of cases)
    test(`refusal: ${what}`, () => {
      const err = (() => {
        try {
          parseDatabaseUrl(url);
        } catch (e) {
          return e as Error;
        }
        return assert.fail(`${what}: accepted`);
      })();
      assert.match(err.message, /^database URL /);
      clean(err.message, `the refusal of ${what}`);
    });

  test("accepted: the password goes only into the password field, and the mask hides it", () => {
    const c = parseDatabaseUrl(`postgresql://webshop:${encoded}@db.prod:5432/webshop?sslmode=require`);
    assert.equal(c.password, SECRET);
    clean(`${c.jdbcUrl} ${c.user} ${c.host}`, "the JDBC URL, user and host");
    clean(maskCredentials(`postgresql://webshop:${encoded}@db.prod:5432/webshop`), "the masked URL");
  });
});

describe("the GitOps push script with real git over smart HTTP", () => {
  let root: string;
  before(() => {
    root = tempDir("secrets-push");
  });

  test("a push with the 4 KB multi-line canary as the token: the header carries it; output, clone and remote hold no form of it", async () => {
    const served = join(root, "served");
    mkdirSync(served);
    const remote = bareRemote(served, { "envs/prod/kustomization.yaml": "images: []\n" });
    execFileSync("git", ["-C", remote.path, "config", "core.logAllRefUpdates", "always"]);
    const basic = Buffer.from(`x-access-token:${SECRET}`).toString("base64");
    const server = await smartHttp(served, `Basic ${basic}`);
    try {
      const workdir = join(root, "work");
      mkdirSync(workdir);
      const files = writeFiles(join(root, "files"), { "envs/prod/kustomization.yaml": "images: [backend]\n" });
      const run = await runPush(promotionEnv(`${server.url}/remote.git`, files, { GITOPS_TOKEN: SECRET, GITOPS_WORKDIR: workdir }));
      assert.equal(run.code, PUSH_EXIT.ok, run.stderr);
      assert.equal(run.result.status, "pushed");
      assert.ok(
        server.seen.some((r) => r.method === "POST" && r.path.endsWith("/git-receive-pack") && r.authorization === `Basic ${basic}`),
        "the push carried the token",
      );
      clean(`${run.stdout}\n${run.stderr}`, "the script's output", "x-access-token");
      for (const [path, text] of everyFile(workdir)) clean(text, path, "x-access-token");
      clean(everyObject(join(workdir, "repo")), "the clone's objects, refs, reflog and config", "x-access-token");
      clean(everyObject(remote.path), "the remote's objects, refs, reflog and config", "x-access-token");
      for (const [path, text] of everyFile(remote.path)) clean(text, path, "x-access-token");
    } finally {
      await server.close();
    }
  });

  test("a remote that quotes the Authorization header back (a git ERR line): the failure names the remote, not the token", async () => {
    // Smart HTTP lets a server end the ref advertisement with "ERR <message>", which git prints as
    // "remote error: <message>": here the header and the decoded token, 5.5 KB, longer than the
    // 800 characters the script keeps of git's words.
    const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, "0")}${s}`;
    const server = await serve((req, _body, res) => {
      const header = req.headers.authorization ?? "none";
      const token = Buffer.from(header.replace(/^Basic /, ""), "base64")
        .toString()
        .replace(/^x-access-token:/, "");
      res.writeHead(200, { "content-type": "application/x-git-upload-pack-advertisement" });
      res.end(`${pkt("# service=git-upload-pack\n")}0000${pkt(`ERR denied for ${header} (${JSON.stringify(token).slice(1, 2000)})`)}`);
    });
    try {
      const files = writeFiles(join(root, "files-echo"), { "envs/prod/kustomization.yaml": "images: [backend]\n" });
      const run = await runPush(promotionEnv(`${server.url}/remote.git`, files, { GITOPS_TOKEN: SECRET }));
      assert.equal(run.code, PUSH_EXIT.failed, run.stderr);
      assert.match(run.result.status, /failed/);
      assert.match(run.stderr, /remote error: denied for Basic \*\*\*/, "git's words arrive, redacted");
      clean(`${run.stdout}\n${run.stderr}`, "the script's output", "x-access-token");
    } finally {
      await server.close();
    }
  });
});

describe("the pull request clients' errors", () => {
  /** A host API that quotes the Authorization header back in the way `answer` says. */
  async function hostFailure(provider: "gitea" | "github", token: string, answer: (auth: string, res: ServerResponse) => void): Promise<Error> {
    const server = await serve((req, _body, res) => answer(req.headers.authorization ?? "", res));
    try {
      const host =
        provider === "gitea" ? giteaPullRequests({ url: server.url, owner: "acme", repo: "gitops", token }) : githubPullRequests({ owner: "acme", repo: "gitops", token, baseUrl: server.url });
      return await rejection(openOrFindPullRequest(host, { head: "promote/prod/0123456789ab", base: "main", title: "t", body: "b", approvals: 1 }), provider);
    } finally {
      await server.close();
    }
  }

  for (const provider of ["gitea", "github"] as const) {
    test(`${provider}: a JSON error quoting the header`, async () => {
      const err = await hostFailure(provider, LINE, (auth, res) => res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ message: `Bad credentials: ${auth}` })));
      assert.match(err.message, /401/);
      clean(err.message, `${provider}'s 401`);
    });
    test(`${provider}: a text error page quoting the header across the client's cut`, async () => {
      const err = await hostFailure(provider, LINE, (auth, res) => res.writeHead(502, { "content-type": "text/html" }).end(`<html><body>${"-".repeat(200)} upstream refused ${auth}</body></html>`));
      clean(err.message, `${provider}'s 502`);
    });
    test(`${provider}: a token with a line break cannot go into a header; the error does not show it`, async () => {
      const err = await hostFailure(provider, SECRET, (_auth, res) => res.writeHead(500).end());
      clean(`${err.message}\n${err.stack}`, `${provider}'s refusal of the header`);
    });
  }

  test("gitea: a 200 answer that is not JSON, quoting the header", async () => {
    const err = await hostFailure("gitea", LINE, (auth, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`${"y".repeat(50)} ${auth}`));
    assert.match(err.message, /not JSON/);
    clean(err.message, "the not-JSON error");
  });
});

describe("failure notifications", () => {
  test("webhook: an error page that quotes the URL (its token) past the cut at 200 characters", async () => {
    const server = await serve((req, _body, res) => res.writeHead(404, { "content-type": "text/plain" }).end(`${"z".repeat(60)} no hook at ${req.url} (${decodeURIComponent(req.url ?? "")})`));
    try {
      const err = await rejection(postWebhook(`${server.url}/hooks/${encodeURIComponent(LINE)}`, { text: "x" }), "webhook");
      assert.match(err.message, /404/);
      clean(err.message, "the webhook error");
    } finally {
      await server.close();
    }
  });

  test("webhook: a URL that is not http(s) is refused without showing it", async () => {
    const err = await rejection(postWebhook(`ftp://hooks.example.com/${encodeURIComponent(SECRET)}`, { text: "x" }), "webhook");
    clean(err.message, "the refusal");
  });

  test("SMTP: a server that quotes the password in its refusal", async () => {
    const smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth(auth, _session, done) {
        done(new Error(`no such password: ${JSON.stringify(auth.password)} ${encodeURIComponent(auth.password ?? "")}`));
      },
    });
    await new Promise<void>((done) => smtp.listen(0, "127.0.0.1", () => done()));
    const port = (smtp.server.address() as AddressInfo).port;
    try {
      for (const password of [SECRET, LINE]) {
        const err = await rejection(
          sendFailureEmail({ host: "127.0.0.1", port, secure: false, user: "ci", password, from: "ci@example.com", to: ["dev@example.com"] }, { pipeline: "webshop", stage: "e2e" }),
          "e-mail",
        );
        assert.match(err.message, /^e-mail through 127\.0\.0\.1/);
        clean(err.message, "the SMTP error", "ci");
      }
    } finally {
      await new Promise<void>((done) => smtp.close(() => done()));
    }
  });
});

describe("the config loader", () => {
  const yaml = readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8");
  const withCredentials = (text: string, key: "npm" | "repository") => text.replace(new RegExp(`(${key}: https?://)`), `$1ci:${encodeURIComponent(LINE)}@`);

  test("a mirror or GitOps URL with credentials is refused, naming the key, never the value", () => {
    for (const key of ["npm", "repository"] as const) {
      const text = withCredentials(yaml, key);
      assert.notEqual(text, yaml, `the example has a ${key} URL`);
      const err = (() => {
        try {
          parseConfig(text);
        } catch (e) {
          return e as Error;
        }
        return assert.fail(`${key}: credentials in a committed file were accepted`);
      })();
      assert.match(err.message, key === "npm" ? /mirror\.npm: must not carry credentials/ : /gitops\.repository: must not carry credentials/);
      clean(err.message, `the ${key} problem`);
      assert.ok(!err.message.includes(LINE.slice(0, 20)), "not even the start of it");
    }
    // releases.repository is committed too: the same refusal, pointing at --release-token.
    const release = `${yaml.replace(/\nreleases:\n {2}provider: github\n/, "\n")}\nreleases:\n  provider: gitea\n  repository: https://ci:${encodeURIComponent(LINE)}@gitea.example.com/acme/webshop\n`;
    const err = (() => {
      try {
        parseConfig(release);
      } catch (e) {
        return e as Error;
      }
      return assert.fail("releases.repository: credentials in a committed file were accepted");
    })();
    assert.match(
      err.message,
      /releases\.repository: must not carry credentials \(user:password@, a token as the user, or a token parameter\): pipeline\.yaml is committed; pass the token as --release-token=env:\/\/RELEASE_TOKEN \(got "https:\/\/ci:\*\*\*@gitea\.example\.com\/acme\/webshop"\)/,
    );
    assert.ok(!err.message.includes(LINE.slice(0, 20)));
  });

  test("a problem's value shows a URL's password masked", () => {
    const err = (() => {
      try {
        parseConfig(yaml.replace(/npm: \S+/, `npm: "ftp://ci:${encodeURIComponent(LINE)}@nexus.example.com/"`));
      } catch (e) {
        return e as Error;
      }
      return assert.fail("an ftp mirror was accepted");
    })();
    assert.match(err.message, /got "ftp:\/\/ci:\*\*\*@/);
    assert.ok(!err.message.includes(LINE.slice(0, 20)));
  });
});

describe("producers without a secret input never take one from the environment", () => {
  const names = ["REGISTRY_TOKEN", "GITOPS_TOKEN", "NEXUS_TOKEN", "PROD_DATABASE_URL", "DB_PASSWORD", "CHAT_WEBHOOK", "SMTP_PASSWORD", "DATABASE_URL"];
  const saved = new Map(names.map((n) => [n, process.env[n]]));
  before(() => {
    for (const n of names) process.env[n] = SECRET;
  });
  after(() => {
    for (const [n, v] of saved) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
  });

  test("Compose file, release record, environment state, commit message, plan and summary", () => {
    const config = exampleConfig();
    const release = exampleRelease(REV_A, "1");
    const outputs: [string, string][] = [
      ["the Compose file", exampleCompose()],
      ["the release record", renderReleaseRecord(release)],
      ["the environment state", renderEnvironmentState(promoted(emptyState("prod"), release, ["backend"], "2026-11-22T08:00:00Z", { emergency: "CVE-2026-1234" }))],
      [
        "the commit message",
        promotionMessage({ release: REV_A, environment: "prod", versions: EXAMPLE_RELEASE.versions, gates: { compatibility: "passed" }, emergency: "hotfix", notes: "run: https://ci.example.com/1" }),
      ],
      ["the plan", renderPlan(plan(config, toEvent({ event: "push", ref: "main" })))],
      ["the plan of a promotion", renderPlan(plan(config, toEvent({ event: "promote", environment: "prod", emergency: true })))],
      ["the summary", summarise(config)],
    ];
    for (const [what, text] of outputs) {
      assert.ok(text.length > 0, `${what} is produced`);
      clean(text, what);
    }
    assert.match(outputs[0][1], /\$\{DB_PASSWORD:\?/, "the Compose file refers to the password by variable");
  });
});
