// Issue 14 part 6, module load cost: every `dagger call` loads all seven modules, and a module whose
// package.json needs an install runs `npm install` on a cold engine (10–20 s each). At most one
// module may need it; today none does, because runtime libraries are vendored (scripts/vendor.ts).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { sharedSources, vendorDrift, vendoredPackages } from "../scripts/vendor.js";
import { fastPathLayout, installReason, type ModulePackageJson, resolvableOnFastPath } from "./tiers/load-cost.js";
import { makeMutant } from "./tiers/mutant.js";
import { allModules, type ModuleInfo, ROOT } from "./tiers/modules.js";

/**
 * The modules allowed to install at load. Issue 14 allows at most one (a module whose library
 * cannot be bundled would be the one); none needs it today.
 */
const ALLOWED_TO_INSTALL: string[] = [];
const MAX_INSTALLING = 1;

const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));

function packageJsonOf(mod: ModuleInfo): ModulePackageJson | undefined {
  const file = join(mod.sourceDir, "package.json");
  return existsSync(file) ? (readJson(file) as ModulePackageJson) : undefined;
}

/** name: reason for each module the engine would run an install for when loading it. */
function installingModules(root = ROOT): string[] {
  return allModules(root).flatMap((mod) => {
    const lockfiles = existsSync(mod.sourceDir) ? readdirSync(mod.sourceDir).filter((f) => /lock/.test(f)) : [];
    const reason = installReason(packageJsonOf(mod), lockfiles);
    return reason ? [`${mod.name}: ${reason}`] : [];
  });
}

/** file:line: specifier for each import in a module's TypeScript that the fast path cannot resolve. */
function unresolvableImports(srcDir: string): string[] {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : []));
  const found: string[] = [];
  for (const file of files(srcDir)) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node) => {
      let spec: ts.Expression | undefined;
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && !(ts.isImportDeclaration(node) && node.importClause?.isTypeOnly)) spec = node.moduleSpecifier;
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) spec = node.arguments[0];
      if (spec && ts.isStringLiteral(spec) && !resolvableOnFastPath(spec.text)) {
        found.push(`${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(spec.getStart()).line + 1}: ${spec.text}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/**
 * Import each layout's src/index.ts with tsx and that module's own tsconfig.json, as the runtime's
 * entrypoint does (`tsx --tsconfig <module>/tsconfig.json`), in one child process, one import after
 * the other. Returns name: first error line for those that fail.
 */
function loadFailures(layouts: { name: string; dir: string }[]): Record<string, string> {
  const code = `
    import { tsImport } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};
    const layouts = ${JSON.stringify(layouts)};
    const failures = {};
    for (const { name, dir } of layouts) {
      try { await tsImport(dir + "/src/index.ts", { parentURL: import.meta.url, tsconfig: dir + "/tsconfig.json" }); } catch (e) { failures[name] = String(e?.message ?? e).split("\\n")[0]; }
    }
    process.stdout.write(JSON.stringify(failures));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: layouts[0].dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(out) as Record<string, string>;
}

