/**
 * When the engine's TypeScript runtime installs a module's packages at load: the rule of
 * dagger/dagger `sdk/typescript/runtime/runtime_node.go` (with `config.go` and
 * `tsdistconsts/consts.go`), read at tag v0.21.8. The mirror we read from has no v0.21.9 tag; the
 * `backport-0.21` branch after v0.21.8 changes nothing in sdk/typescript/runtime except its
 * dagger.json, so the rule below is the one 0.21.9 ships.
 *
 * - config.go `analyzeModuleConfig` parses the module's own package.json into
 *   `packageJSONConfig{PackageManager, Dependencies, Dagger}`: only `dependencies` counts
 *   (devDependencies and unknown keys such as our "vendor" are ignored). Without a package.json
 *   the runtime uses an empty dependency map.
 * - runtime_node.go `withInstalledDependencies` (the same for npm, yarn and pnpm):
 *       version, ok := cfg.packageJSONConfig.Dependencies["typescript"]
 *       if ok && version == tsdistconsts.DefaultTypeScriptVersion {   // "5.9.3"
 *           mount the bundled typescript at node_modules/typescript
 *           if len(cfg.packageJSONConfig.Dependencies) <= 1 { return }  // no install
 *       }
 *       ... WithExec("npm", "install", "--omit=dev")   // (yarn install --prod, pnpm install --prod)
 *   So the install is skipped only when `dependencies` is exactly {"typescript": "5.9.3"} (the exact
 *   string: "^5.9.3" installs). An empty or missing `dependencies` runs the install too.
 * - The generated SDK is mounted at node_modules/@dagger.io/dagger, so on that fast path a module's
 *   code can import @dagger.io/dagger, typescript and node builtins, and nothing else.
 * - bun and deno runtimes (`"dagger": {"runtime": …}` or their lockfiles) follow other code paths
 *   (runtime_bun.go, runtime_deno.go); we do not model them and count them as installing.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./modules.js";

/** The TypeScript version the runtime bundles (tsdistconsts.DefaultTypeScriptVersion, v0.21.8). */
export const ENGINE_TYPESCRIPT = "5.9.3";

/** What the engine is given to read: a module's package.json, or undefined when it has none. */
export interface ModulePackageJson {
  dependencies?: Record<string, string>;
  dagger?: { runtime?: string; baseImage?: string };
}

/** Why the engine runs a package install when it loads this module, or undefined when it skips it. */
export function installReason(pkg: ModulePackageJson | undefined, lockfiles: string[] = ["package-lock.json"]): string | undefined {
  const runtime = pkg?.dagger?.runtime?.split("@")[0];
  if (runtime && runtime !== "node") return `runtime ${runtime} is not the node runtime (not modelled: counted as installing)`;
  if (!pkg?.dagger?.runtime && lockfiles.some((f) => f.startsWith("bun.") || f.startsWith("deno."))) return `${lockfiles.join(", ")} selects another runtime (not modelled: counted as installing)`;
  const deps = pkg?.dependencies ?? {};
  if (deps.typescript !== ENGINE_TYPESCRIPT) return `dependencies.typescript is ${JSON.stringify(deps.typescript)}, not exactly "${ENGINE_TYPESCRIPT}"`;
  const others = Object.keys(deps).filter((d) => d !== "typescript");
  if (others.length > 0) return `runtime dependencies beyond the SDK: ${others.join(", ")}`;
  return undefined;
}

/** Bare imports the engine's fast path resolves: the mounted SDK, the mounted typescript, node builtins. */
export function resolvableOnFastPath(specifier: string): boolean {
  if (specifier.startsWith(".") || specifier.startsWith("/")) return true;
  if (specifier.startsWith("node:")) return true;
  return specifier === "@dagger.io/dagger" || specifier.startsWith("@dagger.io/dagger/") || specifier === "typescript";
}

/**
 * A copy of a module laid out as the runtime's fast path lays it out (runtime_node.go
 * SetupContainer): its source and config files, node_modules holding only the SDK (here the npm
 * package; the engine mounts the generated one) and typescript. Outside the repository, so nothing
 * resolves from the root node_modules. Returns the copy's folder (holding package.json and src/).
 */
export function fastPathLayout(sourceDir: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fast-path-${name}-`));
  cpSync(join(sourceDir, "src"), join(dir, "src"), { recursive: true });
  for (const f of ["package.json", "tsconfig.json"]) if (existsSync(join(sourceDir, f))) cpSync(join(sourceDir, f), join(dir, f));
  mkdirSync(join(dir, "node_modules/@dagger.io"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules/@dagger.io/dagger"), join(dir, "node_modules/@dagger.io/dagger"));
  symlinkSync(join(ROOT, "node_modules/typescript"), join(dir, "node_modules/typescript"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
