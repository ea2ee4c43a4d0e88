/**
 * Secret canaries (4 KB, multi-line) passed as every secret the pipeline's functions take never
 * appear in what they ask the engine to do: the recorded GraphQL of each function, with the
 * plaintext of every setSecret cut out (a secret may only ever become another secret), must hold
 * no form of a canary. That is: no function turns a Secret into plaintext and puts it in an exec
 * argument, an environment variable, a file, a label, a commit message or a returned text.
 * Covered here:
 *  - ci on main (mirror and GitOps tokens): checks, build, E2E, release record, promotion to dev;
 *  - ci with a registry token against a registry that echoes the credentials (publish's client);
 *  - ci of a failing run with the notification webhook and SMTP password;
 *  - e2e: the database password it generates per run stays inside its secrets;
 *  - promote to staging (a commit: release record, state, message, trailers), promote to prod (a
 *    pull request), rollback, preview and prune-previews with the GitOps token and database URL;
 *  - database-version with the URL;
 *  - the aspire module: a given secret parameter reaches its services as secret variables only;
 *  - the registry client's errors against a registry that echoes credentials back;
 * The engine-free producers (error messages, the push script with real git, notifications, the
 * config loader) are in ./producers.test.ts, .env in ./dotenv.test.ts; real BuildKit and git in
 * scripts/integration/secrets.sh.
 */
import assert from "node:assert/strict";
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
import { renderReleaseRecord } from "../../.dagger/src/release/record.js";
import { emptyState, promoted, renderEnvironmentState } from "../../.dagger/src/release/state.js";
import { previewOf } from "../../.dagger/src/release/preview.js";
import { exampleRelease, REV_A, REV_B } from "../release/fixture.js";
import { exampleConfig } from "../topology/fixture.js";
import { canary, leaksIn, MARKER } from "./canary.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const SECRET = canary();
/** The canary on one line: what a token that must be one line (the mirror's, in an .npmrc) can be. */
const LINE = SECRET.replace(/\n/g, "");

/**
 * Everything the functions sent to the engine (the raw GraphQL), with the plaintext of every
 * setSecret cut out: a secret may only ever become another secret, so nothing else may hold it.
 */
