/**
 * Each function's cache policy, read by the SDK's own introspector (the code the engine runs to
 * register a module: @dagger.io/dagger dist/src/module/introspector, DaggerFunction.cache). The
 * DRY_RUN JSON drops the policy (DaggerFunction.toJSON has no `cache`), so this reads the scanned
 * module object instead, in a child process as the introspection tier does.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ModuleInfo } from "../tiers/modules.js";
import { ROOT } from "../tiers/modules.js";
import { generateSdk } from "../tiers/sdk.js";

/** A function's cache policy as written in @func({ cache }): "" (the default: cached by inputs), "never", "session" or a TTL. */
export type CachePolicy = string;
/** Policies by object name, then function name. */
export type Policies = Record<string, Record<string, CachePolicy>>;

const SCAN = pathToFileURL(join(ROOT, "node_modules/@dagger.io/dagger/dist/src/module/introspector/index.js")).href;

const tsFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : [".ts", ".mts"].includes(extname(p)) ? [p] : [];
  });

/** The cache policy of every function of every object of the module, as the engine will register it. */
export function cachePolicies(mod: ModuleInfo): Policies {
  const files = [...tsFiles(join(mod.sourceDir, "src")), generateSdk(mod).clientFile];
  const script = `
    const { scan } = await import(${JSON.stringify(SCAN)});
    const m = await scan(${JSON.stringify(files)}, ${JSON.stringify(mod.name)}, false);
    const out = {};
    for (const [name, o] of Object.entries(m.objects)) {
      out[name] = {};
      for (const [fn, f] of Object.entries(o.methods)) out[name][fn] = f.cache ?? "";
    }
    console.log(JSON.stringify(out));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(out) as Policies;
}
