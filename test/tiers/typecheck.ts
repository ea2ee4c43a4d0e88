/**
 * Type check of a module with TypeScript 5.9.3 (the engine's version) against the pinned SDK,
 * its local dependencies declared from their introspection.
 */
import { writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { BUILD_DIR, type ModuleInfo, ROOT } from "./modules.js";
import { generateSdk } from "./sdk.js";

/** The compiler's complaints about one module, one formatted line each (empty when clean). */
export function typecheckModule(mod: ModuleInfo, buildDir = BUILD_DIR): string[] {
  if (ts.version !== "5.9.3") throw new Error(`type check needs typescript 5.9.3 (the engine's), found ${ts.version}`);
  const sdk = generateSdk(mod, buildDir);
  const tsconfig = join(buildDir, `tsconfig.${mod.name}.json`);
  // Same settings as the module's own tsconfig; only the SDK path differs, since the engine's
  // generated sdk/ folder does not exist offline.
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: relative(buildDir, join(mod.sourceDir, "tsconfig.json")),
      // The engine's template maps @dagger.io/dagger/telemetry to the generated sdk too (custom spans).
      compilerOptions: { noEmit: true, paths: { "@dagger.io/dagger": [sdk.indexFile], "@dagger.io/dagger/telemetry": [join(dirname(sdk.indexFile), "telemetry/index.d.ts")] }, types: ["node"] },
      include: [join(mod.sourceDir, "src/**/*.ts")],
    }),
  );
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${tsconfig}`);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return [...parsed.errors, ...ts.getPreEmitDiagnostics(program)].map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file || d.start === undefined) return `TS${d.code}: ${text}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${relative(ROOT, d.file.fileName)}:${line + 1}:${character + 1} TS${d.code}: ${text}`;
  });
}
