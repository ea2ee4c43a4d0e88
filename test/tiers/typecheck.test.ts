import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { allModules, readModule } from "./modules.js";
import { makeMutant } from "./mutant.js";
import { typecheckModule } from "./typecheck.js";

describe("type check tier (TypeScript 5.9.3 against @dagger.io/dagger 0.21.9)", () => {
  for (const mod of allModules()) {
    it(`module ${mod.name} type-checks with no errors`, () => {
      assert.deepEqual(typecheckModule(mod), []);
    });
  }

  it("fails when the root module calls a dependency with a missing argument", () => {
    const dir = makeMutant("missing-arg", [{ file: ".dagger/src/toolchains/node.ts", from: ".check(dir, SCRIPTS[step], {", to: ".check(dir, {" }]);
    const errors = typecheckModule(readModule(dir), join(dir, "build"));
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0], /\.dagger\/src\/toolchains\/node\.ts:\d+:\d+ TS2345: Argument of type '\{ junit: boolean; runId: string; \}' is not assignable to parameter of type 'string'/);
  });

  it("fails the caller when the callee module renames a function (declarations come from the callee's introspection)", () => {
    const dir = makeMutant("renamed-callee", [
      {
        file: "modules/node-toolchain/src/index.ts",
        from: "  check(@argument({ ignore: SOURCE_IGNORE }) source: Directory, script: string,",
        to: "  runCheck(@argument({ ignore: SOURCE_IGNORE }) source: Directory, script: string,",
      },
    ]);
    const errors = typecheckModule(readModule(dir), join(dir, "build"));
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0], /\.dagger\/src\/toolchains\/node\.ts:\d+:\d+ TS2339: Property 'check' does not exist on type 'NodeToolchain'/);
  });

  it("fails on a plain type error inside a module", () => {
    const dir = makeMutant("type-error", [{ file: "modules/node-toolchain/src/install.ts", from: '["CI", "true"],', to: '["CI", true],' }]);
    const errors = typecheckModule(readModule(join(dir, "modules/node-toolchain")), join(dir, "build"));
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0], /modules\/node-toolchain\/src\/install\.ts:\d+:\d+ TS2322/);
  });
});
