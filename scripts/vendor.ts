/**
 * Vendored runtime libraries of the Dagger modules (issue 14, part 6 "Module load cost").
 *
 * The engine's TypeScript runtime skips the package install at module load only when a module's
 * package.json `dependencies` is exactly `{"typescript": "5.9.3"}` (see test/tiers/load-cost.ts,
 * which holds the rule as read in dagger/dagger sdk/typescript/runtime/runtime_node.go). Every
 * other module runs `npm install --omit=dev` on a cold engine, 10–20 s each.
 *
 * So a module does not depend on yaml, zod, semver… at runtime: it lists them under `"vendor"` in
 * its package.json (a key the runtime and npm ignore) and imports them from src/vendor/<file>.js,
 * a bundle this file generates with esbuild from the root node_modules, which the root
 * package-lock.json pins. Each bundle comes with a .d.ts that re-exports the package's own types
 * (resolved from the root node_modules for the offline type check; the engine only strips types).
 *
 * `npm run generate` writes the bundles; test/load-cost.test.ts fails when a committed bundle
 * differs from what this file produces.
 */
import { buildSync, version as esbuildVersion } from "esbuild";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { allModules, type ModuleInfo, ROOT } from "../test/tiers/modules.js";

/**
 * Packages our code imports by their default export (`import semver from "semver"`, CommonJS with
 * `export =` types); every other vendored package is imported by name (`import { z } from "zod"`).
 */
const DEFAULT_EXPORT = new Set(["semver", "picomatch", "nodemailer"]);

/** One generated file, relative to the repository root. */
export interface VendorFile {
  path: string;
  content: string;
}

/** The file name of a vendored package in src/vendor/ (`@octokit/rest` -> `octokit-rest`). */
export function vendorName(pkg: string): string {
  return pkg.replace(/^@/, "").replace(/\//g, "-");
}

/** Where a module's vendored bundles live. */
export function vendorDir(mod: ModuleInfo): string {
  return join(mod.sourceDir, "src/vendor");
}

/** The packages a module vendors, with the versions its package.json names. */
export function vendoredPackages(mod: ModuleInfo): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(mod.sourceDir, "package.json"), "utf8")) as { vendor?: Record<string, string> };
  return pkg.vendor ?? {};
}

interface LockEntry {
  version: string;
  integrity?: string;
  license?: string;
}

function rootLock(): Record<string, LockEntry> {
  return (JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> }).packages;
}

/**
 * The lockfile key of the package a bundled file belongs to (`node_modules/@octokit/core/dist/x.js`
 * -> `node_modules/@octokit/core`; a nested copy keeps its full path).
 */
function packageOf(input: string): string | undefined {
  const m = /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+)/.exec(input);
  return m?.[1].slice(0, -1);
}

function licenseText(dir: string): string {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  return file ? readFileSync(join(dir, file), "utf8").trim() : "(no license file in the package; see its package.json)";
}

/**
 * The names a package exports at runtime, as node's own import sees them (for a CommonJS package
 * such as yaml, whose "node" export is CommonJS, `export *` would re-export nothing).
 */
async function exportNames(pkg: string): Promise<string[]> {
  const ns = (await import(pkg)) as Record<string, unknown>;
  return Object.keys(ns)
    .filter((k) => k !== "default" && k !== "module.exports" && /^[A-Za-z_$][\w$]*$/.test(k))
    .sort();
}

