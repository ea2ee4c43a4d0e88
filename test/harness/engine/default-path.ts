/**
 * Where the engine loads a `defaultPath` argument from (a `Directory`/`File` parameter such as the
 * root module's `source`, `@argument({ defaultPath: "/" })`), modelled without an engine.
 *
 * Read in dagger/dagger at tag v0.21.8. This snapshot of the repository has no v0.21.9 tag; the
 * branch `backport-0.21` (the 0.21.9 backports, after v0.21.8) changes none of the files below, so
 * the rule is the one 0.21.9 ships:
 *
 * - `dagger call` without `-m` (engine/server/session_workspaces.go, detectAndLoadWorkspaceWithRootfs,
 *   lines 466–562): the workspace is detected from the caller's working directory
 *   (core/workspace/detect.go, Detect, 26–66: root = the nearest directory upwards holding `.git`,
 *   else the working directory; path = the working directory relative to that root); the nearest
 *   dagger.json upwards is found (core.Host.FindUp). When it names a `blueprint`
 *   (core/workspace/legacy.go, ParseLegacyBlueprint), the blueprint module is loaded as the
 *   entrypoint, its functions on the Query root, with `LegacyDefaultPath: true`
 *   (session_workspaces.go, pendingLegacyModule, 398–425); the caller's dagger.json is served too,
 *   namespaced. Otherwise that dagger.json's own module is the entrypoint.
 * - `-m <ref>` (session_workspaces.go, gatherModuleLoadRequests, 921–937): the module is loaded
 *   as itself, never with `LegacyDefaultPath`, whatever the caller's directory holds. When that
 *   module's dagger.json has a blueprint, the blueprint's code runs with the `-m` module's own
 *   source as context (moduleSourceAsModule, below): `-m <application repository>` resolves
 *   defaultPath in that application repository.
 * - A module with `LegacyDefaultPath` (core/modfunc.go, loadContextualArg 1025–1053 and
 *   loadLegacyDefaultPathArg 1185–): `currentWorkspace.directory(defaultPath, exclude: ignore)`;
 *   core/schema/workspace.go, resolveWorkspacePath 338–353: an absolute path is relative to the
 *   workspace root (the caller's git root), a relative one to the workspace path (the caller's
 *   working directory).
 * - Any other module (core/modulesource.go, loadContextFromSource 1315–1373): its own
 *   `ContextSource`, i.e. the module itself (core/schema/modulesource.go, moduleSourceAsModule 2993–3098: a
 *   module whose dagger.json has a blueprint runs the blueprint's code with the *caller's* source as
 *   context; dependencies are loaded with plain `asModule`, 3251–3276, so their context is their own
 *   repository). Local: an absolute path is relative to the module's context directory, a relative
 *   one to its source root (the directory of dagger.json); a path outside the context is an error.
 *   Git: the same inside the module's repository at its pin.
 * - A local module's context directory (core/schema/modulesource.go 434–461): the nearest `.git`
 *   upwards from the module's directory, else the directory of its dagger.json.
 * - dagger.json (core/modules/config.go 47–90, 196–227): `blueprint` is a
 *   `{name, source, pin?}` dependency; `dagger init --blueprint=<ref>` writes `source` as
 *   `<clone ref>[/<subpath>]@<version>` and `pin` as the resolved commit (core/schema/modulesource.go
 *   2288–2294, core/modulesource.go GitRefString 865–875). A config with `blueprint` may not also
 *   set `sdk`, `dependencies` or `source` (core/schema/modulesource.go, initFromModConfig 974–984).
 *
 * Not modelled: `ignore` filtering (the directory is the same, minus those paths), workspace
 * `.dagger/config.toml` (not read by 0.21.8: "initialized workspace config is deferred"), Env
 * workspaces (LLM), and `GitRepository`/`GitRef` default paths.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, resolve } from "node:path";

/** The engine's module config file name (core/modules/config.go `Filename`). */
export const MODULE_CONFIG = "dagger.json";

/** A dagger.json dependency entry; also the shape of `blueprint`. */
export interface ModuleConfigDependency {
  name: string;
  source: string;
  pin?: string;
}

/** The dagger.json fields this model reads. */
export interface ModuleConfig {
  name: string;
  engineVersion?: string;
  sdk?: { source: string } | string;
  source?: string;
  dependencies?: ModuleConfigDependency[];
  blueprint?: ModuleConfigDependency;
}

/** Where a module's own files are: its context directory (git root) and its source root (the directory of dagger.json). */
export interface ModulePlace {
  contextDir: string;
  sourceRootDir: string;
}

/** The caller's workspace (core/workspace/detect.go): root = git root (or cwd), path = cwd relative to root. */
export interface Workspace {
  root: string;
  path: string;
}

/** One defaultPath argument to resolve. */
export interface DefaultPathRequest {
  /** The module whose function declares the argument: where its own files are. */
  module: ModulePlace;
  /** Set when the module is served as the blueprint of the caller's dagger.json: the caller's workspace. */
  blueprintOf?: Workspace;
  /** The argument's defaultPath, e.g. "/" (absolute: from a root) or "." (relative). */
  defaultPath: string;
}

/** The directory the engine loads for a defaultPath argument (see the header for the engine's lines). */
export function resolveDefaultPath(req: DefaultPathRequest): string {
  const clean = normalize(req.defaultPath);
  if (req.blueprintOf) {
    // resolveWorkspacePath: absolute → from the workspace root; relative → from the workspace path.
    const ws = req.blueprintOf;
    return resolve(isAbsolute(clean) ? join(ws.root, clean.slice(1)) : join(ws.root, ws.path, clean));
  }
  // loadContextFromSource: absolute → from the module's context dir; relative → from its source root.
  const { contextDir, sourceRootDir } = req.module;
  const path = resolve(isAbsolute(clean) ? join(contextDir, clean) : join(sourceRootDir, clean));
  if (relative(contextDir, path).startsWith("..")) throw new Error(`path "${path}" is outside of context directory "${contextDir}", path should be relative to the context directory`);
  return path;
}

