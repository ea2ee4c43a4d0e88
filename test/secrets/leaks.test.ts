/**
 * Secret canaries (4 KB, multi-line) passed as every secret the pipeline takes never appear in
 * what it produces. Producers covered here:
 *  - the recorded queries of ci (mirror and GitOps tokens), promote (GitOps token, database URL)
 *    and e2e: no function turns a secret into plaintext in an exec, env variable, file or label;
 *  - the registry client's errors against a registry that echoes credentials back;
 *  - the aspire module's run of the example (a given secret parameter stays a secret variable);
 *  - .env stays git-ignored and .env.example holds provider references, not values.
 * The GitOps push script's output, config and pushed objects are checked with real git in
 * test/gitops/git/ (the token never in output or config).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { RegistryClient } from "../../.dagger/src/registry/client.js";
import { Aspire } from "../../modules/aspire/src/index.js";
import { record } from "../recorder/record.js";
import { exampleEngine } from "../recorder/example-engine.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { canary, leaksIn } from "./canary.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const SECRET = canary();

/**
 * Everything the functions sent to the engine (the raw GraphQL), with the plaintext of every
 * setSecret cut out: a secret may only ever become another secret, so nothing else may hold it.
 */
function outsideSecrets(queries: { query: string }[]): string {
  return queries.map((q) => q.query).join("\n").replace(/setSecret \(name: "[^"]*",plaintext: "(?:[^"\\]|\\.)*"\)/g, "setSecret(<secret>)");
}

/** The engine's answers, plus: the canary secrets read back as the canary (so a leak through plaintext() shows). */
const withCanaryPlaintext = (engine: (leaf: string) => unknown) => (leaf: string) => (/^setSecret\(name: "canary-[a-z-]+"\)\.plaintext$/.test(leaf) ? SECRET : engine(leaf));

describe("secret canaries never appear in what the pipeline produces", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "gates", "gitops", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  test("the check can fail: a leaked line, its base64 or its JSON form is found; a plaintext outside setSecret is found", () => {
    const leaked = outsideSecrets([{ query: `setSecret (name: "x",plaintext: ${JSON.stringify(SECRET)}) container { withEnvVariable(name: "T", value: ${JSON.stringify(SECRET)}) }` }]);
    assert.ok(leaksIn(leaked, SECRET).length > 0, "an env variable holding the value is a leak");
    const line = SECRET.split("\n")[7];
    assert.equal(leaksIn(`log: ${line}`, SECRET).length, 1);
    assert.ok(leaksIn(`header: ${Buffer.from(SECRET).toString("base64")}`, SECRET).length > 0);
    assert.ok(leaksIn(JSON.stringify({ token: SECRET }), SECRET).length > 0);
    assert.deepEqual(leaksIn("nothing here", SECRET), []);
  });

  test("ci on main with mirror and GitOps tokens: only the test's own setSecret carries them", async () => {
    const { queries } = await record(async () => {
      const p = new Pipeline(dag.directory(), "pipeline.yaml", dag.setSecret("canary-mirror", SECRET));
      return (await p.ci(SHA, undefined, "", "", undefined, dag.setSecret("canary-gitops", SECRET), "main")).summary;
      // An empty GitOps repository: no environment has a release yet.
    }, withCanaryPlaintext(exampleEngine((leaf) => (leaf.startsWith("git(") && /\.exists\(path: /.test(leaf) ? false : undefined))));
    assert.ok(queries.map((q) => q.query).join("\n").includes(JSON.stringify(SECRET).slice(1, 40)), "the canary was really passed in");
    assert.deepEqual(leaksIn(outsideSecrets(queries), SECRET), []);
  });

  test("promote with a GitOps token and a database URL: the secrets are passed by reference only", async () => {
    const url = `postgresql://webshop:${encodeURIComponent(SECRET)}@db.prod:5432/webshop`;
    const { queries } = await record(
      async () => new Pipeline(dag.directory()).promote("prod", SHA, [], false, "", dag.setSecret("canary-gitops", SECRET), undefined, dag.setSecret("canary-database-url", url), true).catch((e: Error) => e.message),
      withCanaryPlaintext(exampleEngine()),
    );
    assert.deepEqual(leaksIn(outsideSecrets(queries), SECRET), []);
  });

  test("the aspire module: a given secret parameter reaches its services as secret variables only", async () => {
    const manifest = readFileSync(join(ROOT, "examples/webshop/aspire/aspire-manifest.json"), "utf8");
    const { queries } = await record(
      async () => {
        const run = await new Aspire(dag.directory(), "m.json").withSecretParameter("db-password", dag.setSecret("canary-db-password", SECRET)).test(dag.container().from("tests:1"));
        return run.summary;
      },
      withCanaryPlaintext((leaf) => (leaf.endsWith('file(path: "m.json").contents') ? manifest : undefined)),
    );
    // The module reads the given value once to build DATABASE_URL; every variable it sets from it is a new secret.
    const sent = queries.map((q) => q.query).join("\n");
    assert.ok(/setSecret \(name: "aspire-backend-DATABASE_URL-[^"]+",plaintext: "[^"]*CANARY-0-/.test(sent), "DATABASE_URL carries the given password, as a secret");
    assert.deepEqual(leaksIn(outsideSecrets(queries), SECRET), []);
  });

  test("registry errors: a registry that echoes the credentials back gets them redacted", async () => {
    const server = createServer((req, res) => {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Basic realm="r"' });
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: `bad credentials: ${req.headers.authorization ?? "none"} ${SECRET}` }] }));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const port = (server.address() as { port: number }).port;
    try {
      const client = new RegistryClient({ registry: `127.0.0.1:${port}`, credentials: { username: "ci", password: SECRET } });
      const err = await client.manifest(`127.0.0.1:${port}/shop/backend:${SHA}`).then(() => undefined, (e: Error) => e);
      assert.ok(err, "the call fails");
      assert.match(err.message, /401/);
      assert.deepEqual(leaksIn(`${err.message}\n${err.stack ?? ""}`, SECRET, "ci"), []);
    } finally {
      server.close();
    }
  });

  test(".env is git-ignored and .env.example holds provider references, not values", () => {
    assert.match(execFileSync("git", ["check-ignore", "-v", ".env"], { cwd: ROOT }).toString(), /\.gitignore/);
    const lines = readFileSync(join(ROOT, ".env.example"), "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
    assert.ok(lines.length > 0);
    for (const l of lines) assert.match(l, /^[A-Z_]+=(env|file|cmd|op|vault|gcp):\/\/\S+$/, `${l}: a reference, not a value`);
  });
});
