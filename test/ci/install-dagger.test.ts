/**
 * ci/install-dagger.sh, run for real with sh and curl against a fake dl.dagger.io (a folder served
 * as file:// through DAGGER_RELEASES_URL): the CLI is installed only from a tarball whose SHA-256
 * matches the pin, or, without a pin, its line in the release's checksums.txt.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../tiers/modules.js";

const SCRIPT = join(ROOT, "ci/install-dagger.sh");
const ARCH = process.arch === "arm64" ? "arm64" : "amd64";
const TARBALL = `dagger_v0.21.9_linux_${ARCH}.tar.gz`;

/** A fake release server: <dir>/0.21.9/<tarball> holding a `dagger` script, and checksums.txt when given (a function of the tarball's real hash). */
function server(checksums?: (sha: string) => string): { url: string; sha256: string } {
  const dir = mkdtempSync(join(tmpdir(), "dagger-releases-"));
  mkdirSync(join(dir, "content"));
  mkdirSync(join(dir, "0.21.9"));
  writeFileSync(join(dir, "content/dagger"), "#!/bin/sh\necho dagger v0.21.9\n");
  const path = join(dir, "0.21.9", TARBALL);
  spawnSync("tar", ["-czf", path, "-C", join(dir, "content"), "dagger"]);
  const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
  if (checksums) writeFileSync(join(dir, "0.21.9/checksums.txt"), checksums(sha256));
  return { url: `file://${dir}`, sha256 };
}

/** A checksums.txt as the release publishes it: every platform's file, ours with `sha`. */
const checksumsWith = (sha: string) =>
  [`${"1".repeat(64)}  dagger_v0.21.9_darwin_arm64.tar.gz`, `${sha}  ${TARBALL}`, `${"2".repeat(64)}  ${TARBALL}.sig`, `${"3".repeat(64)}  dagger_v0.21.9_windows_amd64.zip`, ""].join("\n");

function install(env: Record<string, string>, path = process.env.PATH) {
  const target = mkdtempSync(join(tmpdir(), "bin-"));
  const r = spawnSync("sh", [SCRIPT], { encoding: "utf8", env: { PATH: path, BIN_DIR: target, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr, installed: existsSync(join(target, "dagger")) };
}

test("the pinned version is the engineVersion of dagger.json; by default the files come from dl.dagger.io's release folder", () => {
  const engine = (JSON.parse(readFileSync(join(ROOT, "dagger.json"), "utf8")) as { engineVersion: string }).engineVersion;
  assert.match(readFileSync(SCRIPT, "utf8"), new RegExp(`^DAGGER_VERSION=${engine.replace(/^v/, "").replaceAll(".", "\\.")}$`, "m"));
  // A curl that logs the URLs it is asked for and fails: the script stops after the first.
  const bin = mkdtempSync(join(tmpdir(), "curl-"));
  const log = join(bin, "curl.log");
  writeFileSync(join(bin, "curl"), `#!/bin/sh\nfor a; do last="$a"; done\necho "$last" >>"${log}"\nexit 22\n`);
  chmodSync(join(bin, "curl"), 0o755);
  const pinned = install({ DAGGER_SHA256: "a".repeat(64) }, `${bin}:${process.env.PATH}`);
  assert.equal(pinned.code, 1);
  const unpinned = install({}, `${bin}:${process.env.PATH}`);
  assert.equal(unpinned.code, 1);
  assert.deepEqual(readFileSync(log, "utf8").trim().split("\n"), [`https://dl.dagger.io/dagger/releases/0.21.9/${TARBALL}`, "https://dl.dagger.io/dagger/releases/0.21.9/checksums.txt"]);
});

test("pinned, matching: installed, and checksums.txt is not consulted (the server has none)", () => {
  const s = server();
  const r = install({ DAGGER_RELEASES_URL: s.url, DAGGER_SHA256: s.sha256 });
  assert.equal(r.code, 0, r.err);
  assert.ok(r.installed);
  assert.match(r.out, new RegExp(`sha256 ${s.sha256}, checked against the pinned SHA-256\\)`));
  assert.doesNotMatch(r.err, /no SHA-256 is pinned/);
});

test("pinned, not matching: refused even when checksums.txt agrees with the download; nothing installed", () => {
  const s = server(checksumsWith);
  const wrong = "0".repeat(64);
  const r = install({ DAGGER_RELEASES_URL: s.url, DAGGER_SHA256: wrong });
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`${TARBALL} from ${s.url}/0\\.21\\.9/${TARBALL} does not have the pinned SHA-256 ${wrong} \\(it has ${s.sha256}\\); nothing was installed`));
  assert.equal(r.installed, false);
});

