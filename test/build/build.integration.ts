/**
 * The Dockerfiles the pipeline generates, built for real: BuildKit (Docker engine), the local
 * registry, the npm proxy, and a build network whose only way out is that proxy. Needs the
 * services of scripts/integration/buildkit.sh, which runs this file:
 *   bash scripts/integration/buildkit.sh
 * (Named *.integration.ts so that `npm test`, which needs no external service, does not pick it up.)
 *
 * The tests run in order, in one file: the last ones stop the npm proxy, which must not happen
 * while another build is using it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type BuildkitEnv,
  type Component,
  type Release,
  build,
  buildkitEnv,
  componentVersion,
  copyComponent,
  generateDockerfile,
  gitRevision,
  must,
  npmCiStep,
  registryGet,
  registryTags,
  rfc3339Now,
  run,
  sleep,
  stepCounts,
} from "../../scripts/integration/buildkit/harness.js";

let env: BuildkitEnv;
let revision: string;
const created = rfc3339Now();
const SOURCE = "https://github.com/acme/webshop";
/** Written into the npmrc secret: must never appear in an image, its history or its config. */
const SECRET_CANARY = `pac-secret-canary-${randomBytes(12).toString("hex")}`;
/** Written into files .dockerignore keeps out of the build context. */
const CONTEXT_CANARY = `pac-context-canary-${randomBytes(12).toString("hex")}`;
const containers: string[] = [];
const networks: string[] = [];

before(async () => {
  env = buildkitEnv();
  revision = await gitRevision();
  assert.match(revision, /^[0-9a-f]{40}$/);
});

after(async () => {
  if (!env) return;
  for (const c of containers) await run(env.docker, ["rm", "-f", c]);
  for (const n of networks) await run(env.docker, ["network", "rm", n]);
});

const docker = (args: string[], timeoutMs = 120_000) => must(env.docker, args, { timeoutMs });

function imageRef(component: Component): string {
  return `${env.registry}/webshop/${component}:${revision}`;
}

function release(component: Component): Release {
  return { revision, version: componentVersion(component), created, source: SOURCE };
}

function buildArgs(component: Component): Record<string, string> {
  const r = release(component);
  return { BASE_IMAGE: env.baseSlim, NPM_REGISTRY: env.npmRegistry, REVISION: r.revision, VERSION: r.version, CREATED: r.created, SOURCE: r.source };
}

/** A checkout of the component with the generated Dockerfile, plus local leftovers .dockerignore must keep out. */
async function prepareContext(component: Component): Promise<string> {
  const dir = mkdtempSync(join(env.work, `${component}-`));
  await copyComponent(component, dir);
  await generateDockerfile(component, dir);
  mkdirSync(join(dir, "dist"), { recursive: true });
  writeFileSync(join(dir, "dist", "stale-local-build.js"), `// ${CONTEXT_CANARY}\n`);
  mkdirSync(join(dir, "node_modules", "stale-local-install"), { recursive: true });
  writeFileSync(join(dir, "node_modules", "stale-local-install", "index.js"), `// ${CONTEXT_CANARY}\n`);
  writeFileSync(join(dir, ".env"), `LOCAL_SECRET=${CONTEXT_CANARY}\n`);
  return dir;
}

function npmrcFile(name: string, extra = ""): string {
  const file = join(env.work, name);
  writeFileSync(file, `; test .npmrc passed as the BuildKit secret "npmrc"\n//npm.canary.invalid/:_authToken=${SECRET_CANARY}\n${extra}`);
  return file;
}

/** Every file path of every layer of an image (docker save), and whether a string occurs in any of its bytes. */
async function imageContents(ref: string, needles: string[]): Promise<{ layers: string[][]; found: string[] }> {
  const dir = mkdtempSync(join(env.work, "save-"));
  await docker(["save", "-o", join(dir, "image.tar"), ref], 300_000);
  await must("tar", ["-xf", join(dir, "image.tar"), "-C", dir]);
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { Config: string; Layers: string[] }[];
  const layers: string[][] = [];
  const found = new Set<string>();
  const search = (bytes: Buffer) => {
    for (const n of needles) if (bytes.includes(n)) found.add(n);
  };
  search(readFileSync(join(dir, manifest[0]!.Config)));
  for (const layer of manifest[0]!.Layers) {
    const listing = await must("tar", ["-tf", join(dir, layer)]);
    layers.push(listing.stdout.split("\n").filter((l) => l !== ""));
    search(readFileSync(join(dir, layer)));
  }
  return { layers, found: [...found] };
}

