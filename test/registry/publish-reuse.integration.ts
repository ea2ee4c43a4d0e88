// publish across three runs against a REAL registry: the Dagger side is recorded (builds and
// pushes are answered by the recorder, which pushes a real image where the engine would; the
// engine's resolution of an input tag, `from(…).imageRef()`, is answered from the real registry's
// tags as they are when the run starts), the registry side is real. Proves: inputs unchanged → no build, the SHA tag is added to the same
// manifest; one component changed → only it is built.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { RegistryClient } from "../../.dagger/src/registry/client.js";
import { record } from "../recorder/record.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { type PushedImage, pushImage } from "./push.js";
import { type RegistryServer, startRegistry } from "./registry-server.js";

const COMPONENTS = ["db", "backend", "frontend"];
const sha = (n: number) => String(n).repeat(40).slice(0, 40);
let server: RegistryServer;
let config: string;

before(async () => {
  for (const m of ["node-toolchain", "flyway"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  server = await startRegistry({ kind: "htpasswd", username: "ci", password: "registry-pw" });
  config = readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8").replace("address: registry.example.com/acme/webshop", `address: ${server.registry}/webshop`);
  assert.ok(config.includes(server.registry), "the example's registry address was replaced");
});
after(async () => server?.stop());

const auth = `Basic ${Buffer.from("ci:registry-pw").toString("base64")}`;
const client = () => new RegistryClient({ registry: server.registry, credentials: { username: "ci", password: "registry-pw" } });

/** Every input tag in the real registry now, with its digest: what the engine's `from` would resolve. */
async function inputTags(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const c of COMPONENTS) {
    const list = await fetch(`${server.base}/v2/webshop/${c}/tags/list`, { headers: { authorization: auth } });
    const tags = list.ok ? (((await list.json()) as { tags: string[] | null }).tags ?? []) : [];
    for (const t of tags.filter((x) => x.startsWith("in-"))) {
      const m = await client().manifest(`${server.registry}/webshop/${c}:${t}`);
      if (m) found.set(`${server.registry}/webshop/${c}:${t}`, m.digest);
    }
  }
  return found;
}

/** One publish run; `sources` gives each component's directory digest, `pushed` the real image the engine would push. */
async function publishRun(revision: string, sources: Record<string, string>, pushed: Record<string, PushedImage>) {
  const published = await inputTags();
  return record(
    async () => new Pipeline(dag.directory()).publish(revision, dag.setSecret("registry-token", "registry-pw")),
    (leaf) => {
      if (leaf.endsWith('file(path: "pipeline.yaml").contents')) return config;
      if (/\.exists\(path: [^)]*\)$/.test(leaf)) return true;
      if (leaf.endsWith(".plaintext")) return "registry-pw";
      const dir = /^directory\.directory\(path: "(\w+)"\)\.digest$/.exec(leaf);
      if (dir) return sources[dir[1]];
      const pub = /\.publish\(address: "[^"]+\/webshop\/(\w+):([0-9a-f]{40})"\)$/.exec(leaf);
      if (pub) return `${server.registry}/webshop/${pub[1]}:${pub[2]}@${pushed[pub[1]].digest}`;
      const lookup = /from\(address: "([^"]+:in-[0-9a-f]{64})"\)\.imageRef$/.exec(leaf);
      if (lookup) {
        const digest = published.get(lookup[1]);
        if (!digest) throw new Error(`failed to resolve image "${lookup[1]}": not found`);
        return `${lookup[1]}@${digest}`;
      }
      return undefined;
    },
  );
}

const built = (leaves: string[]) => leaves.flatMap((l) => [...(/\.publish\(address: "[^"]+\/webshop\/(\w+):/.exec(l)?.slice(1) ?? [])]).sort();

describe("publish reuses unchanged images through the registry", () => {
  it("run 1 builds everything, run 2 (same inputs) builds nothing, run 3 rebuilds only the changed backend", async () => {
    const sources = { db: "sha256:db-v1", backend: "sha256:backend-v1", frontend: "sha256:frontend-v1" };
    // What the engine would push in run 1: real images, so the registry can tag them.
    const first: Record<string, PushedImage> = {};
    for (const c of COMPONENTS) first[c] = await pushImage({ base: server.base, repository: `webshop/${c}`, authorization: auth }, sha(1), `${c} built at run 1`);

    const run1 = await publishRun(sha(1), sources, first);
    assert.deepEqual(built(run1.graph.leaves), ["backend", "db", "frontend"]);
    for (const c of COMPONENTS) assert.match(String(run1.result), new RegExp(`^${c}\\t${server.registry}/webshop/${c}:${sha(1)}@${first[c].digest}\\tbuilt$`, "m"));

    const run2 = await publishRun(sha(2), sources, first);
    assert.deepEqual(built(run2.graph.leaves), [], "no image is built or pushed when no input changed");
    assert.equal(run2.graph.leaves.filter((l) => /\)\.build\(/.test(l)).length, 0);
    for (const c of COMPONENTS) {
      assert.match(String(run2.result), new RegExp(`^${c}\\t${server.registry}/webshop/${c}:${sha(2)}@${first[c].digest}\\treused \\(inputs unchanged\\)$`, "m"));
      assert.equal((await client().manifest(`${server.registry}/webshop/${c}:${sha(2)}`))?.digest, first[c].digest, `${c}:${sha(2)} names the run-1 image in the real registry`);
    }

    const backendV2 = await pushImage({ base: server.base, repository: "webshop/backend", authorization: auth }, sha(3), "backend built at run 3");
    const run3 = await publishRun(sha(3), { ...sources, backend: "sha256:backend-v2" }, { ...first, backend: backendV2 });
    assert.deepEqual(built(run3.graph.leaves), ["backend"]);
    assert.equal((await client().manifest(`${server.registry}/webshop/frontend:${sha(3)}`))?.digest, first.frontend.digest);
    assert.equal((await client().manifest(`${server.registry}/webshop/backend:${sha(3)}`))?.digest, backendV2.digest);
    const tags = (await (await fetch(`${server.base}/v2/webshop/backend/tags/list`, { headers: { authorization: auth } })).json()) as { tags: string[] };
    assert.equal(tags.tags.filter((t) => t.startsWith("in-")).length, 2, "one input tag per distinct backend build");
    assert.equal(tags.tags.includes("latest"), false);
  });
});