/** The bundle and declaration file of one vendored package, exactly as committed. */
export async function renderVendor(pkg: string, version: string): Promise<{ js: string; dts: string }> {
  const lock = rootLock();
  const entry = lock[`node_modules/${pkg}`];
  if (!entry) throw new Error(`${pkg} is vendored but not in the root package-lock.json: add it to the root devDependencies`);
  if (entry.version !== version) throw new Error(`${pkg}: a module vendors ${version}, the root package-lock.json pins ${entry.version}`);
  const installed = (JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
  if (installed !== entry.version) throw new Error(`${pkg}: node_modules has ${installed}, package-lock.json pins ${entry.version}: run npm ci`);

  const spec = JSON.stringify(pkg);
  const isDefault = DEFAULT_EXPORT.has(pkg);
  const result = buildSync({
    stdin: { contents: isDefault ? `import m from ${spec};\nexport default m;\n` : `export { ${(await exportNames(pkg)).join(", ")} } from ${spec};\n`, resolveDir: ROOT, sourcefile: "vendor-entry.js", loader: "js" },
    bundle: true,
    format: "esm",
    platform: "node",
    // The runtime's default image is node 24; tests run here on node 20.
    target: "node20",
    // Keep identifiers so stack traces still name the library's functions.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    metafile: true,
    write: false,
    absWorkingDir: ROOT,
    // CommonJS code bundled as an ES module still calls require() for node builtins.
    banner: { js: 'import { createRequire as __vendorCreateRequire } from "node:module";\nconst require = __vendorCreateRequire(import.meta.url);' },
    logLevel: "silent",
  });
  if (result.errors.length > 0 || result.warnings.length > 0) {
    throw new Error(`bundling ${pkg}: ${[...result.errors, ...result.warnings].map((m) => m.text).join("; ")}`);
  }
  const inputs = [...new Set(Object.keys(result.metafile.inputs).map(packageOf).filter((p): p is string => p !== undefined))].sort();
  const bundled = inputs.map((key) => {
    const e = lock[key];
    if (!e) throw new Error(`${pkg} bundles ${key}, which the root package-lock.json does not pin`);
    return { name: key.replace(/^.*node_modules\//, ""), dir: join(ROOT, key), ...e };
  });
  const header = [
    `// GENERATED by npm run generate (scripts/vendor.ts) with esbuild ${esbuildVersion}. Do not edit.`,
    `// ${pkg}@${version} bundled so that this module has no runtime dependency beyond the Dagger SDK`,
    "// and the engine's TypeScript runtime skips npm install when it loads the module",
    "// (sdk/typescript/runtime/runtime_node.go, dagger/dagger v0.21.8; see test/tiers/load-cost.ts).",
    "// Packages in this file, as pinned by the root package-lock.json:",
    ...bundled.map((b) => `//   ${b.name}@${b.version} ${b.integrity ?? ""}`.trimEnd()),
    "",
  ].join("\n");
  const licenses = bundled.map((b) => `/*! ${b.name}@${b.version} (${b.license ?? "see package"}):\n${licenseText(b.dir).replace(/\*\//g, "* /")}\n*/`).join("\n");
  const js = `${header}${result.outputFiles[0].text}${licenses}\n`;
  const dts = [
    `// GENERATED by npm run generate (scripts/vendor.ts). Do not edit. Types of ${pkg}@${version}, bundled in ./${vendorName(pkg)}.js.`,
    isDefault ? `import m from ${spec};\nexport default m;` : `export * from ${spec};`,
    "",
  ].join("\n");
  return { js, dts };
}

/** Every vendored file of every module, as committed. */
export async function vendorFiles(modules = allModules()): Promise<VendorFile[]> {
  const files: VendorFile[] = [];
  for (const mod of modules) {
    for (const [pkg, version] of Object.entries(vendoredPackages(mod))) {
      const { js, dts } = await renderVendor(pkg, version);
      const base = join(vendorDir(mod), vendorName(pkg));
      files.push({ path: relative(ROOT, `${base}.js`), content: js }, { path: relative(ROOT, `${base}.d.ts`), content: dts });
    }
  }
  return files;
}

/** Files in the modules' src/vendor folders, relative to the root (what is committed now). */
export function committedVendorFiles(modules = allModules()): string[] {
  return modules.flatMap((mod) => {
    const dir = vendorDir(mod);
    return existsSync(dir) ? readdirSync(dir).map((f) => relative(ROOT, join(dir, f))) : [];
  });
}

/** Committed vendored files that differ from the generator's output (stale) or that it does not produce (stray). */
export async function vendorDrift(modules = allModules()): Promise<{ stale: string[]; stray: string[] }> {
  const expected = await vendorFiles(modules);
  const stale = expected.filter((f) => !existsSync(join(ROOT, f.path)) || readFileSync(join(ROOT, f.path), "utf8") !== f.content).map((f) => f.path);
  const stray = committedVendorFiles(modules).filter((p) => !expected.some((f) => f.path === p));
  return { stale, stray };
}

/** Rewrite every module's src/vendor folder (npm run generate). */
export async function writeVendorFiles(): Promise<string[]> {
  const files = await vendorFiles();
  for (const mod of allModules()) rmSync(vendorDir(mod), { recursive: true, force: true });
  for (const f of files) {
    mkdirSync(join(ROOT, f.path, ".."), { recursive: true });
    writeFileSync(join(ROOT, f.path), f.content);
  }
  return files.map((f) => f.path);
}