interface ContainerHealth {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; ExitCode: number; Output: string }[] | null;
}

async function health(container: string): Promise<ContainerHealth> {
  const r = await docker(["inspect", "-f", "{{json .State.Health}}", container]);
  return JSON.parse(r.stdout) as ContainerHealth;
}

/** Polls (bounded) until the container's health satisfies the predicate; returns the last state. */
async function waitHealth(container: string, done: (h: ContainerHealth) => boolean, timeoutMs: number): Promise<ContainerHealth> {
  const deadline = Date.now() + timeoutMs;
  let h = await health(container);
  while (!done(h) && Date.now() < deadline) {
    await sleep(1000);
    h = await health(container);
  }
  return h;
}

async function publishedPort(container: string): Promise<number> {
  const r = await docker(["port", container, "8080/tcp"]);
  const port = Number(/:(\d+)\s*$/m.exec(r.stdout)?.[1]);
  assert.ok(port > 0, `no published port in: ${r.stdout}`);
  return port;
}

/** GET with bounded retries while the server starts. */
async function getWhenUp(url: string, timeoutMs = 30_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(5000) });
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(error)}`);
      await sleep(300);
    }
  }
}

/** The line of a failed build where npm says what it could not fetch. */
function npmError(output: string): string {
  const lines = output.split("\n").map((l) => l.replace(/^#\d+ [\d.]+ /, ""));
  return lines.find((l) => /npm error .*(request to|network|timeout)/i.test(l)) ?? lines.filter((l) => l.startsWith("npm error")).join(" | ");
}

function tcpConnect(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.on("connect", () => {
      s.destroy();
      resolve("connected");
    });
    s.on("timeout", () => {
      s.destroy();
      resolve("timeout");
    });
    s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

// ---------------------------------------------------------------------------------------------
describe("the build network: the npm proxy is the only way out", () => {
  const PROBE = `// Runs inside a RUN step: what can a build reach?
