// Tests and scripts are code too: type-check them with the same compiler, the Dagger SDK path
// pointed at the root module's generated SDK (which declares its local dependencies).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { BUILD_DIR, readModule, ROOT } from "./modules.js";
import { generateSdk } from "./sdk.js";

describe("tests and scripts type-check", () => {
  it("test/ and scripts/ compile with no errors against the generated SDK", () => {
    const sdk = generateSdk(readModule(ROOT));
    const tsconfig = join(BUILD_DIR, "tsconfig.tests.json");
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(ROOT, "tsconfig.json"),
        compilerOptions: { paths: { "@dagger.io/dagger": [sdk.indexFile], "@dagger.io/dagger/telemetry": [join(dirname(sdk.indexFile), "telemetry/index.d.ts")] } },
        include: [join(ROOT, "test/**/*.ts"), join(ROOT, "scripts/**/*.ts")],
        exclude: [join(ROOT, "build")],
      }),
    );
    const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")) });
    assert.ok(parsed);
    const errors = ts.getPreEmitDiagnostics(ts.createProgram(parsed.fileNames, parsed.options)).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file || d.start === undefined) return text;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${relative(ROOT, d.file.fileName)}:${line + 1} TS${d.code}: ${text}`;
    });
    assert.deepEqual(errors, []);
  });
});
