// The TypeScript runtime imports every file under a module's src/ (entrypoint/load.js) before it
// calls a function. A file that does work on import (a CLI's main(), a server) would run inside
// the engine on every call: import each one as the runtime does and require silence.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { allModules, ROOT } from "./modules.js";

const tsFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));

/** Import files the way the runtime's load() does, with an argv that a CLI would choke on. */
function importAll(files: string[]) {
  const script = `await Promise.all(${JSON.stringify(files.map((f) => pathToFileURL(f).href))}.map((f) => import(f)));`;
  return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, "--", "--not-an-option"], { cwd: ROOT, encoding: "utf8" });
}

describe("module sources have no side effects on import", () => {
  for (const mod of allModules()) {
    it(`module ${mod.name}: importing every file under src/ prints nothing and exits 0`, () => {
      const r = importAll(tsFiles(join(mod.sourceDir, "src")));
      // The SDK's client may warn through npm's config; only our output matters.
      const stderr = r.stderr
        .split("\n")
        .filter((l) => l.trim() !== "" && !l.includes("npm warn"))
        .join("\n");
      assert.deepEqual({ status: r.status, stdout: r.stdout, stderr }, { status: 0, stdout: "", stderr: "" });
    });
  }

  it("catches a file that runs a CLI on import", () => {
    const r = importAll([join(ROOT, "scripts/plan.ts")]);
    assert.equal(r.status, 2, `${relative(ROOT, "scripts/plan.ts")} should have run and failed on --not-an-option`);
    assert.match(r.stderr, /usage: npm run plan/);
  });
});