import { connect } from "node:net";
const tcp = (host, port) => new Promise((resolve) => {
  const s = connect({ host, port, timeout: 3000 });
  s.on("connect", () => { s.destroy(); resolve("connected"); });
  s.on("timeout", () => { s.destroy(); resolve("timeout"); });
  s.on("error", (e) => resolve(e.code ?? e.message));
});
const result = {
  npmByAddress: await tcp(process.env.NPM_ADDRESS, 443),
  npmByName: await tcp("registry.npmjs.org", 443),
  hostPort: await tcp(process.env.GATEWAY, Number(process.env.HOST_PORT)),
  proxy: await fetch(process.env.NPM_REGISTRY + "-/ping", { signal: AbortSignal.timeout(10000) }).then((r) => r.status, (e) => String(e.cause ?? e)),
};
console.log("PROBE_RESULT " + JSON.stringify(result));
`;
  let probeDir: string;
  let npmAddress: string;
  let hostServer: Server;
  let hostPort: number;

  before(async () => {
    probeDir = mkdtempSync(join(env.work, "probe-"));
    writeFileSync(join(probeDir, "probe.mjs"), PROBE);
    writeFileSync(join(probeDir, "Dockerfile"), "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG NPM_ADDRESS GATEWAY HOST_PORT NPM_REGISTRY NONCE\nCOPY probe.mjs /probe.mjs\nRUN node /probe.mjs\n");
    npmAddress = (await lookup("registry.npmjs.org", { family: 4 })).address;
    // A service of this host listening on every address: the host reaches it, builds must not.
    hostServer = createServer((s) => s.end());
    await new Promise<void>((resolve) => hostServer.listen(0, "0.0.0.0", resolve));
    hostPort = (hostServer.address() as { port: number }).port;
  });
  after(() => hostServer?.close());

  async function probe(network: "default" | "host"): Promise<Record<string, unknown>> {
    const r = await build(env, {
      context: probeDir,
      noCache: true,
      network,
      buildArgs: { BASE_IMAGE: env.baseSlim, NPM_ADDRESS: npmAddress, GATEWAY: env.gateway, HOST_PORT: String(hostPort), NPM_REGISTRY: env.npmRegistry, NONCE: randomBytes(6).toString("hex") },
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.output.slice(-3000));
    const line = /PROBE_RESULT (\{.*\})/.exec(r.output);
    assert.ok(line, `no PROBE_RESULT in:\n${r.output.slice(-3000)}`);
    return JSON.parse(line[1] as string) as Record<string, unknown>;
  }

  test("firewall rules tagged by buildkit.sh are in place (DOCKER-USER and INPUT)", async () => {
    const rules = (await must("iptables", ["-w", "-S"])).stdout.split("\n").filter((l) => l.includes(env.firewallTag));
    assert.ok(
      rules.some((l) => l.startsWith("-A DOCKER-USER") && l.includes(`-i ${env.bridge}`) && l.endsWith("-j DROP")),
      rules.join("\n"),
    );
    assert.ok(
      rules.some((l) => l.startsWith("-A INPUT") && l.includes(`--dport ${new URL(env.npmRegistry).port}`) && l.endsWith("-j ACCEPT")),
      rules.join("\n"),
    );
    assert.ok(
      rules.some((l) => l.startsWith("-A INPUT") && l.includes(`-i ${env.bridge}`) && l.endsWith("-j DROP")),
      rules.join("\n"),
    );
  });

  test("control: this machine itself reaches registry.npmjs.org and the host service", async () => {
    assert.equal(await tcpConnect(npmAddress, 443), "connected");
    const res = await fetch("https://registry.npmjs.org/-/ping", { signal: AbortSignal.timeout(15_000) });
    assert.ok(res.status < 500, `registry.npmjs.org answered ${res.status}`);
    assert.equal(await tcpConnect(env.gateway, hostPort), "connected");
  });

  test("a RUN step reaches the npm proxy, and neither registry.npmjs.org (by address or name) nor other host ports", async (t) => {
    const r = await probe("default");
    t.diagnostic(`from a RUN step on ${env.bridge}: ${JSON.stringify(r)} (registry.npmjs.org is ${npmAddress} here)`);
    assert.equal(r.proxy, 200, `the npm proxy from a RUN step: ${JSON.stringify(r)}`);
    assert.notEqual(r.npmByAddress, "connected", `registry.npmjs.org (${npmAddress}) reached directly: ${JSON.stringify(r)}`);
    assert.notEqual(r.npmByName, "connected", JSON.stringify(r));
    assert.notEqual(r.hostPort, "connected", `host port ${hostPort} reached from a RUN step: ${JSON.stringify(r)}`);
  });

  test("control: the same RUN step on the host network reaches registry.npmjs.org, so the rules are what stops it", async (t) => {
    const r = await probe("host");
    t.diagnostic(`from a RUN step with --network=host: ${JSON.stringify(r)}`);
    assert.equal(r.npmByAddress, "connected", JSON.stringify(r));
    assert.equal(r.proxy, 200, JSON.stringify(r));
  });
});

// ---------------------------------------------------------------------------------------------
for (const component of ["backend", "frontend"] as const) {
  describe(`${component}: the generated Dockerfile built with BuildKit`, () => {
    let context: string;
    let ref: string;
    let buildOutput: string;

    before(async () => {
      context = await prepareContext(component);
      ref = imageRef(component);
    });

    test("builds through the mirror and pushes by git SHA, giving a digest", async (t) => {
      const npmrc = npmrcFile(`npmrc-${component}`);
      const r = await build(env, { context, tags: [ref], buildArgs: buildArgs(component), npmrc, timeoutMs: 900_000 });
      buildOutput = r.output;
      assert.equal(r.code, 0, r.output.slice(-5000));
      assert.ok(!r.output.includes(SECRET_CANARY), "the npmrc secret appears in the build output");
      assert.ok(r.output.includes(`load metadata for ${env.baseSlim}`), "the base image was not resolved through the local registry");
      const counts = stepCounts(r.steps);
      t.diagnostic(`built in ${(r.ms / 1000).toFixed(1)} s: ${counts.executed} steps run, ${counts.cached} cached; npm ci ${npmCiStep(r.steps)?.status}`);
      const push = await docker(["push", ref], 300_000);
      t.diagnostic(`pushed ${ref} in ${(push.ms / 1000).toFixed(1)} s`);
      const digest = /: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push.stdout)?.[1];
      assert.ok(digest, `no digest in the push output:\n${push.stdout}`);
      const head = await registryGet(env, `/v2/webshop/${component}/manifests/${revision}`, "application/vnd.docker.distribution.manifest.v2+json");
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("docker-content-digest"), digest);
      t.diagnostic(`${ref} -> ${digest} (the registry serves the same digest)`);
    });

    test("docker inspect: non-root 1000:1000, health check, OCI labels with the values passed, exposed port", async () => {
      const config = JSON.parse((await docker(["image", "inspect", "-f", "{{json .Config}}", ref])).stdout) as {
        User: string;
        Healthcheck?: { Test: string[]; Interval: number; Retries: number };
        Labels: Record<string, string>;
        ExposedPorts: Record<string, unknown>;
        Cmd: string[];
        Env: string[];
      };
      assert.equal(config.User, "1000:1000");
      assert.ok(config.Healthcheck, "no HEALTHCHECK");
      assert.equal(config.Healthcheck.Test[0], "CMD");
      assert.ok(config.Healthcheck.Test.join(" ").includes("http://127.0.0.1:8080/health"), config.Healthcheck.Test.join(" "));
      const r = release(component);
      assert.equal(config.Labels["org.opencontainers.image.revision"], r.revision);
      assert.equal(config.Labels["org.opencontainers.image.version"], r.version);
      assert.equal(config.Labels["org.opencontainers.image.created"], r.created);
      assert.equal(config.Labels["org.opencontainers.image.source"], r.source);
      assert.deepEqual(Object.keys(config.ExposedPorts), ["8080/tcp"]);
      assert.deepEqual(config.Cmd, component === "backend" ? ["node", "dist/server.js"] : ["node", "server.mjs"]);
      assert.ok(config.Env.includes("NODE_ENV=production"));
    });

    test("the runtime image holds no dev dependency, no sources, no .npmrc and no secret, in any layer", async () => {
      const { layers, found } = await imageContents(ref, [SECRET_CANARY, CONTEXT_CANARY]);
      assert.deepEqual(found, [], "a canary value is in the image");
      const files = layers.flat().map((f) => f.replace(/^\.\//, ""));
      const app = files.filter((f) => f.startsWith("app/"));
      const devOnly = ["typescript", "@biomejs", "@types", "vite", "rolldown", "@rolldown"];
      // npm prune leaves a pruned scope's empty directory (node_modules/@types/) behind: only content counts.
      for (const dev of devOnly) {
        const inside = app.filter((f) => f.startsWith(`app/node_modules/${dev}/`) && f !== `app/node_modules/${dev}/`);
        assert.deepEqual(inside.slice(0, 5), [], `dev dependency ${dev} is in the image`);
      }
      assert.ok(!app.some((f) => f.startsWith("app/src/")), "src/ is in the image");
      assert.ok(!app.some((f) => /\.ts$/.test(f) && !f.startsWith("app/node_modules/")), "TypeScript sources are in the image");
      assert.ok(!app.some((f) => f.startsWith("app/test/") || f === "app/tsconfig.json"), "tests or tsconfig are in the image");
      assert.ok(!app.some((f) => f.includes("stale-local")), ".dockerignore let a local node_modules or dist into the image");
      assert.ok(!files.some((f) => /(^|\/)\.npmrc$/.test(f)), `.npmrc in a layer: ${files.filter((f) => f.endsWith(".npmrc")).join(", ")}`);
      assert.ok(!files.some((f) => /(^|\/)\.env$/.test(f)), ".env in a layer");
      if (component === "backend") {
        assert.ok(app.includes("app/node_modules/pg/package.json"), "the runtime dependency pg is missing");
        assert.ok(app.includes("app/dist/server.js"), "dist/server.js is missing");
      } else {
        assert.ok(app.includes("app/dist/index.html"), "dist/index.html is missing");
        assert.ok(app.includes("app/server.mjs"), "server.mjs is missing");
      }
      const history = (await docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", ref])).stdout;
      assert.ok(!history.includes(SECRET_CANARY), "the secret is in the image history");
      assert.ok(!history.includes("npmrc"), `the runtime image history mentions the npmrc:\n${history}`);
      const inspect = (await docker(["image", "inspect", ref])).stdout;
      assert.ok(!inspect.includes(SECRET_CANARY));
      assert.ok(buildOutput.includes("npm ci"), "the build ran no npm ci");
    });

    if (component === "backend") {
      test("the container starts, /health answers 503 without a database, and the HEALTHCHECK runs and reports it", async () => {
        const name = `pac-it-backend-${randomBytes(4).toString("hex")}`;
        containers.push(name);
        // A database address where nothing listens: the API starts, its health check fails.
        await docker(["run", "-d", "--name", name, "-p", "127.0.0.1::8080", "-e", "DATABASE_URL=postgresql://webshop:unused@127.0.0.1:1/webshop", ref]);
        const port = await publishedPort(name);
        const res = await getWhenUp(`http://127.0.0.1:${port}/health`);
        assert.equal(res.status, 503);
        const body = (await res.json()) as { status: string; error: string; version: string };
        assert.equal(body.error, "database_unavailable");
        assert.equal(body.version, componentVersion("backend"));
        // interval 10s, retries 3: unhealthy after three failed probes (bounded wait).
        const h = await waitHealth(name, (x) => x.Status === "unhealthy", 60_000);
        assert.equal(h.Status, "unhealthy", JSON.stringify(h));
        assert.ok((h.Log ?? []).length >= 3 && (h.Log ?? []).every((l) => l.ExitCode === 1), JSON.stringify(h));
        const user = (await docker(["exec", name, "id", "-u"])).stdout.trim();
        assert.equal(user, "1000");
      });
    } else {
      test("the container serves index.html and its assets; its HEALTHCHECK (/healthz) is its own, not the backend's", async () => {
        const net = `pac-it-${randomBytes(4).toString("hex")}`;
        await docker(["network", "create", net]);
        networks.push(net);
        // A stand-in backend whose /health answers 200: the frontend's /health proxies to it.
        const stub = `pac-it-stub-${randomBytes(4).toString("hex")}`;
        containers.push(stub);
        await docker([
          "run",
          "-d",
          "--name",
          stub,
          "--network",
          net,
          "--network-alias",
          "backend",
          "--user",
          "1000:1000",
          env.baseSlim,
          "node",
          "-e",
          "require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{\"status\":\"ok\"}'); }).listen(8080)",
        ]);
        const name = `pac-it-frontend-${randomBytes(4).toString("hex")}`;
        containers.push(name);
        await docker(["run", "-d", "--name", name, "--network", net, "-p", "127.0.0.1::8080", "-e", "BACKEND_URL=http://backend:8080", ref]);
        const port = await publishedPort(name);
        const res = await getWhenUp(`http://127.0.0.1:${port}/`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
        const html = await res.text();
        assert.match(html, /<title>Webshop<\/title>/);
        const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
        assert.ok(asset, `index.html references no built /assets/*.js (was it built?):\n${html}`);
        assert.equal((await fetch(`http://127.0.0.1:${port}${asset}`)).status, 200);
        assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
        const h = await waitHealth(name, (x) => x.Status === "healthy", 45_000);
        assert.equal(h.Status, "healthy", JSON.stringify(h));
        // The probe is /healthz, answered by server.mjs itself: with the backend gone the proxy says
        // so (502 on /health), but the frontend stays healthy, so an orchestrator does not restart
        // a working frontend for a backend outage.
        await docker(["rm", "-f", stub]);
        const stoppedAt = Date.now();
        assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 502);
        const after = await waitHealth(name, (x) => (x.Log ?? []).some((l) => Date.parse(l.Start) > stoppedAt), 30_000);
        const probe = (after.Log ?? []).find((l) => Date.parse(l.Start) > stoppedAt);
        assert.equal(probe?.ExitCode, 0, JSON.stringify(after));
        assert.equal(after.Status, "healthy", JSON.stringify(after));
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
test("no tag `latest` is ever produced: every tag in the registry and on the engine is a version or a SHA", async () => {
  const tags = await registryTags(env);
  for (const component of ["backend", "frontend"]) assert.deepEqual(tags.get(`webshop/${component}`), [revision], `webshop/${component}`);
  for (const [repo, list] of tags) assert.ok(!list.includes("latest"), `${repo} has a tag latest`);
  const local = (await docker(["images", "--format", "{{.Repository}}:{{.Tag}}"])).stdout.split("\n");
  assert.deepEqual(
    local.filter((l) => l.includes("/webshop/") && l.endsWith(":latest")),
    [],
  );
});

// ---------------------------------------------------------------------------------------------
describe("when the npm proxy is down, the build fails fast and names it", () => {
  // npm's defaults retry a refused connection twice, 10 s then up to 60 s apart (about 70 s for
  // the backend here); bounded through the npmrc secret, as a pipeline's test setup would.
  const BOUNDED = "fetch-retries=1\nfetch-retry-mintimeout=1000\nfetch-retry-maxtimeout=2000\nfetch-timeout=5000\n";
  let context: string;

  before(async () => {
    context = await prepareContext("backend");
  });

  const proxy = (action: "start" | "stop") => must("bash", [env.proxyCtl, action, env.proxyState], { timeoutMs: 60_000 });

  test("stopped: npm ci fails within a minute with ECONNREFUSED on the proxy's URL", async (t) => {
    await proxy("stop");
    try {
      const r = await build(env, { context, noCache: true, buildArgs: buildArgs("backend"), npmrc: npmrcFile("npmrc-bounded", BOUNDED), timeoutMs: 180_000 });
      assert.notEqual(r.code, 0, "the build succeeded without the npm proxy");
      t.diagnostic(`failed after ${(r.ms / 1000).toFixed(1)} s: ${npmError(r.output)}`);
      assert.ok(r.ms < 60_000, `took ${Math.round(r.ms / 1000)} s`);
      assert.equal(npmCiStep(r.steps)?.status, "error", "npm ci is not the step that failed");
      assert.ok(r.output.includes(`request to ${env.npmRegistry}`), `the failure does not name ${env.npmRegistry}:\n${r.output.slice(-3000)}`);
      assert.match(r.output, /ECONNREFUSED/);
      assert.equal(stepCounts(r.steps).error, 1);
    } finally {
      await proxy("start");
    }
  });

  test("hung (accepts connections, never answers): npm ci fails on its fetch timeout, naming the proxy", async (t) => {
    const pid = Number(readFileSync(join(env.proxyState, "pid"), "utf8"));
    process.kill(pid, "SIGSTOP");
    try {
      const r = await build(env, { context, noCache: true, buildArgs: buildArgs("backend"), npmrc: npmrcFile("npmrc-bounded", BOUNDED), timeoutMs: 180_000 });
      assert.notEqual(r.code, 0, "the build succeeded with a hung npm proxy");
      t.diagnostic(`failed after ${(r.ms / 1000).toFixed(1)} s: ${npmError(r.output)}`);
      assert.ok(r.ms < 90_000, `took ${Math.round(r.ms / 1000)} s`);
      assert.equal(npmCiStep(r.steps)?.status, "error");
      assert.ok(r.output.includes(env.npmRegistry), `the failure does not name ${env.npmRegistry}:\n${r.output.slice(-3000)}`);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const ping = await fetch(`${env.npmRegistry}-/ping`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(ping.status, 200, "the npm proxy did not recover");
  });
});