describe("module load cost (issue 14 part 6)", () => {
  it(`at most ${MAX_INSTALLING} module needs a package install at load (runtime_node.go rule), and only an allowed one`, () => {
    assert.ok(ALLOWED_TO_INSTALL.length <= MAX_INSTALLING, "issue 14 allows at most one module to install at load");
    const installing = installingModules();
    assert.ok(installing.length <= MAX_INSTALLING, `these modules install at load; vendor their libraries (scripts/vendor.ts):\n${installing.join("\n")}`);
    assert.deepEqual(
      installing.map((l) => l.split(":")[0]),
      ALLOWED_TO_INSTALL,
      `a module that was on the fast path now installs at load; vendor its library (add it under "vendor" in its package.json and run npm run generate):\n${installing.join("\n")}`,
    );
  });

  it("the rule: only dependencies exactly {typescript: 5.9.3} skip the install", () => {
    assert.equal(installReason({ dependencies: { typescript: "5.9.3" } }), undefined);
    assert.equal(installReason({ dependencies: { typescript: "5.9.3" }, dagger: { runtime: "node@24" } }), undefined);
    assert.match(installReason({ dependencies: { typescript: "5.9.3", yaml: "2.9.1" } }) ?? "", /beyond the SDK: yaml/);
    assert.match(installReason({ dependencies: { typescript: "^5.9.3" } }) ?? "", /not exactly/);
    assert.match(installReason({ dependencies: {} }) ?? "", /not exactly/);
    assert.match(installReason(undefined) ?? "", /not exactly/);
    assert.match(installReason({ dependencies: { typescript: "5.9.3" }, dagger: { runtime: "bun" } }) ?? "", /not the node runtime/);
  });

  it("fails when a second module gains a runtime dependency (mutant: gates depends on yaml again)", () => {
    const dir = makeMutant("load-cost-dependency", [{ file: "modules/gates/package.json", from: '"typescript": "5.9.3"', to: '"typescript": "5.9.3",\n    "yaml": "2.9.1"' }]);
    assert.deepEqual(installingModules(dir), ["gates: runtime dependencies beyond the SDK: yaml"]);
  });

  for (const mod of allModules()) {
    it(`${mod.name}: its code imports nothing the fast path lacks (only @dagger.io/dagger, typescript, node builtins, relative files)`, () => {
      assert.deepEqual(unresolvableImports(join(mod.sourceDir, "src")), []);
    });

    it(`${mod.name}: vendored libraries are pinned as in the root package.json`, () => {
      const root = readJson(join(ROOT, "package.json"));
      for (const [pkg, version] of Object.entries(vendoredPackages(mod))) {
        assert.equal(version, root.devDependencies[pkg], `${pkg}: module vendors ${version}, root pins ${root.devDependencies[pkg]}`);
      }
    });
  }

  it("every module loads with only the SDK and typescript in node_modules, as the fast path runs it; a bare library import does not (mutant)", () => {
    const mutant = makeMutant("load-cost-bare-import", [{ file: "modules/gates/src/waivers.ts", from: '"./vendor/yaml.js"', to: '"yaml"' }]);
    const layouts = [
      ...allModules().map((m) => ({ name: m.name, dir: fastPathLayout(m.sourceDir, m.name) })),
      { name: "mutant-gates", dir: fastPathLayout(join(mutant, "modules/gates"), "mutant-gates") },
    ];
    const failures = loadFailures(layouts);
    assert.deepEqual(Object.keys(failures), ["mutant-gates"], JSON.stringify(failures, null, 2));
    assert.match(failures["mutant-gates"], /Cannot find package 'yaml'/);
  });

  it("the committed vendored bundles are exactly what npm run generate produces", async () => {
    assert.deepEqual(await vendorDrift(), { stale: [], stray: [] }, "run npm run generate and commit src/vendor/");
  });

  it("the drift check catches a hand-edited bundle and a library added without regenerating (mutants)", async () => {
    const dir = makeMutant("load-cost-drift", [
      { file: "modules/notify/src/vendor/nodemailer.js", from: "// GENERATED", to: "// EDITED" },
      { file: "modules/flyway/package.json", from: '"type": "module",', to: '"type": "module",\n  "vendor": { "semver": "7.8.6" },' },
    ]);
    const at = (p: string) => relative(ROOT, join(dir, p));
    assert.deepEqual(await vendorDrift(allModules(dir), dir), {
      stale: [at("modules/flyway/src/vendor/semver.js"), at("modules/flyway/src/vendor/semver.d.ts"), at("modules/notify/src/vendor/nodemailer.js")],
      stray: [],
    });
  });

  it("the drift check catches a shared file changed without regenerating, a hand-edited copy, a copy not written, and a stray copy (mutants)", async () => {
    const changed = makeMutant("load-cost-shared-source", [{ file: "lib/image-reference.ts", from: "const MAX_NAME = 255;", to: "const MAX_NAME = 256;" }]);
    const copies = (root: string) =>
      allModules(root)
        .filter((m) => sharedSources(m).includes("image-reference.ts"))
        .map((m) => relative(ROOT, join(m.sourceDir, "src/vendor/image-reference.ts")));
    assert.ok(copies(changed).length >= 2, "several modules use the shared file");
    assert.deepEqual(await vendorDrift(allModules(changed), changed), { stale: copies(changed), stray: [] });

    const edited = makeMutant("load-cost-shared-copy", [
      { file: "modules/gates/src/vendor/image-reference.ts", from: "// GENERATED", to: "// EDITED" },
      { file: "modules/notify/package.json", from: '"type": "module",', to: '"type": "module",\n  "shared": ["image-reference.ts"],' },
    ]);
    const at = (root: string, p: string) => relative(ROOT, join(root, p));
    assert.deepEqual(await vendorDrift(allModules(edited), edited), {
      stale: [at(edited, "modules/gates/src/vendor/image-reference.ts"), at(edited, "modules/notify/src/vendor/image-reference.ts")],
      stray: [],
    });

    const unlisted = makeMutant("load-cost-shared-stray", [{ file: "modules/gitops/package.json", from: '"credentials.ts",\n    "image-reference.ts"', to: '"credentials.ts"' }]);
    assert.deepEqual(await vendorDrift(allModules(unlisted), unlisted), { stale: [], stray: [at(unlisted, "modules/gitops/src/vendor/image-reference.ts")] });
  });
});
