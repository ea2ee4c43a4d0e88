/**
 * The canary as the mirror token through real BuildKit builds of the Dockerfiles the pipeline
 * generates, with the .npmrc our producer writes (.dagger/src/mirror/npmrc.ts) as the BuildKit
 * secret: the build output, `docker history --no-trunc`, `docker image inspect` and every byte of
 * every layer of the saved image hold no form of it. The checks are shown to catch a leak first:
 * a Dockerfile that puts the token into a layer, a build argument and the log, and the generated
 * Dockerfile fed the multi-line token the way npmrc() wrote it before it refused line breaks.
 *
 * Needs the environment of scripts/integration/buildkit.sh (Docker engine, registry, npm proxy,
 * stand-in base images): run it through scripts/integration/secrets.sh.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { mirrorCredentials, npmrc } from "../../.dagger/src/mirror/npmrc.js";
import { NPM_AUTH_SECRET, NPM_TOKEN_SECRET } from "../../modules/node-toolchain/src/dockerfile.js";
import { build, type BuildkitEnv, buildkitEnv, componentVersion, copyComponent, generateDockerfile, gitRevision, must, rfc3339Now, run } from "../../scripts/integration/buildkit/harness.js";
import { canary, leaksIn } from "./canary.js";

const SECRET = canary();
/** The mirror token must be one line (an .npmrc value): the canary's 4 KB on one line. */
const LINE = SECRET.replace(/\n/g, "");
/** The user of the _auth (basic) form of the .npmrc. */
const USER = "ci";

let env: BuildkitEnv;
let revision: string;
const images: string[] = [];

before(async () => {
  env = buildkitEnv();
  revision = await gitRevision();
});
after(async () => {
  if (env && images.length > 0) await run(env.docker, ["rmi", "-f", ...images]);
});

/** Every form of the canary found in `text`, multi-line or one-line, also inside user:token. */
const leaks = (text: string) => [...new Set([...leaksIn(text, SECRET, USER), ...leaksIn(text, LINE, USER)])];

/** What an image shows of itself: history, inspect, and the bytes of its config and every layer (docker save). */
async function imageEvidence(ref: string): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(env.work, "save-"));
  await must(env.docker, ["save", "-o", join(dir, "image.tar"), ref], { timeoutMs: 300_000 });
  await must("tar", ["-xf", join(dir, "image.tar"), "-C", dir]);
  const evidence: Record<string, string> = {
    "docker history --no-trunc": (await must(env.docker, ["history", "--no-trunc", "--format", "{{.CreatedBy}} {{.Comment}}", ref])).stdout,
    "docker image inspect": (await must(env.docker, ["image", "inspect", ref])).stdout,
  };
  // Every file of the saved image (manifest, config, layer tars): a layer tar holds its files'
  // bytes as they are; a compressed one is inflated first.
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  for (const file of walk(dir).filter((f) => !f.endsWith("/image.tar"))) {
    const bytes = readFileSync(file);
    evidence[`saved image: ${file.slice(dir.length + 1)}`] = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("latin1");
  }
  assert.ok(Object.keys(evidence).some((k) => k.includes("layer")) || Object.keys(evidence).length > 4, "the saved image has layers");
  return evidence;
}

/** The places of `evidence` holding a form of the canary. */
const leakyPlaces = (evidence: Record<string, string>) => Object.entries(evidence).flatMap(([where, text]) => (leaks(text).length > 0 ? [where] : []));

/** A checkout of a component of the example with the Dockerfile the pipeline generates. */
async function context(component: "backend" | "frontend"): Promise<string> {
  const dir = mkdtempSync(join(env.work, `${component}-`));
  await copyComponent(component, dir);
  await generateDockerfile(component, dir);
  return dir;
}

const buildArgs = (component: "backend" | "frontend") => ({
  BASE_IMAGE: env.baseSlim,
  NPM_REGISTRY: env.npmRegistry,
  REVISION: revision,
  VERSION: componentVersion(component),
  CREATED: rfc3339Now(),
  SOURCE: "https://github.com/acme/webshop",
});