test("a malformed pin is refused before anything is downloaded", () => {
  const s = server(checksumsWith);
  const r = install({ DAGGER_RELEASES_URL: s.url, DAGGER_SHA256: "abc; rm -rf /" });
  assert.equal(r.code, 1);
  assert.match(r.err, /\(DAGGER_SHA256 or SHA256_(AMD|ARM)64\) must be 64 lowercase hex digits, not "abc; rm -rf \/"; nothing was installed/);
  assert.equal(r.installed, false);
});

test("unpinned, checksums.txt's line for the file matches: installed, with one line saying the pin is missing and how to set it", () => {
  const s = server(checksumsWith);
  const r = install({ DAGGER_RELEASES_URL: s.url });
  assert.equal(r.code, 0, r.err);
  assert.ok(r.installed);
  const notes = r.err.trim().split("\n");
  assert.equal(notes.length, 1, r.err);
  assert.match(
    notes[0],
    new RegExp(
      `no SHA-256 is pinned for ${TARBALL}.*pin it \\(stronger\\): paste its line's hash from ${s.url}/0\\.21\\.9/checksums\\.txt into SHA256_(AMD|ARM)64 of ci/install-dagger\\.sh, or set DAGGER_SHA256`,
    ),
  );
  assert.match(r.out, /checked against the SHA-256 of .*checksums\.txt\)/);
});

test("unpinned, checksums.txt's line does not match the download: refused, nothing installed", () => {
  const other = "9".repeat(64);
  const s = server(() => checksumsWith(other));
  const r = install({ DAGGER_RELEASES_URL: s.url });
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`does not have the SHA-256 of ${s.url}/0\\.21\\.9/checksums\\.txt ${other} \\(it has ${s.sha256}\\); nothing was installed`));
  assert.equal(r.installed, false);
});

test("unpinned, checksums.txt has no line for exactly this file (only its .sig and other platforms): refused", () => {
  const s = server((sha) => checksumsWith(sha).replace(`${sha}  ${TARBALL}\n`, `${sha}  x${TARBALL}\n`));
  const r = install({ DAGGER_RELEASES_URL: s.url });
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`checksums\\.txt has no line for ${TARBALL}; nothing was installed`));
  assert.equal(r.installed, false);
});

test("unpinned, two different lines for the file, or a malformed hash: refused", () => {
  for (const make of [(sha: string) => `${checksumsWith(sha)}${"4".repeat(64)}  ${TARBALL}\n`, (sha: string) => checksumsWith(sha).replace(sha, sha.toUpperCase())]) {
    const r = install({ DAGGER_RELEASES_URL: server(make).url });
    assert.equal(r.code, 1);
    assert.match(r.err, /does not give one SHA-256 of 64 lowercase hex digits for dagger_v0\.21\.9_linux_\w+\.tar\.gz; nothing was installed/);
    assert.equal(r.installed, false);
  }
});

test("unpinned, checksums.txt cannot be fetched: refused, nothing installed", () => {
  const s = server();
  const r = install({ DAGGER_RELEASES_URL: s.url });
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`downloading ${s.url}/0\\.21\\.9/checksums\\.txt failed; nothing was installed`));
  assert.equal(r.installed, false);
});
