/**
 * Real Trivy on the real example image. Needs scripts/integration/trivy.sh, which builds Trivy
 * v0.74.0 and the database writer from the Go module proxy and runs this file inside the setup of
 * scripts/integration/buildkit.sh (Docker engine with BuildKit, registry, npm proxy, stand-in base
 * images). (Named *.integration.ts so that `npm test`, which needs no service, does not pick it up.)
 *
 * - The image: the backend of examples/webshop, built by BuildKit from the Dockerfile the pipeline
 *   generates, behind the npm proxy, as the buildkit suite builds it; then exported as
 *   Container.asTarball() exports a one-platform image: BuildKit's "docker" variant of its OCI
 *   exporter, which is containerd's archive exporter (an OCI layout plus Docker's manifest.json).
 *   Here containerd's exporter runs in `ctr images export` (a containerd of the test's own), on
 *   the image pushed to the registry and fetched back, after `ctr images convert --oci` gave it
 *   OCI media types (asTarball's default; docker push writes Docker's). The conversion keeps the
 *   config blob, so the tarball's config digest is the one BuildKit built (docker's image Id).
 *   (skopeo's conversion would not: it re-encodes the config, and so changes the digest.)
 * - The database: written by trivy-db's own build (test/scan/trivy-db-fixture) from one GitHub
 *   Security Advisory in its published OSV form, for `pg` at the version the backend's lockfile pins.
 * - The scan stage's own commands (.dagger/src/stages/scan.ts), with the files' paths of this run
 *   and the offline flags appended, and the report read by the vulnerability gate's own parser.
 * - --trivy-db (an air-gapped database): the same database handed over as a directory in Trivy's
 *   cache layout, checked by the stage's own check, bound read-only over a cache where the stage
 *   mounts it, and scanned with the stage's air-gapped command in a network namespace of its own
 *   (no network at all), where the command without those flags fails trying to download the database.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Directory } from "@dagger.io/dagger";
import { after, before, describe, test } from "node:test";
import { imageIdCommand, sbomCommand, type ScanFiles, trivyCacheMounts, trivyDatabase, trivyScanCommand } from "../../.dagger/src/stages/scan.js";
import { reportMismatch } from "../../modules/gates/src/identity.js";
import { findingsOf, parseTrivyReport } from "../../modules/gates/src/trivy.js";
import { vulnerabilityGate } from "../../modules/gates/src/vulnerabilities.js";
import { parseWaivers } from "../../modules/gates/src/waivers.js";
import {
  type BuildkitEnv,
  EXAMPLE,
  build,
  buildkitEnv,
  componentVersion,
  copyComponent,
  generateDockerfile,
  gitRevision,
  must,
  run,
  rfc3339Now,
  sleep,
} from "../../scripts/integration/buildkit/harness.js";

/** The package the fixture advisory is for: the backend's one runtime dependency, pinned by its lockfile. */
const PACKAGE = "pg";
/** Obviously not real identifiers (no CVE has a year 2099). */
const CVE = "CVE-2099-10001";
const GHSA = "GHSA-2222-3333-4444";
const TITLE = `${PACKAGE}: fixture advisory written by test/scan/trivy.integration.ts (not a real vulnerability)`;
/**
 * What Trivy is told so that it never reaches for the network: the database is the one written
 * here. --skip-check-update too: without it the misconfiguration scanner tries to download its
 * checks bundle (and, offline, falls back to the checks built into Trivy, logging an error).
 */
const OFFLINE = ["--skip-db-update", "--skip-java-db-update", "--offline-scan", "--skip-check-update"];

let env: BuildkitEnv;
let trivyBin: string;
let work: string;
/** Trivy's --cache-dir: db/trivy.db and db/metadata.json written by the fixture writer. */
let cacheDir: string;
/** The database's top-level buckets and their keys, as the writer listed them. */
let buckets: Record<string, string[]>;
let pinned: string;
let fixed: string;
/** The backend's runtime packages by the lockfile: name → version. */
let runtimePackages: Map<string, string>;
/** The image as docker knows it (its Id is the config digest), and the digest of its OCI manifest (after ctr images convert --oci). */
let dockerImageId: string;
let manifestDigest: string;
/** The image, as Container.asTarball() writes it. */
let tarball: string;
let containerd: ChildProcess | undefined;
const timings: Record<string, number> = {};

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** Runs an argv as the scan stage hands it over (with `extra` appended), the real binary standing for "trivy". */
async function exec(argv: readonly string[], extra: readonly string[] = [], timeoutMs = 600_000) {
  const [command, ...args] = argv;
  return run(command === "trivy" ? trivyBin : (command as string), [...args, ...extra], { timeoutMs });
}