describe("the mirror token as a canary through real BuildKit builds", () => {
  test("the checks catch a leak: a Dockerfile that writes the token into a layer, a build argument and the log", async () => {
    const dir = mkdtempSync(join(env.work, "leaky-"));
    // A hand-written .npmrc with the token inline (ours now reads ${NPM_TOKEN} from its own secret):
    // whatever a leaky Dockerfile copies out of it must show up in the checks.
    writeFileSync(join(dir, "npmrc"), `registry=${env.npmRegistry}\n//${env.npmRegistry.replace(/^https?:\/\//, "")}:_authToken=${LINE}\n`);
    writeFileSync(
      join(dir, "Dockerfile"),
      [`FROM ${env.baseSlim}`, "ARG TOKEN", 'RUN echo "token: $TOKEN"', "RUN --mount=type=secret,id=npmrc cp /run/secrets/npmrc /leaked-npmrc && cat /leaked-npmrc", ""].join("\n"),
    );
    const ref = `pac-secrets-leaky:${Date.now()}`;
    const r = await build(env, { context: dir, tags: [ref], buildArgs: { TOKEN: LINE }, npmrc: join(dir, "npmrc"), noCache: true, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.output.slice(-3000));
    images.push(ref);
    assert.ok(leaks(r.output).length > 0, "the build output shows the token");
    const places = leakyPlaces(await imageEvidence(ref));
    assert.ok(places.includes("docker history --no-trunc"), `history: ${places.join(", ")}`);
    assert.ok(places.includes("docker image inspect") || places.some((p) => p.endsWith(".json")), `the build argument in the image's config: ${places.join(", ")}`);
    assert.ok(
      places.some((p) => /layer|blobs/.test(p)),
      `a layer: ${places.join(", ")}`,
    );
  });

  test("the checks catch a leak: the generated Dockerfile with a multi-line token written as npmrc() wrote it before (npm prints its lines)", async (t) => {
    const dir = await context("backend");
    const old = join(env.work, "npmrc-multi-line");
    // The line npmrc() wrote before it refused line breaks: the value spread over 64 lines.
    writeFileSync(old, `registry=${env.npmRegistry}\n//${env.npmRegistry.replace(/^https?:\/\//, "")}:_authToken=${SECRET}\n`);
    const r = await build(env, { context: dir, buildArgs: buildArgs("backend"), npmrc: old, noCache: true, timeoutMs: 900_000 });
    t.diagnostic(`exit ${r.code}; ${leaks(r.output).length} leaked form(s) in the build output`);
    assert.ok(leaksIn(r.output, SECRET).length > 0, `npm did not print the token's lines; output tail:\n${r.output.slice(-3000)}`);
  });

  for (const [component, form] of [
    ["backend", "bearer (_authToken)"],
    ["frontend", "basic (_auth with --mirror-username)"],
  ] as const)
    test(`${component}: the .npmrc we write with the canary token (${form}); output, history, inspect and every layer are clean`, async (t) => {
      const dir = await context(component);
      const file = join(env.work, `npmrc-${component}`);
      // As file:// would deliver it: with a final newline, which npmrc() drops.
      const auth = component === "backend" ? { token: `${LINE}\n` } : { token: `${LINE}\n`, username: USER };
      writeFileSync(file, npmrc(env.npmRegistry, {}, auth));
      // The .npmrc reads the token (and the basic-auth value) from secrets of their own, as the pipeline passes them.
      const credentials = mirrorCredentials(auth);
      const secrets: Record<string, string> = { [NPM_TOKEN_SECRET]: join(env.work, `npm-token-${component}`) };
      writeFileSync(secrets[NPM_TOKEN_SECRET], credentials.token);
      if (credentials.basic) {
        secrets[NPM_AUTH_SECRET] = join(env.work, `npm-auth-${component}`);
        writeFileSync(secrets[NPM_AUTH_SECRET], credentials.basic);
      }
      const ref = `${env.registry}/secrets/${component}:${revision}`;
      const r = await build(env, { context: dir, tags: [ref], buildArgs: buildArgs(component), npmrc: file, secrets, noCache: true, timeoutMs: 900_000 });
      assert.equal(r.code, 0, r.output.slice(-5000));
      images.push(ref);
      assert.match(r.output, /npm ci/, "npm ran with the secret mounted");
      assert.deepEqual(leaks(r.output), [], "the build output");
      const evidence = await imageEvidence(ref);
      t.diagnostic(`checked ${Object.keys(evidence).length} places: ${Object.keys(evidence).filter((k) => k.startsWith("saved")).length} files of the saved image, history, inspect`);
      assert.deepEqual(leakyPlaces(evidence), [], "places holding the canary");
    });
});