function outsideSecrets(queries: { query: string }[]): string {
  return queries
    .map((q) => q.query)
    .join("\n")
    .replace(/setSecret \(name: "[^"]*",plaintext: "(?:[^"\\]|\\.)*"\)/g, "setSecret(<secret>)");
}

/** The engine's answers, plus: the canary secrets read back as the canary (so a leak through plaintext() shows). */
const withCanaryPlaintext = (engine: (leaf: string) => unknown) => (leaf: string) => {
  const name = /^setSecret\(name: "(canary-[a-z-]+)"\)\.plaintext$/.exec(leaf)?.[1];
  return name === "canary-mirror" ? LINE : name ? SECRET : engine(leaf);
};

/** No form of the canary outside the setSecrets of these queries, nor in the function's answer. */
function assertClean(queries: { query: string }[], answer: unknown, what = "the run"): void {
  assert.deepEqual(leaksIn(outsideSecrets(queries), SECRET), [], `${what}: a canary form in the queries`);
  assert.deepEqual(leaksIn(outsideSecrets(queries), SECRET.replace(/\n/g, "")), [], `${what}: the one-line canary in the queries`);
  assert.deepEqual(leaksIn(String(answer), SECRET, "ci"), [], `${what}: a canary form in the answer`);
}

const A = exampleRelease(REV_A, "1");
/** A GitOps repository where release A reached dev: staging can take it. */
const STAGED = {
  "releases/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json": renderReleaseRecord(A),
  "environments/dev/.pipeline/state.json": renderEnvironmentState(promoted(emptyState("dev"), A, ["db", "backend", "frontend"], "2026-11-22T08:00:00Z")),
  "environments/staging/kustomization.yaml": "images: []\n",
};
/** The GitOps repository's files (read through dag.git with or without the token), passing gates, and the gitops module's answers. */
const gitopsEngine = (files: Record<string, string>) =>
  exampleEngine((leaf) => {
    const tree = String.raw`^git\((?:httpAuthToken: setSecret\(name: "[^"]+"\), )?url: "[^"]+"\)\.branch\(name: "main"\)\.tree`;
    const exists = new RegExp(`${tree}\\.exists\\(path: "([^"]+)"\\)$`).exec(leaf);
    if (exists) return Object.keys(files).some((f) => f === exists[1] || f.startsWith(`${exists[1]}/`));
    const read = new RegExp(`${tree}\\.file\\(path: "([^"]+)"\\)\\.contents$`).exec(leaf);
    if (read) return files[read[1]];
    // A folder's entries: the next path segment of every file under it.
    const list = new RegExp(`${tree}\\.directory\\(path: "([^"]+)"\\)\\.entries$`).exec(leaf);
    if (list)
      return [
        ...new Set(
          Object.keys(files)
            .filter((f) => f.startsWith(`${list[1]}/`))
            .map((f) => f.slice(list[1].length + 1).split("/")[0]),
        ),
      ];
    const gate = /^gates\.(compatibility|vulnerabilities)\(.*\)\.(passed|waivedByEmergency|summary|details)$/.exec(leaf);
    if (gate) return { passed: true, waivedByEmergency: false, summary: `${gate[1]} ok`, details: [] }[gate[2]];
    if (/^gitops\.edit\(/.test(leaf)) return "images: []\n";
    if (/^gitops\(.*\)\.message\(/.test(leaf)) return "promote aaaaaaaaaaaa\n";
    // The outcome is read once, as one JSON field (push and propose are never cached).
    if (/^gitops\(.*\)\.(push|propose)\(.*\)\.json$/.test(leaf))
      return JSON.stringify({ status: "pushed", where: "0123456789abcdef0123456789abcdef01234567", state: "", summary: "Pushed 0123456789ab to main (1 attempt).", detail: {} });
    return undefined;
  });

describe("secret canaries never appear in what the pipeline produces", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "gates", "gitops", "aspire", "notify"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
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

  test("the check can fail through the recorder: a function that puts a secret's plaintext into an env variable is caught", async () => {
    const { queries } = await record(
      async () => {
        const token = dag.setSecret("canary-leaky", SECRET);
        // The mistake this file guards against: plaintext() out of a Secret, into a plain value.
        return dag
          .container()
          .from("alpine")
          .withEnvVariable("TOKEN", await token.plaintext())
          .withExec(["true"])
          .stdout();
      },
      withCanaryPlaintext(() => undefined),
    );
    assert.ok(leaksIn(outsideSecrets(queries), SECRET).length > 0, "the leak is found");
    assert.throws(() => assertClean(queries, ""), /a canary form in the queries/);
  });

  test("a multi-line mirror token is refused before anything is built, without showing it", async () => {
    const { result, queries } = await record(
      async () =>
        new Pipeline(dag.directory(), "pipeline.yaml", dag.setSecret("canary-mirror-multi-line", SECRET)).ci(SHA).then(
          (r) => r.summary,
          (e: Error) => `failed: ${e.message}`,
        ),
      withCanaryPlaintext(exampleEngine()),
    );
    assert.match(result, /^failed: mirror token: holds a line break/);
    assert.ok(!queries.some((q) => /withExec|build\(/.test(q.query)), "nothing ran");
    assertClean(queries, result);
  });

  test("ci on main with mirror (one-line: see above) and GitOps tokens: only the test's own setSecret carries them", async () => {
    const { queries, result, graph } = await record(
      async () => {
        const p = new Pipeline(dag.directory(), "pipeline.yaml", dag.setSecret("canary-mirror", LINE));
        return (await p.ci(SHA, undefined, "", "", undefined, dag.setSecret("canary-gitops", SECRET), "main")).summary;
        // An empty GitOps repository: no environment has a release yet.
      },
      withCanaryPlaintext(exampleEngine((leaf) => (leaf.startsWith("git(") && /\.exists\(path: /.test(leaf) ? false : undefined))),
    );
    assert.ok(
      queries
        .map((q) => q.query)
        .join("\n")
        .includes(JSON.stringify(SECRET).slice(1, 40)),
      "the canary was really passed in",
    );
    // Reached, not judged: the verdicts rest on the modules' answers, stubbed here.
    assert.ok(
      graph.leaves.some((l) => l.includes("playwright") && l.endsWith(".exitCode")),
      "the run went through build and E2E",
    );
    assertClean(queries, result);
  });

  test("promote with a GitOps token and a database URL: the secrets are passed by reference only", async () => {
    const url = `postgresql://webshop:${encodeURIComponent(SECRET)}@db.prod:5432/webshop`;
    const { queries } = await record(
      async () =>
        new Pipeline(dag.directory())
          .promote("prod", SHA, [], false, "", dag.setSecret("canary-gitops", SECRET), undefined, dag.setSecret("canary-database-url", url), true)
          .catch((e: Error) => e.message),
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
    assert.ok(new RegExp(`setSecret \\(name: "aspire-backend-DATABASE_URL-[^"]+",plaintext: "[^"]*${MARKER}-0-`).test(sent), "DATABASE_URL carries the given password, as a secret");
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
      const err = await client.manifest(`127.0.0.1:${port}/shop/backend:${SHA}`).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(err, "the call fails");
      assert.match(err.message, /401/);
      assert.deepEqual(leaksIn(`${err.message}\n${err.stack ?? ""}`, SECRET, "ci"), []);
    } finally {
      server.close();
    }
  });

  test("promote to staging lands one commit: release record, state, message and push carry the secrets by reference only", async () => {
    const url = `postgresql://webshop:${encodeURIComponent(SECRET)}@db.staging:5432/webshop`;
    const { result, queries, graph } = await record(
      async () => new Pipeline(dag.directory()).promote("staging", "", [], false, "", dag.setSecret("canary-gitops", SECRET), undefined, dag.setSecret("canary-database-url", url)),
      withCanaryPlaintext(gitopsEngine(STAGED)),
    );
    const push = graph.leaves.find((l) => /\.push\(/.test(l)) as string;
    assert.ok(push, "the promotion went as far as the push");
    assert.match(push, /token: setSecret\(name: "canary-gitops"\)/, "the token reaches the push as the secret itself");
    assertClean(queries, result);
  });

  test("promote to prod opens a pull request; rollback, preview and prune-previews: the GitOps token by reference only", async () => {
    const token = () => dag.setSecret("canary-gitops", SECRET);
    // Staging ran A, then B (so a rollback goes back to A); a preview of a deleted branch is left.
    const B = exampleRelease(REV_B, "2");
    const staging = promoted(promoted(emptyState("staging"), A, ["db", "backend", "frontend"], "2026-11-22T09:00:00Z"), B, ["db", "backend", "frontend"], "2026-11-22T10:00:00Z");
    const stale = previewOf(exampleConfig(), "feature/old").folder;
    const files = {
      ...STAGED,
      [`releases/${REV_B}.json`]: renderReleaseRecord(B),
      "environments/staging/.pipeline/state.json": renderEnvironmentState(staging),
      "environments/prod/compose.yaml": "services: {}\n",
      [`${stale}/kustomization.yaml`]: "resources: []\n",
    };
    const runs: [string, () => Promise<string>][] = [
      [
        "promote prod",
        () => new Pipeline(dag.directory()).promote("prod", "", [], false, "", token(), undefined, dag.setSecret("canary-database-url", `postgresql://w:${encodeURIComponent(SECRET)}@db/w`)),
      ],
      ["rollback", () => new Pipeline(dag.directory()).rollback("staging", "", token())],
      ["preview", () => new Pipeline(dag.directory()).preview("feature/x", [`backend=registry.example.com/acme/webshop/backend:${SHA}@sha256:${"2".repeat(64)}`], false, token())],
      ["prune-previews", () => new Pipeline(dag.directory()).prunePreviews(["main"], token())],
    ];
    for (const [what, run] of runs) {
      const { result, queries, graph } = await record(async () => run().catch((e: Error) => `failed: ${e.message}`), withCanaryPlaintext(gitopsEngine(files)));
      assert.ok(queries.length > 0, `${what} asked the engine for something`);
      assert.ok(
        graph.leaves.some((l) => /^gitops\(.*\)\.(push|propose)\(/.test(l)),
        `${what} went as far as its write: ${result.slice(0, 200)}`,
      );
      assertClean(queries, result, what);
    }
  });

  test("e2e: the database password it generates stays inside its secrets; the mirror token too", async () => {
    const { result, queries, graph } = await record(
      async () => (await new Pipeline(dag.directory(), "pipeline.yaml", dag.setSecret("canary-mirror", LINE)).e2e(SHA)).summary,
      withCanaryPlaintext(exampleEngine()),
    );
    assert.ok(
      graph.leaves.some((l) => l.includes("playwright") && l.endsWith(".exitCode")),
      "the run went as far as Playwright",
    );
    const passwords = [
      ...queries
        .map((q) => q.query)
        .join("\n")
        .matchAll(/setSecret \(name: "e2e-db-POSTGRES_PASSWORD-[^"]+",plaintext: "([^"]+)"\)/g),
    ].map((m) => m[1]);
    assert.ok(passwords.length > 0 && passwords.every((p) => p.length >= 16), "a generated password was set as a secret");
    for (const password of new Set(passwords)) assert.ok(!outsideSecrets(queries).includes(password), "the generated password is outside a setSecret");
    assertClean(queries, result);
  });

  test("database-version: the URL by reference only", async () => {
    const { result, queries, graph } = await record(
      async () => new Pipeline(dag.directory()).databaseVersion(dag.setSecret("canary-database-url", `postgresql://w:${encodeURIComponent(SECRET)}@db/w`)),
      withCanaryPlaintext(exampleEngine((leaf) => (/^flyway\(image: "[^"]*"\)\.schemaVersion\(/.test(leaf) ? "1.1.0" : undefined))),
    );
    assert.ok(
      graph.leaves.some((l) => /^flyway\(image: "[^"]*"\)\.schemaVersion\(.*url: setSecret\(name: "canary-database-url"\)/.test(l)),
      "the URL reaches Flyway as the secret itself",
    );
    assertClean(queries, result);
  });

  test("ci of a failing run notifies with the webhook URL and SMTP password by reference only", async () => {
    const config = `${readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8")}\nnotifications:\n  webhook:\n    format: slack\n  email:\n    host: smtp.example.com\n    from: ci@example.com\n    to: [dev@example.com]\n    user: ci\n`;
    const { result, queries, graph } = await record(
      async () =>
        (
          await new Pipeline(dag.directory()).ci(
            SHA,
            undefined,
            "",
            "",
            undefined,
            undefined,
            "main",
            "",
            dag.setSecret("canary-webhook", `https://hooks.example.com/${encodeURIComponent(SECRET)}`),
            dag.setSecret("canary-smtp", SECRET),
          )
        ).summary,
      withCanaryPlaintext(
        exampleEngine((leaf) => {
          if (leaf.endsWith('file(path: "pipeline.yaml").contents')) return config;
          if (leaf.includes('script: "test", source: directory.directory(path: "backend")') && leaf.endsWith(".exitCode")) return 1;
          if (leaf.endsWith('file(path: "result.json").contents')) return JSON.stringify({ passed: false, failed: [{ stage: "checks", component: "backend", check: "unit", tests: [] }] });
          if (/^notify\.(webhook|email)\(/.test(leaf)) return "sent";
          return undefined;
        }),
      ),
    );
    assert.ok(
      graph.leaves.some((l) => /^notify\.webhook\(.*url: setSecret\(name: "canary-webhook"\)/.test(l)),
      "the webhook was called with the secret",
    );
    assert.ok(
      graph.leaves.some((l) => /^notify\.email\(.*password: setSecret\(name: "canary-smtp"\)/.test(l)),
      "the e-mail was sent with the secret",
    );
    assertClean(queries, result);
  });

  test("ci with a registry token: publish's registry client meets a registry that echoes the credentials; its error and the queries stay clean", async () => {
    // The client's requests go to fetch: answered here by a registry that quotes what it got.
    const real = globalThis.fetch;
    globalThis.fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      const auth = new Headers(init?.headers).get("authorization");
      if (!auth) return new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } });
      return new Response(`denied ${"-".repeat(100)} ${auth} ${Buffer.from(auth.replace(/^Basic /, ""), "base64").toString()}`, { status: 403 });
    }) as typeof fetch;
    try {
      const { result, queries } = await record(
        async () =>
          new Pipeline(dag.directory()).ci(SHA, dag.setSecret("canary-registry", SECRET), "", "", undefined, undefined, "main").then(
            (r) => r.summary,
            (e: Error) => `failed: ${e.message}`,
          ),
        withCanaryPlaintext(exampleEngine()),
      );
      assert.match(
        result,
        /\| publish \| ❌ failed: db: registry registry\.example\.com: .*403 Forbidden \(denied -+ Basic \*\*\*/,
        "publish asked the registry, and its refusal is in the summary, redacted",
      );
      assertClean(queries, result);
    } finally {
      globalThis.fetch = real;
    }
  });
});
