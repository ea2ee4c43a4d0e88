// --trivy-db through the engine model: an air-gapped vulnerability database handed over as a
// directory (Trivy's cache layout) is checked before anything runs, mounted as the scans' databases,
// and Trivy is told to fetch nothing. Trivy does not run here (its reports are stand-ins): what is
// read is the chain each scan sends, with the exec's arguments and what it mounts. That the flags
// keep a real Trivy off the network is test/scan/trivy.integration.ts's. Nothing here ran in Dagger.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AIR_GAPPED_FLAGS, TRIVY_CACHE } from "../../.dagger/src/stages/scan.js";
import { tempDir } from "../gitops/git/git-fixture.js";
import { decodeId, mintId } from "../recorder/ids.js";
import type { Chain } from "../recorder/types.js";
import { harnessApp, type HarnessApp } from "./app.js";
import { Harness } from "./harness.js";
import { standIns } from "./stand-ins.js";
import { MemoryRegistry } from "./registry.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string) => mintId([{ field: "setSecret", args: { name } }]);

/** A folder on this machine with these files, passed as a Directory argument (what `--trivy-db ./trivy-cache` sends). */
function hostFolder(files: Record<string, string>): { path: string; id: string } {
  const path = join(tempDir("trivy-db"), "trivy-cache");
  mkdirSync(path, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(path, name, ".."), { recursive: true });
    writeFileSync(join(path, name), content);
  }
  return {
    path,
    id: mintId([
      { field: "host", args: {} },
      { field: "directory", args: { path } },
    ]),
  };
}

/** What `trivy image --download-db-only --cache-dir <dir>` leaves (the database itself is a stand-in: nothing reads it here). */
const DOWNLOADED = {
  "db/trivy.db": "bolt database",
  "db/metadata.json": JSON.stringify({ Version: 2, NextUpdate: "2099-01-01T00:00:00Z", UpdatedAt: "2026-12-01T00:00:00Z", DownloadedAt: "2026-12-01T01:00:00Z" }),
};
const JAVA_DB = { "java-db/trivy-java.db": "sqlite database", "java-db/metadata.json": JSON.stringify({ Version: 1, NextUpdate: "2099-01-01T00:00:00Z" }) };

/** One scan as its chain says: the directories mounted (read-only) into Trivy's cache (by path, the source's chain) and the Trivy exec's arguments. */
interface ScanChain {
  mounts: Record<string, Chain>;
  trivy: string[];
}

