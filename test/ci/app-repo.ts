/**
 * An application repository that uses this pipeline as users are told to: test/fixtures/app-repo
 * (pipeline.yaml, its component folders, and dagger.json naming this module as its blueprint),
 * checked out as a CI host checks it out (a git work tree). And what the root module's constructor
 * would read in such a checkout for a recorded `dagger call`: its `source` Directory (the
 * `--source` flag, else its defaultPath as the engine resolves it, test/harness/engine/default-path.ts)
 * and the `--config` file in it. The constructor's defaultPath and config default are read from the
 * SDK's own introspection (the committed golden), not restated here.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseConfig } from "../../.dagger/src/config/load.js";
import type { PipelineConfig } from "../../.dagger/src/config/schema.js";
import { type GitCheckout, loadEntrypoint, resolveDefaultPath } from "../harness/engine/default-path.js";
import { readGolden } from "../tiers/golden.js";
import { ROOT } from "../tiers/modules.js";

/** The fixture's folder in this repository. */
export const APP_REPO_FIXTURE = join(ROOT, "test/fixtures/app-repo");

/** The git address users pin this repository by (the fixture's blueprint source; the docs write <your-org>). */
export const THIS_REPOSITORY = "github.com/acme/pipeline-as-code";

/** A checkout of a git module: this repository's address is this work tree (the module at any pin); any other is an error. */
export const checkoutThisRepository: GitCheckout = (ref) => {
  if (ref.repository !== THIS_REPOSITORY) throw new Error(`the test knows only ${THIS_REPOSITORY}, not ${ref.repository}`);
  return ROOT;
};

/** Copy the fixture into `dir` (default: a new temporary folder) and make it a git work tree with one commit, as a CI checkout leaves it. */
export function checkoutAppRepo(dir = mkdtempSync(join(tmpdir(), "app-repo-"))): string {
  cpSync(APP_REPO_FIXTURE, dir, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  if (!existsSync(join(dir, ".git"))) git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "application repository");
  return realpathSync(dir);
}

/** The root module's constructor arguments as introspected: the source argument's defaultPath, the config default. */
export function rootConstructor(): { sourceDefaultPath: string; configDefault: string } {
  const args = readGolden("pipeline")?.objects.Pipeline?.constructor?.arguments as Record<string, { defaultPath?: string; defaultValue?: unknown }> | undefined;
  const sourceDefaultPath = args?.source?.defaultPath;
  const configDefault = args?.config?.defaultValue;
  if (typeof sourceDefaultPath !== "string" || typeof configDefault !== "string")
    throw new Error("test/golden/introspection/pipeline.json: the constructor's source defaultPath or config default is missing (npm run generate)");
  return { sourceDefaultPath, configDefault };
}

/** What a recorded `dagger [-m ref] call [--source=…] [--config=…] …` would load as the pipeline config, run in `cwd`. */
export interface LoadRequest {
  cwd: string;
  constructorFlags: Record<string, string>;
  moduleRef?: string;
}

/**
 * The directory the root constructor's `source` is, and the config the module's loadConfig would
 * parse from it (`source.file(config)`, .dagger/src/index.ts). `resolve` is the engine's defaultPath
 * rule; a test passes a mutant to show the fixture catches it.
 */
export function sourceLoadedBy(req: LoadRequest, resolveRule = resolveDefaultPath): { source: string; configFile: string; entrypoint: string } {
  const ctor = rootConstructor();
  const entry = loadEntrypoint(req.cwd, { ...(req.moduleRef !== undefined ? { moduleRef: req.moduleRef } : {}), checkout: checkoutThisRepository });
  if (entry.implementation !== "pipeline") throw new Error(`dagger call from ${req.cwd} runs the module ${entry.implementation}, not pipeline`);
  // A Directory flag on the CLI is a host path, relative to the caller's working directory.
  const flag = req.constructorFlags.source;
  const source =
    flag !== undefined ? resolve(req.cwd, flag) : resolveRule({ module: entry.module, ...(entry.blueprintOf ? { blueprintOf: entry.blueprintOf } : {}), defaultPath: ctor.sourceDefaultPath });
  const config = req.constructorFlags.config ?? ctor.configDefault;
  return { source, configFile: join(source, config), entrypoint: entry.name };
}

/** As sourceLoadedBy, then the config parsed the way the module parses it; a missing file fails as the engine would (no such file). */
export function configLoadedBy(req: LoadRequest, resolveRule = resolveDefaultPath): PipelineConfig {
  const { configFile } = sourceLoadedBy(req, resolveRule);
  if (!existsSync(configFile)) throw new Error(`${configFile}: no such file or directory (the source the engine would load has no pipeline config there)`);
  return parseConfig(readFileSync(configFile, "utf8"), req.constructorFlags.config ?? rootConstructor().configDefault);
}
