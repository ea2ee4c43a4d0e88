import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { coreNameClashes } from "./core-names.js";
import { currentApi, jsonDiff, readGolden } from "./golden.js";
import { allModules, readModule, ROOT } from "./modules.js";
import { makeMutant } from "./mutant.js";
import { cachePolicies } from "../harness/policies.js";
import { POLICIES_GOLDEN } from "../harness/modules.js";

describe("introspection tier (the SDK's own introspection, offline)", () => {
  for (const mod of allModules()) {
    it(`module ${mod.name}: public API equals the committed golden`, () => {
      const golden = readGolden(mod.name);
      assert.ok(golden, `no golden introspection for ${mod.name}: run npm run generate and commit test/golden/introspection/${mod.name}.json`);
      const diff = jsonDiff(golden, currentApi(mod));
      assert.deepEqual(diff, [], `the public API of ${mod.name} changed; if intended, run npm run generate and commit:\n${diff.join("\n")}`);
    });

    it(`module ${mod.name}: every function's cache policy equals the committed golden (the harness caches by it)`, () => {
      const golden = (JSON.parse(readFileSync(POLICIES_GOLDEN, "utf8")) as Record<string, unknown>)[mod.name];
      assert.deepEqual(cachePolicies(mod), golden, `the cache policies of ${mod.name} changed; if intended, run npm run generate and commit test/golden/cache-policies.json`);
    });

    it(`module ${mod.name}: no type is named like a core Dagger type`, () => {
      assert.deepEqual(coreNameClashes(join(mod.sourceDir, "src")), []);
    });
  }

  it("item 15: every source Directory of node-toolchain (and flyway's build) leaves node_modules and .git out of the upload", () => {
    type Arg = { type: { kind: string; name?: string }; ignore?: string[] };
    type Api = { objects: Record<string, { methods?: Record<string, { arguments: Record<string, Arg> }> }> };
    const sources = (module: string, object: string, only?: string[]) =>
      Object.entries((currentApi(readModule(join(ROOT, "modules", module))) as unknown as Api).objects[object].methods ?? {})
        .filter(([fn]) => !only || only.includes(fn))
        .flatMap(([fn, f]) =>
          Object.entries(f.arguments)
            .filter(([name, a]) => name === "source" && a.type.name === "Directory")
            .map(([name, a]) => ({ at: `${module}.${fn}(${name})`, ignore: a.ignore ?? [] })),
        );
    const all = [...sources("node-toolchain", "NodeToolchain"), ...sources("flyway", "Flyway", ["build"])];
    assert.deepEqual(all.map((s) => s.at).sort(), ["flyway.build(source)", ...["build", "check", "dockerfile", "install", "run", "version"].map((f) => `node-toolchain.${f}(source)`)]);
    for (const s of all) for (const p of ["**/node_modules", ".git"]) assert.ok(s.ignore.includes(p), `${s.at} must ignore ${p}; ignores: ${JSON.stringify(s.ignore)}`);
  });

  it("detects a changed function signature against the golden", () => {
    const dir = makeMutant("api-change", [
      {
        file: "modules/node-toolchain/src/index.ts",
        from: "run(@argument({ ignore: SOURCE_IGNORE }) source: Directory, script: string)",
        to: "run(@argument({ ignore: SOURCE_IGNORE }) source: Directory, script: string, verbose = false)",
      },
    ]);
    const diff = jsonDiff(readGolden("node-toolchain"), currentApi(readModule(join(dir, "modules/node-toolchain"))));
    assert.equal(diff.length, 1, diff.join("\n"));
    assert.match(diff[0], /^objects\.NodeToolchain\.methods\.run\.arguments\.verbose: \(absent\) -> /);
  });

  it("detects types named like core types (Env, Secret)", () => {
    const dir = join(ROOT, "build/mutants/core-names/src");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "index.ts"), 'export enum Env { Dev = "dev" }\nexport class Secret {}\nexport class Release {}\n');
    const clashes = coreNameClashes(dir);
    assert.equal(clashes.length, 2, clashes.join("\n"));
    assert.match(clashes[0], /index\.ts:1: Env is a core Dagger type name/);
    assert.match(clashes[1], /index\.ts:2: Secret is a core Dagger type name/);
  });
});