/** The scans' chains among a run's queries (each read of a report is one scan). */
function scanChains(queries: string[]): ScanChain[] {
  return queries
    .filter((q) => q.includes('file (path: "/scan/report.json")'))
    .map((q) => {
      const mounted = [...q.matchAll(/withMountedDirectory \(path: "([^"]+)",source: "(recorded-id:[A-Za-z0-9_-]+)"(,readOnly: true)?\)/g)];
      // Every folder over Trivy's cache is read-only: the scan changes none of them.
      for (const m of mounted) assert.ok(m[3], `${m[1]} mounted read-only`);
      const mounts = Object.fromEntries(mounted.map((m) => [m[1] as string, decodeId(m[2] as string)]));
      // Trivy's arguments hold no "]" (the image-id exec's sed script does, so it is not parsed).
      const trivy = q.match(/withExec \(args: (\["trivy","image",[^\]]*\])/)?.[1];
      assert.ok(trivy, `a trivy image exec in ${q.slice(0, 400)}`);
      return { mounts, trivy: JSON.parse(trivy) as string[] };
    });
}

/** The chain of `<folder>.directory(sub)`, as the SDK sends a host folder's subfolder. */
const subfolder = (path: string, sub: string): Chain => [
  { field: "host", args: {} },
  { field: "directory", args: { path } },
  { field: "directory", args: { path: sub } },
];
const EMPTY: Chain = [{ field: "directory", args: {} }];

describe("harness: --trivy-db, an air-gapped vulnerability database", () => {
  const registry = new MemoryRegistry();
  const apps: HarnessApp[] = [];
  before(() => registry.start());
  after(async () => {
    for (const a of apps) await a.close();
    await registry.stop();
  });
  const setUp = async () => {
    const app = await harnessApp(registry.address);
    apps.push(app);
    return { app, h: new Harness({ root: app.root, registry, remotes: app.remotes, stubs: standIns() }) };
  };
  const ci = async (trivyDb?: string) => {
    const { h } = await setUp();
    const summary = String(await h.call("pipeline", {}, "ci", { revision: REV, ...(trivyDb ? { trivyDb } : {}) }, "summary"));
    return { h, summary, scans: scanChains(h.queries) };
  };

  it("ci with --trivy-db: every scan mounts the directory's db/ over Trivy's cache, an empty java-db/ and policy/, all read-only, and runs Trivy with the flags that fetch nothing", async () => {
    const db = hostFolder(DOWNLOADED);
    const { h, summary, scans } = await ci(db.id);
    assert.match(summary, /^\| scan \| ✅ 3 image\(s\) scanned/m, summary);
    // What a bad directory's run below must not reach.
    assert.ok(h.engine.count("node-toolchain", "check") > 0 && h.engine.count("node-toolchain", "build") > 0, "checks and builds counted");
    assert.equal(scans.length, 3, "one scan per component");
    for (const scan of scans) {
      assert.deepEqual(scan.mounts, { [`${TRIVY_CACHE}/db`]: subfolder(db.path, "db"), [`${TRIVY_CACHE}/java-db`]: EMPTY, [`${TRIVY_CACHE}/policy`]: EMPTY });
      assert.deepEqual(scan.trivy.slice(-AIR_GAPPED_FLAGS.length), [...AIR_GAPPED_FLAGS]);
    }
    assert.deepEqual([...AIR_GAPPED_FLAGS].sort(), ["--disable-telemetry", "--skip-check-update", "--skip-db-update", "--skip-java-db-update", "--skip-version-check"]);
  });

  it("a java-db/ in the directory is mounted as the cache's java-db", async () => {
    const db = hostFolder({ ...DOWNLOADED, ...JAVA_DB });
    const { scans } = await ci(db.id);
    assert.equal(scans.length, 3);
    for (const scan of scans) assert.deepEqual(scan.mounts[`${TRIVY_CACHE}/java-db`], subfolder(db.path, "java-db"));
  });

  it("without --trivy-db: nothing mounted over the cache volume, and none of the flags (Trivy keeps its databases fresh through the mirror)", async () => {
    const { scans } = await ci();
    assert.equal(scans.length, 3);
    for (const scan of scans) {
      assert.deepEqual(scan.mounts, {});
      assert.deepEqual(
        scan.trivy.filter((a) => (AIR_GAPPED_FLAGS as readonly string[]).includes(a)),
        [],
      );
    }
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    [
      "an empty directory",
      {},
      /^--trivy-db: the directory has no db\/trivy\.db and db\/metadata\.json \(it is empty\); pass Trivy's cache directory as `trivy image --download-db-only --cache-dir <dir>` leaves it/,
    ],
    [
      "db/ itself",
      { "trivy.db": "x", "metadata.json": "{}" },
      /^--trivy-db: the directory has no db\/trivy\.db and db\/metadata\.json, but trivy\.db at its top level: pass the folder that holds db\/, not db\/ itself; pass Trivy's cache directory/,
    ],
    ["no metadata.json", { "db/trivy.db": "x", "fanal/fanal.db": "x" }, /^--trivy-db: the directory has no db\/metadata\.json \(its top level holds db\/, fanal\/\)/],
    ["another schema", { "db/trivy.db": "x", "db/metadata.json": JSON.stringify({ Version: 1 }) }, /^--trivy-db: db\/metadata\.json says schema Version 1; Trivy 0\.74\.0 reads db schema 2; pass/],
    ["metadata that is not JSON", { "db/trivy.db": "x", "db/metadata.json": "Version: 2" }, /^--trivy-db: db\/metadata\.json is not JSON \(/],
    [
      "a java-db/ without its database",
      { ...DOWNLOADED, "java-db/metadata.json": JSON.stringify({ Version: 1 }) },
      /^--trivy-db: the directory has no java-db\/trivy-java\.db; .*`trivy image --download-java-db-only --cache-dir <dir>`/,
    ],
  ];
  for (const [what, files, message] of bad) {
    it(`a bad --trivy-db (${what}) fails ci before anything is built, naming the argument, what is missing and how to produce it`, async () => {
      const { h } = await setUp();
      await assert.rejects(h.call("pipeline", {}, "ci", { revision: REV, trivyDb: hostFolder(files).id }, "summary"), (e: Error) => {
        assert.match(e.message, message);
        return true;
      });
      assert.equal(h.engine.count("node-toolchain", "build") + h.engine.count("node-toolchain", "check") + h.engine.count("flyway", "build"), 0, "nothing ran");
      assert.deepEqual(scanChains(h.queries), []);
    });
  }

  it("release and promote check it too, before anything is read or written", async () => {
    const { h } = await setUp();
    const empty = hostFolder({}).id;
    await assert.rejects(h.call("pipeline", {}, "release", { tag: "v1.2.0", revision: REV, trivyDb: empty }), /--trivy-db: the directory has no db\/trivy\.db/);
    await assert.rejects(h.call("pipeline", {}, "promote", { env: "staging", trivyDb: empty }), /--trivy-db: the directory has no db\/trivy\.db/);
    assert.equal(h.engine.count("gitops", "push"), 0);
  });

  it("release without --scans scans the release's published images with the given database", async () => {
    const { app, h } = await setUp();
    // The example without a release page (no GitHub here); staging is promoted on a tag. ci on main records the release first.
    const file = join(app.root, "pipeline.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^releases:\n(?: .*\n)*/m, ""));
    h.engine.setSecret("registry-token", "r");
    h.engine.setSecret("gitops-token", "g");
    const tokens = { registryToken: secret("registry-token"), gitopsToken: secret("gitops-token") };
    const summary = String(await h.call("pipeline", {}, "ci", { revision: REV, branch: "main", ...tokens }, "summary"));
    assert.match(summary, /^# webshop ci: ✅ passed/, summary);
    const before = h.queries.length;
    const db = hostFolder(DOWNLOADED);
    const text = String(await h.call("pipeline", {}, "release", { tag: "v1.2.0", revision: REV, ...tokens, trivyDb: db.id }));
    assert.match(text, /\| vulnerabilities \| ✅ passed \| 3 images/, text);
    const scans = scanChains(h.queries.slice(before));
    assert.equal(scans.length, 3, "each published image scanned");
    for (const scan of scans) {
      assert.deepEqual(scan.mounts[`${TRIVY_CACHE}/db`], subfolder(db.path, "db"));
      assert.deepEqual(scan.trivy.slice(-AIR_GAPPED_FLAGS.length), [...AIR_GAPPED_FLAGS]);
    }
  });
});
