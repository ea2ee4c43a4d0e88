/**
 * `npm run bench:module-load [-- --before <git ref>] [-- --runs <n>]`: what loading our seven
 * Dagger modules costs in package installs, before and after vendoring (issue 14 part 6).
 *
 * For each module and each side (the package.json and package-lock.json at <git ref>, default
 * `main`, and in the working tree) it applies the engine's rule (test/tiers/load-cost.ts, from
 * dagger/dagger sdk/typescript/runtime/runtime_node.go): a module on the fast path installs nothing.
 * For a module that installs, it copies the two files to a temporary folder and runs what the
 * runtime runs, `npm ci --omit=dev` (the runtime: `npm install --omit=dev` on the lockfile), with a
 * fresh, empty npm cache (`--cache <tmp>`) each run, and reports the median wall time of <n> runs
 * (default 3) and the bytes of node_modules (`du -sb`). After vendoring, it also reports the bytes
 * of each module's src/vendor/ (what the module now uploads with its source instead).
 *
 * This machine is not an engine: a cold engine adds the container exec and its own network. It is a
 * measurement, not a test: it asserts nothing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { installReason, type ModulePackageJson } from "../../test/tiers/load-cost.js";
import { allModules, ROOT } from "../../test/tiers/modules.js";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const BEFORE = opt("before", "main");
const RUNS = Number(opt("runs", "3"));

const git = (...a: string[]) => execFileSync("git", a, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const atRef = (path: string): string | undefined => {
  try {
    return git("show", `${BEFORE}:${path}`);
  } catch {
    return undefined;
  }
};
const inTree = (path: string): string | undefined => (existsSync(join(ROOT, path)) ? readFileSync(join(ROOT, path), "utf8") : undefined);

interface Side {
  installs: string | undefined;
  seconds?: number[];
  bytes?: number;
  vendorBytes?: number;
}

function du(dir: string): number {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
}

/** npm ci --omit=dev with a fresh empty cache, RUNS times; wall seconds of each run and node_modules bytes. */
function measureInstall(pkgJson: string, lock: string | undefined): { seconds: number[]; bytes: number } {
  const seconds: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), "bench-module-load-"));
    const cache = mkdtempSync(join(tmpdir(), "bench-module-load-cache-"));
    try {
      writeFileSync(join(dir, "package.json"), pkgJson);
      if (lock) writeFileSync(join(dir, "package-lock.json"), lock);
      const start = process.hrtime.bigint();
      const r = spawnSync("npm", [lock ? "ci" : "install", "--omit=dev", "--no-audit", "--no-fund", "--cache", cache], { cwd: dir, encoding: "utf8" });
      const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      if (r.status !== 0) throw new Error(`npm ci failed in ${dir}:\n${r.stderr}`);
      seconds.push(elapsed);
      bytes = existsSync(join(dir, "node_modules")) ? du(join(dir, "node_modules")) : 0;
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  }
  return { seconds, bytes };
}

function side(pkgPath: string, lockPath: string, read: (p: string) => string | undefined, vendorDir?: string): Side {
  const pkgText = read(pkgPath);
  const pkg = pkgText ? (JSON.parse(pkgText) as ModulePackageJson) : undefined;
  const installs = installReason(pkg, read(lockPath) ? ["package-lock.json"] : []);
  const s: Side = { installs };
  if (installs && pkgText) Object.assign(s, measureInstall(pkgText, read(lockPath)));
  if (vendorDir) s.vendorBytes = dirBytes(vendorDir);
  return s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const secs = (s: Side) => (s.installs ? `${median(s.seconds ?? []).toFixed(1)} s (${Math.min(...(s.seconds ?? [])).toFixed(1)}–${Math.max(...(s.seconds ?? [])).toFixed(1)})` : "skipped");
const mb = (n: number | undefined) => (n === undefined ? "" : `${(n / 1e6).toFixed(2)} MB`);

const rows: { name: string; before: Side; after: Side }[] = [];
for (const mod of allModules()) {
  const rel = relative(ROOT, mod.sourceDir) || ".";
  const pkgPath = join(rel, "package.json");
  const lockPath = join(rel, "package-lock.json");
  process.stderr.write(`measuring ${mod.name}…\n`);
  rows.push({ name: mod.name, before: side(pkgPath, lockPath, atRef), after: side(pkgPath, lockPath, inTree, join(mod.sourceDir, "src/vendor")) });
}

const revision = git("rev-parse", "--short", "HEAD").trim();
const beforeRev = git("rev-parse", "--short", BEFORE).trim();
const dirty = git("status", "--porcelain").trim() !== "";
const npmVersion = execFileSync("npm", ["--version"], { encoding: "utf8" }).trim();
console.log(
  `module load: npm ci --omit=dev with an empty --cache, median of ${RUNS} (min–max); ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, node ${process.version}, npm ${npmVersion}`,
);
console.log(`before = ${BEFORE} (${beforeRev}), after = working tree (${revision}${dirty ? ", uncommitted changes" : ""})\n`);
const header = ["module", "before: install", "before: node_modules", "after: install", "after: node_modules", "after: src/vendor"];
const table = rows.map((r) => [r.name, secs(r.before), r.before.installs ? mb(r.before.bytes) : "-", secs(r.after), r.after.installs ? mb(r.after.bytes) : "-", mb(r.after.vendorBytes)]);
const total = (k: "before" | "after") => rows.reduce((n, r) => n + (r[k].installs ? median(r[k].seconds ?? []) : 0), 0);
const totalBytes = (k: "before" | "after") => rows.reduce((n, r) => n + (r[k].installs ? (r[k].bytes ?? 0) : 0), 0);
table.push([
  `total (${rows.filter((r) => r.before.installs).length} → ${rows.filter((r) => r.after.installs).length} installing)`,
  `${total("before").toFixed(1)} s`,
  mb(totalBytes("before")),
  `${total("after").toFixed(1)} s`,
  mb(totalBytes("after")),
  mb(rows.reduce((n, r) => n + (r.after.vendorBytes ?? 0), 0)),
]);
console.log(`| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
for (const row of table) console.log(`| ${row.join(" | ")} |`);
for (const r of rows) {
  for (const k of ["before", "after"] as const) if (r[k].installs) console.log(`${r.name} ${k}: installs because ${r[k].installs}`);
}
