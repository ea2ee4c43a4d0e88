// Each Dagger module installs its own package.json in the engine; tests here run against the root
// node_modules. Pinning both to the same exact versions keeps what is tested what is deployed.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { allModules, ROOT } from "./tiers/modules.js";

const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const root = json(join(ROOT, "package.json"));
const daggerJson = json(join(ROOT, "dagger.json"));

describe("module packages", () => {
  for (const mod of allModules()) {
    it(`${mod.name}: runtime dependencies are pinned exactly as in the root package.json, with a lockfile`, () => {
      const pkg = json(join(mod.sourceDir, "package.json"));
      assert.equal(pkg.type, "module");
      assert.ok(existsSync(join(mod.sourceDir, "package-lock.json")), "the engine installs from package-lock.json: commit it");
      for (const [name, version] of Object.entries(pkg.dependencies ?? {})) {
        assert.equal(version, root.devDependencies[name], `${name}: module pins ${String(version)}, root pins ${root.devDependencies[name]}`);
      }
    });

    it(`${mod.name}: engineVersion matches the pinned SDK`, () => {
      assert.equal(json(join(mod.dir, "dagger.json")).engineVersion, `v${root.devDependencies["@dagger.io/dagger"]}`);
    });
  }

  it("the root module is named pipeline with its source in .dagger", () => {
    assert.equal(daggerJson.name, "pipeline");
    assert.equal(daggerJson.source, ".dagger");
  });
});