async function trivy(args: string[], timeoutMs = 600_000) {
  return must(trivyBin, [...args, "--cache-dir", cacheDir, ...OFFLINE], { timeoutMs });
}

function platform(): string {
  return `linux/${process.arch === "x64" ? "amd64" : process.arch}`;
}

/** A containerd of this test's own (own root, state and socket), for its archive exporter. */
async function startContainerd(dir: string): Promise<string> {
  const address = join(dir, "containerd.sock");
  const config = join(dir, "config.toml");
  writeFileSync(
    config,
    [
      "version = 2",
      `root = "${join(dir, "root")}"`,
      `state = "${join(dir, "state")}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      "[grpc]",
      `  address = "${address}"`,
      "[ttrpc]",
      `  address = "${address}.ttrpc"`,
      "",
    ].join("\n"),
  );
  const log = openSync(join(dir, "containerd.log"), "a");
  containerd = spawn("containerd", ["--config", config], { stdio: ["ignore", log, log], detached: true });
  closeSync(log);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if ((await run("ctr", ["--address", address, "version"], { timeoutMs: 5000 })).code === 0) return address;
    if (containerd.exitCode !== null || Date.now() > deadline) throw new Error(`containerd did not start:\n${readFileSync(join(dir, "containerd.log"), "utf8").slice(-3000)}`);
    await sleep(200);
  }
}

/** The GHSA advisory for PACKAGE, in the OSV JSON of github.com/github/advisory-database. */
function advisory(): object {
  const [major] = pinned.split(".");
  return {
    schema_version: "1.4.0",
    id: GHSA,
    modified: "2099-01-02T00:00:00Z",
    published: "2099-01-01T00:00:00Z",
    aliases: [CVE],
    summary: TITLE,
    details: "Written by the pipeline's Trivy integration test into a database of its own; no real advisory has this identifier.",
    severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
    affected: [{ package: { ecosystem: "npm", name: PACKAGE }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: `${major}.0.0` }, { fixed }] }] }],
    references: [{ type: "WEB", url: `https://github.com/advisories/${GHSA}` }],
    database_specific: { cwe_ids: [], severity: "CRITICAL", github_reviewed: true, github_reviewed_at: "2099-01-01T00:00:00Z", nvd_published_at: null },
  };
}

before(async () => {
  env = buildkitEnv();
  trivyBin = process.env.TRIVY_BIN ?? "";
  const writer = process.env.TRIVY_DB_FIXTURE_BIN ?? "";
  if (!existsSync(trivyBin) || !existsSync(writer)) throw new Error("TRIVY_BIN and TRIVY_DB_FIXTURE_BIN must name the binaries: run this through `bash scripts/integration/trivy.sh`");
  work = mkdtempSync(join(env.work, "scan-"));

  // The lockfile's pin, and the packages that end up in the runtime image (not dev).
  const lock = JSON.parse(readFileSync(join(EXAMPLE, "backend", "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string; dev?: boolean }> };
  runtimePackages = new Map(
    Object.entries(lock.packages)
      .filter(([path, p]) => path.startsWith("node_modules/") && !p.dev)
      .map(([path, p]) => [path.slice("node_modules/".length), p.version as string]),
  );
  pinned = runtimePackages.get(PACKAGE) ?? "";
  assert.match(pinned, /^\d+\.\d+\.\d+$/, `examples/webshop/backend/package-lock.json pins no runtime ${PACKAGE}`);
  const [major, minor, patch] = pinned.split(".").map(Number) as [number, number, number];
  fixed = `${major}.${minor}.${patch + 1}`;

  // The database: one advisory, built by trivy-db.
  const advisories = join(work, "advisories");
  const file = join(advisories, "ghsa", "advisories", "github-reviewed", "2099", "01", GHSA, `${GHSA}.json`);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `${JSON.stringify(advisory(), null, 2)}\n`);
  cacheDir = join(work, "trivy-cache");
  let started = performance.now();
  const written = await must(writer, ["-advisories", advisories, "-cache-dir", cacheDir], { cwd: work, timeoutMs: 120_000 });
  timings["database written (s)"] = (performance.now() - started) / 1000;
  buckets = JSON.parse(written.stdout) as Record<string, string[]>;

  // The image: BuildKit builds the generated Dockerfile behind the npm proxy, as the buildkit suite does.
  const revision = await gitRevision();
  const context = mkdtempSync(join(work, "backend-"));
  await copyComponent("backend", context);
  await generateDockerfile("backend", context);
  const tag = `${env.registry}/webshop/backend:${revision}`;
  started = performance.now();
  const built = await build(env, {
    context,
    tags: [tag],
    buildArgs: {
      BASE_IMAGE: env.baseSlim,
      NPM_REGISTRY: env.npmRegistry,
      REVISION: revision,
      VERSION: componentVersion("backend"),
      CREATED: rfc3339Now(),
      SOURCE: "https://github.com/acme/webshop",
    },
  });
  assert.equal(built.code, 0, built.output.slice(-4000));
  timings["image built (s)"] = (performance.now() - started) / 1000;
  dockerImageId = (await must(env.docker, ["image", "inspect", "-f", "{{.Id}}", tag])).stdout.trim();
  await must(env.docker, ["push", tag], { timeoutMs: 300_000 });

  // The tarball, as Container.asTarball() writes it (see the header).
  started = performance.now();
  const address = await startContainerd(mkdtempSync(join(work, "containerd-")));
  const ctr = (args: string[]) => must("ctr", ["--address", address, "--namespace", "pac-scan", ...args], { timeoutMs: 300_000 });
  await ctr(["content", "fetch", "--plain-http", "--platform", platform(), tag]);
  const ociName = "pac-scan/backend:oci";
  await ctr(["images", "convert", "--oci", "--platform", platform(), tag, ociName]);
  // ctr images list: REF TYPE DIGEST SIZE PLATFORMS LABELS
  const listed = (await ctr(["images", "list"])).stdout.split("\n").map((l) => l.split(/\s+/));
  manifestDigest = listed.find((cols) => cols[0] === ociName)?.[2] ?? "";
  assert.match(manifestDigest, /^sha256:[0-9a-f]{64}$/, `no digest for ${ociName} in ctr images list`);
  tarball = join(work, "image.tar");
  await ctr(["images", "export", "--platform", platform(), tarball, ociName]);
  timings["tarball exported (s)"] = (performance.now() - started) / 1000;
});

after(async () => {
  if (containerd?.pid && containerd.exitCode === null) {
    const exited = new Promise((resolve) => containerd?.once("exit", resolve));
    process.kill(containerd.pid, "SIGTERM");
    await Promise.race([exited, sleep(15_000)]);
    if (containerd.exitCode === null) process.kill(containerd.pid, "SIGKILL");
  }
  console.log(`timings: ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10])))}`);
});

describe("the fixture database and the image", () => {
  test("the database holds the one advisory, for the lockfile's pg, and nothing else; it never needs an update", () => {
    const source = "npm::GitHub Security Advisory npm";
    assert.deepEqual(buckets, { "data-source": [source], [source]: [PACKAGE], vulnerability: [CVE] });
    const meta = JSON.parse(readFileSync(join(cacheDir, "db", "metadata.json"), "utf8")) as { Version: number; NextUpdate: string };
    assert.equal(meta.Version, 2);
    assert.ok(Date.parse(meta.NextUpdate) > Date.now() + 365 * 24 * 3600_000, `NextUpdate ${meta.NextUpdate}`);
    assert.ok(existsSync(join(cacheDir, "db", "trivy.db")));
  });

  test("the tarball is laid out as Container.asTarball() writes it: OCI layout, OCI manifest, Docker's manifest.json naming the config blob", async () => {
    const listing = (await must("tar", ["-tf", tarball])).stdout.split("\n");
    for (const entry of ["oci-layout", "index.json", "manifest.json"]) assert.ok(listing.includes(entry), `${entry} in ${listing.join(" ")}`);
    const dir = mkdtempSync(join(work, "layout-"));
    await must("tar", ["-xf", tarball, "-C", dir]);
    const manifestJson = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { Config: string; Layers: string[] }[];
    assert.equal(manifestJson.length, 1);
    assert.match(manifestJson[0]!.Config, /^blobs\/sha256\/[0-9a-f]{64}$/);
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { manifests: { mediaType: string; digest: string }[] };
    assert.deepEqual(
      index.manifests.map((m) => [m.mediaType, m.digest]),
      [["application/vnd.oci.image.manifest.v1+json", manifestDigest]],
    );
    const manifest = JSON.parse(readFileSync(join(dir, "blobs", "sha256", manifestDigest.slice("sha256:".length)), "utf8")) as {
      config: { mediaType: string; digest: string };
      layers: { mediaType: string }[];
    };
    assert.equal(manifest.config.mediaType, "application/vnd.oci.image.config.v1+json");
    assert.deepEqual([...new Set(manifest.layers.map((l) => l.mediaType))], ["application/vnd.oci.image.layer.v1.tar+gzip"]);
    // The config blob is the one BuildKit built (the conversion to OCI media types kept its bytes): its digest is docker's image Id.
    assert.equal(`blobs/sha256/${manifest.config.digest.slice("sha256:".length)}`, manifestJson[0]!.Config);
    assert.equal(sha256(readFileSync(join(dir, manifestJson[0]!.Config))), dockerImageId);
  });
});

describe("real Trivy on the real image", () => {
  test("finds exactly the fixture advisory (pg at the lockfile's version) and nothing else, having read the image's OS and every runtime package", async (t) => {
    const out = join(work, "vuln.json");
    const started = performance.now();
    await trivy(["image", "--input", tarball, "--format", "json", "--list-all-pkgs", "--scanners", "vuln", "--output", out]);
    timings["trivy vuln scan (s)"] = (performance.now() - started) / 1000;
    const report = JSON.parse(readFileSync(out, "utf8")) as {
      Metadata: { OS?: { Family: string; Name: string }; ImageID: string };
      Results?: { Target: string; Class: string; Type: string; Packages?: { Name: string; Version: string; FilePath?: string }[]; Vulnerabilities?: Record<string, unknown>[] }[];
    };
    assert.equal(report.Metadata.OS?.Family, "debian", JSON.stringify(report.Metadata.OS));
    const node = (report.Results ?? []).filter((r) => r.Type === "node-pkg");
    const inApp = new Map(
      node
        .flatMap((r) => r.Packages ?? [])
        .filter((p) => p.FilePath?.startsWith("app/node_modules/"))
        .map((p) => [p.Name, p.Version]),
    );
    assert.deepEqual(inApp, runtimePackages, "the runtime image's node_modules, as Trivy read them, are the lockfile's runtime packages");
    const vulns = (report.Results ?? []).flatMap((r) => r.Vulnerabilities ?? []);
    t.diagnostic(`${(report.Results ?? []).length} targets, ${(report.Results ?? []).reduce((n, r) => n + (r.Packages?.length ?? 0), 0)} packages, ${vulns.length} vulnerabilities`);
    assert.equal(vulns.length, 1, JSON.stringify(vulns, null, 2));
    const v = vulns[0] as Record<string, unknown>;
    assert.deepEqual(
      { id: v.VulnerabilityID, vendor: v.VendorIDs, pkg: v.PkgName, installed: v.InstalledVersion, fixed: v.FixedVersion, severity: v.Severity, path: v.PkgPath, title: v.Title },
      { id: CVE, vendor: [GHSA], pkg: PACKAGE, installed: pinned, fixed, severity: "CRITICAL", path: `app/node_modules/${PACKAGE}/package.json`, title: TITLE },
    );
  });

  test("the scan stage's own commands: the config digest from the tarball, a report the gate reads and ties to the image, and the SBOM", async (t) => {
    const dir = mkdtempSync(join(work, "stage-"));
    const files: ScanFiles = { image: tarball, imageId: join(dir, "image-id"), report: join(dir, "report.json"), sbom: join(dir, "sbom.cdx.json") };
    const id = await exec(imageIdCommand(files));
    assert.equal(id.code, 0, id.output);
    const imageId = readFileSync(files.imageId, "utf8").trim();
    assert.equal(imageId, dockerImageId, "the config digest scan.ts reads off manifest.json");

    let started = performance.now();
    const scan = await exec(trivyScanCommand(undefined, files), ["--cache-dir", cacheDir, ...OFFLINE]);
    timings["scan stage's trivy run (s)"] = (performance.now() - started) / 1000;
    assert.equal(scan.code, 0, scan.output);
    const text = readFileSync(files.report, "utf8");
    const report = parseTrivyReport(text, "backend.json");
    assert.equal(report.SchemaVersion, 2);
    assert.equal(report.Metadata?.ImageID, imageId);
    assert.equal(reportMismatch(report, "backend.json", manifestDigest, imageId), undefined);
    assert.deepEqual(findingsOf(report), [
      { kind: "vulnerability", id: CVE, package: PACKAGE, purl: `pkg:npm/${PACKAGE}@${pinned}`, installed: pinned, fixed, severity: "CRITICAL", title: TITLE, target: "Node.js" },
    ]);
    // Secrets and misconfigurations (which the gate is to read too): nothing at HIGH or CRITICAL.
    const raw = JSON.parse(text) as { Results?: { Target: string; Secrets?: { Severity: string; RuleID: string }[]; Misconfigurations?: { Severity: string; ID: string }[] }[] };
    const others = (raw.Results ?? []).flatMap((r) => [
      ...(r.Secrets ?? []).map((s) => ({ target: r.Target, id: s.RuleID, severity: s.Severity })),
      ...(r.Misconfigurations ?? []).map((m) => ({ target: r.Target, id: m.ID, severity: m.Severity })),
    ]);
    t.diagnostic(`secrets and misconfigurations: ${JSON.stringify(others)}`);
    assert.deepEqual(
      others.filter((o) => o.severity === "HIGH" || o.severity === "CRITICAL"),
      [],
    );

    started = performance.now();
    const sbom = await exec(sbomCommand(files));
    timings["scan stage's SBOM conversion (s)"] = (performance.now() - started) / 1000;
    assert.equal(sbom.code, 0, sbom.output);
    const bom = JSON.parse(readFileSync(files.sbom, "utf8")) as CycloneDx;
    assert.equal(bom.bomFormat, "CycloneDX");
    assertListsPackage(bom);

    // The gate on this real report: refused naming the advisory; a waiver for this digest lets it
    // through until its expiry day, and not a day longer.
    const image = `registry.example.com/acme/webshop/backend:${"a".repeat(40)}@${manifestDigest}`;
    const judged = (waivers: string, today: string) =>
      vulnerabilityGate({ images: [{ component: "backend", image, report: text, reportFile: "backend.json", imageId }], waivers: parseWaivers(waivers, "waivers.yaml", today), today });
    const refused = judged("", "2027-01-15");
    assert.equal(refused.passed, false);
    assert.match(refused.details.join("\n"), new RegExp(`${CVE}.*${PACKAGE}`));
    const waiver = `waivers:\n  - cve: ${CVE}\n    digest: ${manifestDigest}\n    reason: the fixture advisory; pg's vulnerable path is not used\n    approver: jane.doe@example.com\n    expires: 2027-01-31\n`;
    assert.equal(judged(waiver, "2027-01-15").passed, true, judged(waiver, "2027-01-15").details.join("\n"));
    assert.equal(judged(waiver, "2027-01-31").passed, true, "valid through its expiry day");
    const expired = judged(waiver, "2027-02-01");
    assert.equal(expired.passed, false);
    assert.match(expired.details.join("\n"), new RegExp(CVE));
  });

  test("Trivy's own CycloneDX of the same tarball lists the same packages as the SBOM converted from the report; what each way costs", async (t) => {
    const dir = mkdtempSync(join(work, "sbom-"));
    const files: ScanFiles = { image: tarball, imageId: join(dir, "image-id"), report: join(dir, "report.json"), sbom: join(dir, "converted.cdx.json") };
    // A cache holding only the database: the layers are analysed anew, as on an engine's first scan of the image.
    const cold = join(dir, "cold-cache");
    const freshCache = async () => {
      rmSync(cold, { recursive: true, force: true });
      mkdirSync(cold, { recursive: true });
      await must("cp", ["-r", join(cacheDir, "db"), cold]);
    };
    await freshCache();
    let started = performance.now();
    await must(trivyBin, [...trivyScanCommand(undefined, files).slice(1), "--cache-dir", cold, ...OFFLINE], { timeoutMs: 600_000 });
    timings["scan stage's trivy run, layers not cached (s)"] = (performance.now() - started) / 1000;
    started = performance.now();
    await must(trivyBin, sbomCommand(files).slice(1));
    timings["SBOM by trivy convert (s)"] = (performance.now() - started) / 1000;
    const sbomOf = async (name: string, cache: string) => {
      const out = join(dir, name);
      const began = performance.now();
      // --scanners vuln: Trivy's CycloneDX leaves vulnerabilities out unless asked.
      await must(trivyBin, ["image", "--input", tarball, "--format", "cyclonedx", "--scanners", "vuln", "--output", out, "--cache-dir", cache, ...OFFLINE], { timeoutMs: 600_000 });
      return { bom: JSON.parse(readFileSync(out, "utf8")) as CycloneDx, seconds: (performance.now() - began) / 1000 };
    };
    const cached = await sbomOf("direct-cached.cdx.json", cold);
    timings["SBOM by a second trivy image run, layers cached (s)"] = cached.seconds;
    await freshCache();
    const uncached = await sbomOf("direct-uncached.cdx.json", cold);
    timings["SBOM by a second trivy image run, layers not cached (s)"] = uncached.seconds;
    const convertedBom = JSON.parse(readFileSync(files.sbom, "utf8")) as CycloneDx;
    const purls = (b: CycloneDx) => new Set((b.components ?? []).map((c) => c.purl).filter((p): p is string => p !== undefined));
    t.diagnostic(`${purls(convertedBom).size} package URLs in the converted SBOM, ${purls(uncached.bom).size} in Trivy's own; report ${statSync(files.report).size} bytes with --list-all-pkgs`);
    for (const bom of [convertedBom, cached.bom, uncached.bom]) assertListsPackage(bom);
    assert.deepEqual(purls(convertedBom), purls(uncached.bom));
    assert.deepEqual(purls(cached.bom), purls(uncached.bom));
  });
});

/** A folder on this machine as the parts of a Dagger Directory that the stage's check reads (exists, entries, a file's contents, a subfolder). */
function localDirectory(root: string): Directory {
  const at = (path: string) => join(root, path);
  const folder = {
    root,
    exists: async (path: string) => existsSync(at(path)),
    // As the engine lists them: folders with a trailing slash.
    entries: async () =>
      readdirSync(root, { withFileTypes: true })
        .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
        .sort(),
    file: (path: string) => ({ contents: async () => readFileSync(at(path), "utf8") }),
    directory: (path: string) => localDirectory(at(path)),
  };
  return folder as unknown as Directory;
}
const rootOf = (d: Directory) => (d as unknown as { root: string }).root;

describe("--trivy-db: the database handed over as a directory, scanned with no network", () => {
  /** The mirror the commands name: .invalid never resolves (RFC 2606), and the namespace has no network anyway. */
  const MIRROR = "mirror.invalid:8443/docker-group";
  let handedOver: string;
  let database: Awaited<ReturnType<typeof trivyDatabase>>;

  before(() => {
    // What `trivy image --download-db-only --cache-dir <dir>` leaves, carried over a week later: db/ only, an update due.
    handedOver = join(mkdtempSync(join(work, "air-gapped-")), "trivy-cache");
    mkdirSync(join(handedOver, "db"), { recursive: true });
    for (const file of ["trivy.db", "metadata.json"]) cpSync(join(cacheDir, "db", file), join(handedOver, "db", file));
    const meta = JSON.parse(readFileSync(join(handedOver, "db", "metadata.json"), "utf8")) as Record<string, unknown>;
    const daysAgo = (n: number) => new Date(Date.now() - n * 24 * 3600_000).toISOString();
    writeFileSync(join(handedOver, "db", "metadata.json"), JSON.stringify({ ...meta, UpdatedAt: daysAgo(8), DownloadedAt: daysAgo(8), NextUpdate: daysAgo(7) }));
  });

  /**
   * The stage's scan command (online or air-gapped) as the stage runs it with --trivy-db, for a real
   * Trivy: in namespaces of its own, with no network (a loopback that is down, no route, no DNS) and
   * a fresh cache over which the handed-over folders are bound read-only, where trivyCacheMounts
   * says (the user's folders themselves: read-only means none is changed). A folder that is not
   * read-only there ends the run (exit 98) before Trivy starts.
   */
  async function scanOffline(files: ScanFiles, airGapped: boolean) {
    const cache = join(mkdtempSync(join(work, "cache-")), "trivy");
    const empty = mkdtempSync(join(work, "empty-"));
    const folders = { db: rootOf(database.db), ...(database.javaDb ? { javaDb: rootOf(database.javaDb) } : {}) };
    // The script's pairs are source, then where it is mounted.
    const binds = trivyCacheMounts(folders, empty, cache).flatMap(([path, folder]) => [folder, path]);
    const script =
      'while [ "$1" != -- ]; do mkdir -p "$2" && mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" || exit 99; if touch "$2/.w" 2>/dev/null; then exit 98; fi; shift 2; done; shift; exec "$@"';
    const argv = ["--net", "--mount", "sh", "-c", script, "sh", ...binds, "--", trivyBin, ...trivyScanCommand(MIRROR, files, airGapped).slice(1), "--cache-dir", cache];
    const result = await run("unshare", argv, { timeoutMs: 600_000 });
    assert.ok(result.code !== 98 && result.code !== 99, `the read-only mounts: exit ${result.code}\n${result.output}`);
    return { ...result, cache };
  }
  const filesIn = (dir: string): ScanFiles => ({ image: tarball, imageId: join(dir, "image-id"), report: join(dir, "report.json"), sbom: join(dir, "sbom.cdx.json") });
  const digests = (dir: string) =>
    readdirSync(dir)
      .sort()
      .map((f) => `${f} ${sha256(readFileSync(join(dir, f)))}`);

  test("the stage's check takes the handed-over directory (db/ of schema 2, no java-db/) and refuses db/ itself, saying so", async () => {
    database = await trivyDatabase(localDirectory(handedOver));
    assert.equal(rootOf(database.db), join(handedOver, "db"));
    assert.equal(database.javaDb, undefined);
    await assert.rejects(
      trivyDatabase(localDirectory(join(handedOver, "db"))),
      /^InputError: --trivy-db: the directory has no db\/trivy\.db and db\/metadata\.json, but trivy\.db at its top level: pass the folder that holds db\/, not db\/ itself/,
    );
  });

  test("without the air-gapped flags, Trivy tries to download the database from the mirror (an update is due) and, with no network, fails", async () => {
    const files = filesIn(mkdtempSync(join(work, "online-")));
    const scan = await scanOffline(files, false);
    assert.notEqual(scan.code, 0, scan.output);
    assert.match(scan.output, /mirror\.invalid:8443\/docker-group\/ghcr\.io\/aquasecurity\/trivy-db/, scan.output);
    assert.equal(existsSync(files.report), false, "no report");
  });

  test("the stage's air-gapped command, the database mounted read-only as the stage mounts it, no network: the fixture advisory, in a report the gate ties to the image", async (t) => {
    const files = filesIn(mkdtempSync(join(work, "air-gapped-scan-")));
    const before = digests(join(handedOver, "db"));
    const started = performance.now();
    const scan = await scanOffline(files, true);
    timings["air-gapped scan, no network (s)"] = (performance.now() - started) / 1000;
    assert.equal(scan.code, 0, scan.output);
    assert.equal((await exec(imageIdCommand(files))).code, 0);
    const report = parseTrivyReport(readFileSync(files.report, "utf8"), "backend.json");
    assert.equal(reportMismatch(report, "backend.json", manifestDigest, readFileSync(files.imageId, "utf8").trim()), undefined);
    assert.deepEqual(findingsOf(report), [
      { kind: "vulnerability", id: CVE, package: PACKAGE, purl: `pkg:npm/${PACKAGE}@${pinned}`, installed: pinned, fixed, severity: "CRITICAL", title: TITLE, target: "Node.js" },
    ]);
    assert.deepEqual(digests(join(handedOver, "db")), before, "the handed-over db/ is unchanged");
    t.diagnostic(`Trivy's cache after the scan (outside the namespace): ${readdirSync(scan.cache).sort().join(", ")}`);
  });
});

interface CycloneDx {
  bomFormat: string;
  specVersion: string;
  components?: { "bom-ref": string; name: string; version?: string; purl?: string }[];
  vulnerabilities?: { id: string; affects?: { ref: string }[] }[];
}

/** The SBOM lists pg at the lockfile's version, and the fixture advisory against it. */
function assertListsPackage(bom: CycloneDx): void {
  const purl = `pkg:npm/${PACKAGE}@${pinned}`;
  const component = (bom.components ?? []).find((c) => c.purl === purl);
  assert.ok(component, `${purl} among ${(bom.components ?? []).map((c) => c.purl).join(", ")}`);
  assert.equal(component.name, PACKAGE);
  assert.equal(component.version, pinned);
  const vuln = (bom.vulnerabilities ?? []).find((v) => v.id === CVE);
  assert.ok(
    vuln?.affects?.some((a) => a.ref === component["bom-ref"]),
    JSON.stringify(bom.vulnerabilities),
  );
}
