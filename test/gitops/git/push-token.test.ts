// The token of an HTTPS remote: sent as an Authorization header to the remote's origin only, and
// never in the script's output, in the clone's files, or to another host after a redirect.
// A real smart-HTTP server (git http-backend behind node:http) that requires the header.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PUSH_EXIT } from "../../../modules/gitops/src/git/push-script.js";
import { bareRemote, history, promotionEnv, runPush, tempDir, writeFiles } from "./git-fixture.js";
import { listen } from "./http.js";
import { smartHttp, type HttpServer } from "./smart-http.js";

const CANARY = "canary-3c9e7a1f-token-do-not-print";
const BASIC = Buffer.from(`x-access-token:${CANARY}`).toString("base64");

/** Every file under a folder, .git included, as text. */
const everyFile = (dir: string): [string, string][] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return [path, readFileSync(path, "latin1")];
    });

describe("push script: token for an HTTP(S) remote", () => {
  let root: string;
  let server: HttpServer;
  let remote: { path: string; url: string };

  before(async () => {
    root = tempDir();
    const served = join(root, "served");
    mkdirSync(served);
    remote = bareRemote(served, { "envs/prod/kustomization.yaml": "images: []\n" });
    server = await smartHttp(served, `Basic ${BASIC}`);
  });
  after(() => server.close());

  it("pushes with the token as a header; the token is in neither the output nor any file of the clone", async () => {
    const workdir = join(root, "work");
    mkdirSync(workdir);
    server.seen.length = 0;
    const files = writeFiles(join(root, "files"), { "envs/prod/kustomization.yaml": "images: [backend]\n" });
    const run = await runPush(promotionEnv(`${server.url}/remote.git`, files, { GITOPS_TOKEN: CANARY, GITOPS_WORKDIR: workdir }));

    assert.equal(run.code, PUSH_EXIT.ok, run.stderr);
    assert.equal(run.result.status, "pushed");
    assert.equal(history(remote.path).length, 2);
    assert.ok(
      server.seen.some((r) => r.method === "POST" && r.path.endsWith("/git-receive-pack")),
      "the push went over HTTP",
    );
    assert.ok(
      server.seen.every((r) => r.authorization === `Basic ${BASIC}`),
      "every request carried the header up front (no 401 round trip, so no credential helper was involved)",
    );

    for (const secret of [CANARY, BASIC]) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), "not in the output");
      for (const [path, text] of everyFile(workdir)) assert.ok(!text.includes(secret), `not in ${path}`);
    }
    const config = readFileSync(join(workdir, "repo", ".git", "config"), "utf8");
    assert.match(config, new RegExp(`url = ${server.url}/remote\\.git\\n`), "the remote URL is stored as given, without credentials");
    assert.doesNotMatch(config, /extraheader|credential|Authorization/i);
  });

  it("a wrong token: exit 1, an authentication message without either token", async () => {
    const before = history(remote.path)[0]!.commit;
    const files = writeFiles(join(root, "files-2"), { "envs/prod/kustomization.yaml": "images: [frontend]\n" });
    const wrong = "wrong-token-5d1e";
    const run = await runPush(promotionEnv(`${server.url}/remote.git`, files, { GITOPS_TOKEN: wrong }));
    assert.equal(run.code, PUSH_EXIT.failed);
    assert.match(run.result.status === "failed" ? run.result.message : "", new RegExp(`cannot clone ${server.url}/remote\\.git: .*(Authentication failed|could not read Username)`));
    for (const secret of [wrong, CANARY, Buffer.from(`x-access-token:${wrong}`).toString("base64")]) assert.ok(!(run.stdout + run.stderr).includes(secret));
    assert.equal(history(remote.path)[0]!.commit, before);
  });

  it("a redirect is refused while a token is sent: git would keep sending the header to the other host", async () => {
    // The other host asks for nothing, so a git that followed the redirect would go on talking
    // to it, with whatever headers it was configured with.
    const other = await smartHttp(join(root, "served"), undefined);
    const redirector = await listen((req, res) => {
      res.writeHead(302, { Location: `${other.url}${req.url}` });
      res.end();
    });
    try {
      const before = history(remote.path)[0]!.commit;
      const files = writeFiles(join(root, "files-3"), { "envs/prod/kustomization.yaml": "images: [db]\n" });
      const run = await runPush(promotionEnv(`${redirector.url}/remote.git`, files, { GITOPS_TOKEN: CANARY }));
      assert.equal(run.code, PUSH_EXIT.failed, run.stderr);
      assert.match(
        run.result.status === "failed" ? run.result.message : "",
        /returned error: 302 \(the remote redirects; with a token redirects are not followed, since the token would go along: use the URL it redirects to\)/,
      );
      assert.deepEqual(
        other.seen.filter((r) => r.authorization !== undefined),
        [],
        "the other host never saw an Authorization header",
      );
      assert.equal(history(remote.path)[0]!.commit, before);
      assert.ok(!(run.stdout + run.stderr).includes(CANARY));
    } finally {
      await redirector.close();
      await other.close();
    }
  });

  it("without a token, redirects are followed as git does by default", async () => {
    const open = await smartHttp(join(root, "served"), undefined);
    const to = await listen((req, res) => {
      res.writeHead(302, { Location: `${open.url}${req.url}` });
      res.end();
    });
    try {
      const files = writeFiles(join(root, "files-4"), { "envs/prod/kustomization.yaml": "images: [all]\n" });
      const run = await runPush(promotionEnv(`${to.url}/remote.git`, files));
      assert.equal(run.code, PUSH_EXIT.ok, run.stderr);
      assert.ok(open.seen.some((r) => r.path.endsWith("/git-receive-pack")));
    } finally {
      await to.close();
      await open.close();
    }
  });
});
