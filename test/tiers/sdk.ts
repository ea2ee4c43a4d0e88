/**
 * Stand-in for the `sdk/` folder the engine generates into each module: a copy of the pinned
 * @dagger.io/dagger package whose client also declares the module's local dependencies.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { declarationsFor } from "./declarations.js";
import { introspect } from "./introspect.js";
import { BUILD_DIR, type ModuleInfo, ROOT, readModule } from "./modules.js";

const SDK_DIST = join(ROOT, "node_modules/@dagger.io/dagger/dist/src");

/** Where a module's generated SDK lives: index.d.ts for tsc, client.gen.ts for introspection. */
export interface GeneratedSdk {
  indexFile: string;
  clientFile: string;
}

/**
 * Generate the SDK of one module into build/sdk/<module>/, with declarations for each local
 * dependency produced from that dependency's own introspection (recursively).
 */
export function generateSdk(mod: ModuleInfo, buildDir = BUILD_DIR): GeneratedSdk {
  const dir = join(buildDir, "sdk", mod.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(SDK_DIST, dir, { recursive: true, filter: (src) => !src.endsWith(".map") });
  const declarations = mod.dependencies.map((dep) => {
    const depModule = readModule(dep.dir);
    const depSdk = generateSdk(depModule, buildDir);
    return declarationsFor(dep.name, introspect(dep.name, join(depModule.sourceDir, "src"), depSdk.clientFile));
  });
  const clientDts = join(dir, "api/client.gen.d.ts");
  const client = `${readFileSync(clientDts, "utf8")}\n${declarations.join("\n")}`;
  writeFileSync(clientDts, client);
  // The introspector recognises the generated client by this exact file name; a sibling folder
  // of api/ keeps its relative imports (../common/…) resolving without shadowing client.gen.d.ts.
  mkdirSync(join(dir, "api-introspect"));
  const clientFile = join(dir, "api-introspect/client.gen.ts");
  writeFileSync(clientFile, client);
  return { indexFile: join(dir, "index.d.ts"), clientFile };
}