/** The nearest directory at or above `from` that holds `name` (core.Host.FindUp); undefined when none does. */
export function findUp(from: string, name: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** core/workspace/detect.go Detect: the caller's workspace from its working directory. */
export function detectWorkspace(cwd: string): Workspace {
  const gitRoot = findUp(cwd, ".git");
  return gitRoot ? { root: gitRoot, path: relative(gitRoot, resolve(cwd)) || "." } : { root: resolve(cwd), path: "." };
}

/** core/schema/modulesource.go 434–461: a local module's place, from the directory of its dagger.json. */
export function localModulePlace(moduleDir: string): ModulePlace {
  const sourceRootDir = resolve(moduleDir);
  return { contextDir: findUp(sourceRootDir, ".git") ?? sourceRootDir, sourceRootDir };
}

/** Parse dagger.json with the engine's blueprint constraints (initFromModConfig); errors carry the engine's words. */
export function parseModuleConfig(text: string): ModuleConfig {
  const cfg = JSON.parse(text) as ModuleConfig;
  if (cfg.blueprint) {
    if (cfg.sdk !== undefined) throw new Error("blueprint and sdk can't both be set");
    if ((cfg.dependencies ?? []).length !== 0) throw new Error("blueprint and dependencies can't both be set");
    if (cfg.source !== undefined && cfg.source !== "") throw new Error("blueprint and source can't both be set");
    if (!cfg.blueprint.source) throw new Error("blueprint: source is required");
  }
  return cfg;
}

/** A git module reference as dagger.json writes it: <host>/<owner>/<repo>[/<subpath>][@<version>]. */
export interface GitModuleRef {
  repository: string;
  subpath: string;
  version?: string;
}

/** Split a git module ref (github.com-style hosts: the repository is the first three segments). */
export function parseGitModuleRef(ref: string): GitModuleRef {
  const at = ref.lastIndexOf("@");
  const path = at > 0 ? ref.slice(0, at) : ref;
  const parts = path.split("/");
  if (parts.length < 3 || !parts[0].includes(".")) throw new Error(`not a git module ref: ${ref}`);
  return { repository: parts.slice(0, 3).join("/"), subpath: parts.slice(3).join("/"), ...(at > 0 ? { version: ref.slice(at + 1) } : {}) };
}

/** Checks out a git module's repository at a pin: the directory of that checkout (a test maps it to a local tree). */
export type GitCheckout = (ref: GitModuleRef, pin: string | undefined) => string;

/** What `dagger call` (with or without `-m`) serves as the entrypoint module, and how its defaultPath arguments resolve. */
export interface LoadedEntrypoint {
  /** The entrypoint module's name (for a blueprint found from the working directory: the blueprint entry's name). */
  name: string;
  /** The name of the module whose code runs (a dagger.json with a blueprint runs the blueprint's). */
  implementation: string;
  /** The context its defaultPath arguments resolve in unless blueprintOf is set: the module's own files, or those of the `-m` module that named it as blueprint. */
  module: ModulePlace;
  /** The caller's workspace, when the module is served as the blueprint of the caller's dagger.json. */
  blueprintOf?: Workspace;
  /** The caller's dagger.json that named the blueprint, if any. */
  callerConfig?: string;
}

function placeOfRef(source: string, pin: string | undefined, configDir: string, checkout: GitCheckout): ModulePlace {
  if (source.startsWith(".") || source.startsWith("/")) return localModulePlace(resolve(configDir, source));
  const ref = parseGitModuleRef(source);
  const root = checkout(ref, pin);
  return { contextDir: root, sourceRootDir: join(root, ref.subpath) };
}

/**
 * engine/server/session_workspaces.go: the module `dagger [-m <moduleRef>] call` serves from
 * `cwd`. Without -m and without a dagger.json at or above cwd there is no module (an error).
 */
export function loadEntrypoint(cwd: string, options: { moduleRef?: string; checkout: GitCheckout }): LoadedEntrypoint {
  if (options.moduleRef !== undefined) {
    const ref = options.moduleRef;
    const local = ref.startsWith(".") || ref.startsWith("/");
    const place = local ? localModulePlace(findUp(resolve(cwd, ref), MODULE_CONFIG) ?? resolve(cwd, ref)) : placeOfRef(ref, undefined, cwd, options.checkout);
    const cfg = parseModuleConfig(readFileSync(join(place.sourceRootDir, MODULE_CONFIG), "utf8"));
    // moduleSourceAsModule: a blueprint's code, the -m module's own source as ContextSource.
    return { name: cfg.name, implementation: cfg.blueprint?.name ?? cfg.name, module: place };
  }
  const moduleDir = findUp(cwd, MODULE_CONFIG);
  if (!moduleDir) throw new Error(`no ${MODULE_CONFIG} at or above ${cwd}: dagger call has no module to call (use -m, or add the blueprint hookup)`);
  const callerConfig = join(moduleDir, MODULE_CONFIG);
  const cfg = parseModuleConfig(readFileSync(callerConfig, "utf8"));
  if (cfg.blueprint) {
    const bp = cfg.blueprint;
    return { name: bp.name, implementation: bp.name, module: placeOfRef(bp.source, bp.pin, moduleDir, options.checkout), blueprintOf: detectWorkspace(cwd), callerConfig };
  }
  return { name: cfg.name, implementation: cfg.name, module: localModulePlace(moduleDir) };
}
