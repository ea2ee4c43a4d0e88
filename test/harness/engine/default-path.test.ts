/**
 * The engine's defaultPath rule (default-path.ts, read in dagger/dagger v0.21.8 = 0.21.9 for these
 * files) applied to this repository and to an application repository that names this module as its
 * blueprint (test/fixtures/app-repo), and a mutant of the rule that the fixture catches.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseConfig } from "../../../.dagger/src/config/load.js";
import { toolchainOf } from "../../../.dagger/src/toolchains/index.js";
import { APP_REPO_FIXTURE, checkoutAppRepo, checkoutThisRepository, configLoadedBy, rootConstructor, sourceLoadedBy, THIS_REPOSITORY } from "../../ci/app-repo.js";
import { ROOT } from "../../tiers/modules.js";
import { type DefaultPathRequest, detectWorkspace, loadEntrypoint, localModulePlace, parseGitModuleRef, parseModuleConfig, resolveDefaultPath } from "./default-path.js";

/** The defect the rule exists for: a module resolving defaultPath in its own context even when it is the caller's blueprint. */
const resolveInOwnContextAlways = (req: DefaultPathRequest) => resolveDefaultPath({ module: req.module, defaultPath: req.defaultPath });

const example = parseConfig(readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8"));

describe("defaultPath: the rule as the engine applies it", () => {
  const module = { contextDir: "/repo", sourceRootDir: "/repo/tools/mod" };
  const caller = { root: "/app", path: "services/api" };

  test("a module loaded as itself: absolute from its context (git root), relative from its dagger.json folder, never outside", () => {
    assert.equal(resolveDefaultPath({ module, defaultPath: "/" }), "/repo");
    assert.equal(resolveDefaultPath({ module, defaultPath: "/examples/webshop" }), "/repo/examples/webshop");
    assert.equal(resolveDefaultPath({ module, defaultPath: "." }), "/repo/tools/mod");
    assert.throws(() => resolveDefaultPath({ module, defaultPath: "../../../elsewhere" }), /is outside of context directory "\/repo"/);
  });

  test("a module served as the caller's blueprint: absolute from the caller's git root, relative from the caller's working directory", () => {
    assert.equal(resolveDefaultPath({ module, blueprintOf: caller, defaultPath: "/" }), "/app");
    assert.equal(resolveDefaultPath({ module, blueprintOf: caller, defaultPath: "." }), "/app/services/api");
    assert.equal(resolveDefaultPath({ module, blueprintOf: caller, defaultPath: "/pipeline.yaml" }), "/app/pipeline.yaml");
  });

  test("the workspace is the nearest .git upwards, else the working directory; a local module's context likewise", () => {
    const app = checkoutAppRepo();
    mkdirSync(join(app, "api/src/deep"), { recursive: true });
    assert.deepEqual(detectWorkspace(join(app, "api/src/deep")), { root: app, path: "api/src/deep" });
    const bare = mkdtempSync(join(tmpdir(), "no-git-"));
    assert.deepEqual(detectWorkspace(bare), { root: bare, path: "." });
    assert.deepEqual(localModulePlace(ROOT), { contextDir: ROOT, sourceRootDir: ROOT });
  });

  test("dagger.json with a blueprint may not also set sdk, dependencies or source (the engine's words)", () => {
    const bp = { name: "pipeline", source: `${THIS_REPOSITORY}@v1` };
    assert.throws(() => parseModuleConfig(JSON.stringify({ name: "a", blueprint: bp, sdk: { source: "typescript" } })), /blueprint and sdk can't both be set/);
    assert.throws(() => parseModuleConfig(JSON.stringify({ name: "a", blueprint: bp, dependencies: [bp] })), /blueprint and dependencies can't both be set/);
    assert.throws(() => parseModuleConfig(JSON.stringify({ name: "a", blueprint: bp, source: ".dagger" })), /blueprint and source can't both be set/);
    assert.deepEqual(parseGitModuleRef(`${THIS_REPOSITORY}/modules/flyway@abc`), { repository: THIS_REPOSITORY, subpath: "modules/flyway", version: "abc" });
  });
});

describe("the application-repository fixture: its hookup is what users are told to write", () => {
  test("dagger.json: a name, engineVersion, and the blueprint pinned by commit to this repository's root module; nothing else", () => {
    const text = readFileSync(join(APP_REPO_FIXTURE, "dagger.json"), "utf8");
    const cfg = parseModuleConfig(text);
    assert.deepEqual(Object.keys(cfg).sort(), ["blueprint", "engineVersion", "name"]);
    assert.equal(cfg.engineVersion, JSON.parse(readFileSync(join(ROOT, "dagger.json"), "utf8")).engineVersion, "the engine version this module is built for");
    const bp = cfg.blueprint;
    assert.ok(bp);
    assert.equal(bp.name, JSON.parse(readFileSync(join(ROOT, "dagger.json"), "utf8")).name, "named as this module is named");
    const ref = parseGitModuleRef(bp.source);
    assert.deepEqual([ref.repository, ref.subpath], [THIS_REPOSITORY, ""], "this repository's root, where its dagger.json is");
    assert.match(bp.pin ?? "", /^[0-9a-f]{40}$/, "pinned by a full commit SHA, as dagger init --blueprint writes it");
    assert.equal(ref.version, bp.pin, "source@<commit> and pin name the same commit");
  });

  test("it holds only pipeline.yaml, the component folders and dagger.json; every component has the files its toolchain needs", () => {
    const config = parseConfig(readFileSync(join(APP_REPO_FIXTURE, "pipeline.yaml"), "utf8"));
    const folders = Object.values(config.components).map((c) => c.path);
    assert.deepEqual(readdirSync(APP_REPO_FIXTURE).sort(), ["dagger.json", "pipeline.yaml", ...folders].sort());
    for (const [name, c] of Object.entries(config.components))
      for (const { file } of toolchainOf(name, c).requiredFiles(c)) assert.ok(existsSync(join(APP_REPO_FIXTURE, c.path, file)), `${c.path}/${file}`);
  });
});

describe("what `dagger call` loads as the pipeline's source", () => {
  test("in the application repository (bare `dagger call`, from its root or a subfolder): the blueprint serves pipeline, source is the application's root and its pipeline.yaml is read", () => {
    const app = checkoutAppRepo();
    for (const cwd of [app, join(app, "api")]) {
      const entry = loadEntrypoint(cwd, { checkout: checkoutThisRepository });
      assert.equal(entry.name, "pipeline");
      assert.equal(entry.module.contextDir, ROOT, "the code is this repository's (at the pin)");
      assert.equal(sourceLoadedBy({ cwd, constructorFlags: {} }).source, app);
      const config = configLoadedBy({ cwd, constructorFlags: {} });
      assert.equal(config.name, "bookshop", "the application's pipeline.yaml, not this repository's example");
      assert.notEqual(config.name, example.name);
    }
  });

  test("mutant: resolving in the module's own context even as a blueprint is caught (this repository's root has no pipeline.yaml)", () => {
    const app = checkoutAppRepo();
    assert.equal(rootConstructor().sourceDefaultPath, "/");
    assert.equal(sourceLoadedBy({ cwd: app, constructorFlags: {} }, resolveInOwnContextAlways).source, ROOT);
    assert.throws(() => configLoadedBy({ cwd: app, constructorFlags: {} }, resolveInOwnContextAlways), /no such file/);
  });

  test("`-m <this repository>` from the application without --source: the module's own repository, not the application (why the docs use the blueprint)", () => {
    const app = checkoutAppRepo();
    const moduleRef = `${THIS_REPOSITORY}@feedc0defeedc0defeedc0defeedc0defeedc0de`;
    assert.equal(sourceLoadedBy({ cwd: app, constructorFlags: {}, moduleRef }).source, ROOT);
    assert.throws(() => configLoadedBy({ cwd: app, constructorFlags: {}, moduleRef }), /no such file/);
    assert.equal(configLoadedBy({ cwd: app, constructorFlags: { source: "." }, moduleRef }).name, "bookshop", "the alternative: an explicit --source=.");
  });

  test("in this repository (the module itself, no blueprint): source is this repository's root, which has no pipeline.yaml; the bundled example needs --source=examples/webshop", () => {
    assert.equal(sourceLoadedBy({ cwd: ROOT, constructorFlags: {} }).source, ROOT);
    assert.throws(() => configLoadedBy({ cwd: ROOT, constructorFlags: {} }), /no such file/);
    assert.equal(configLoadedBy({ cwd: ROOT, constructorFlags: { source: "examples/webshop" } }).name, example.name);
  });

  test("`-m <application repository>` from anywhere (ci/README: a service repository calling the system's integration): the blueprint's code, that repository as context", () => {
    const app = checkoutAppRepo();
    const elsewhere = mkdtempSync(join(tmpdir(), "service-repo-"));
    const entry = loadEntrypoint(elsewhere, { moduleRef: app, checkout: checkoutThisRepository });
    assert.deepEqual([entry.name, entry.implementation, entry.blueprintOf], ["bookshop", "pipeline", undefined]);
    assert.equal(sourceLoadedBy({ cwd: elsewhere, constructorFlags: {}, moduleRef: app }).source, app);
    assert.equal(configLoadedBy({ cwd: elsewhere, constructorFlags: {}, moduleRef: app }).name, "bookshop");
  });

  test("without any dagger.json up the tree there is no module to call", () => {
    const bare = mkdtempSync(join(tmpdir(), "no-module-"));
    assert.throws(() => loadEntrypoint(bare, { checkout: checkoutThisRepository }), /has no module to call/);
  });
});
