/**
 * `dagger check` runs the functions the SDK's own introspector marks as checks. The introspection
 * JSON (the goldens) leaves that mark out, so this reads it from the SDK's scan() directly, the
 * code the engine runs, and checks each is callable without arguments and returns nothing.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { readGolden } from "./golden.js";
import type { ArgDef, MethodDef } from "./introspect.js";
import { allModules, ROOT } from "./modules.js";
import { generateSdk } from "./sdk.js";

const SCAN = join(ROOT, "node_modules/@dagger.io/dagger/dist/src/module/introspector/index.js");

/** Function names marked @check, per object, as the SDK's introspector finds them. */
function checksOf(moduleName: string): Record<string, string[]> {
  const mod = allModules().find((m) => m.name === moduleName);
  assert.ok(mod, `module ${moduleName}`);
  const src = join(mod.sourceDir, "src");
  const script = `
    import { readdirSync, statSync } from "node:fs";
    import { join } from "node:path";
    const { scan } = await import(${JSON.stringify(SCAN)});
    const files = (d) => readdirSync(d).flatMap((f) => statSync(join(d, f)).isDirectory() ? files(join(d, f)) : f.endsWith(".ts") ? [join(d, f)] : []);
    const result = await scan([...files(process.argv[1]), process.argv[2]], process.argv[3], false);
    const out = {};
    for (const [name, obj] of Object.entries(result.objects)) out[name] = Object.values(obj.methods).filter((f) => f.isCheck).map((f) => f.name);
    console.log(JSON.stringify(out));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script, src, generateSdk(mod).clientFile, moduleName], { encoding: "utf8" });
  return JSON.parse(out) as Record<string, string[]>;
}

// One scan (about 10 s) serves both tests.
const checks = checksOf("pipeline");

test("dagger check runs lint and unit tests of every component: exactly lintAll and unitTests are checks", () => {
  assert.deepEqual(checks.Pipeline.sort(), ["lintAll", "unitTests"]);
  for (const [object, names] of Object.entries(checks)) if (object !== "Pipeline") assert.deepEqual(names, [], `${object} has no checks`);
});

test("every check takes no required argument and returns nothing (what dagger check can call)", () => {
  const golden = readGolden("pipeline");
  assert.ok(golden, "the pipeline golden exists (npm run generate)");
  for (const name of checks.Pipeline) {
    const method: MethodDef | undefined = golden.objects.Pipeline.methods[name];
    assert.ok(method, `${name} is in the golden API`);
    assert.deepEqual(
      Object.values(method.arguments)
        .filter((a: ArgDef) => !a.isOptional && a.defaultValue === undefined)
        .map((a: ArgDef) => a.name),
      [],
      `${name}: required arguments`,
    );
    assert.equal(method.returnType.kind, "VOID_KIND", `${name} returns void`);
  }
});
