/** ci/install-dagger.sh, run for real with sh and a stand-in curl: the CLI is installed only from a tarball whose SHA-256 matches the pin. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../tiers/modules.js";

const SCRIPT = join(ROOT, "ci/install-dagger.sh");

/** A release tarball holding a `dagger` script, and a curl on PATH that serves it for any URL (logging the URL). */
function release(): { path: string; sha256: string; bin: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "dagger-release-"));
  mkdirSync(join(dir, "content"));
  writeFileSync(join(dir, "content/dagger"), "#!/bin/sh\necho dagger v0.21.9\n");
  const path = join(dir, "dagger.tar.gz");
  spawnSync("tar", ["-czf", path, "-C", join(dir, "content"), "dagger"]);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const log = join(dir, "curl.log");
  // The script calls: curl -fsSL --retry 3 -o <file> <url>
  writeFileSync(join(bin, "curl"), `#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\necho "$3" >>"${log}"\ncp "${path}" "$2"\n`);
  chmodSync(join(bin, "curl"), 0o755);
  return { path, sha256: createHash("sha256").update(readFileSync(path)).digest("hex"), bin, log };
}

function install(env: Record<string, string>, curlBin: string) {
  const target = mkdtempSync(join(tmpdir(), "bin-"));
  const r = spawnSync("sh", [SCRIPT], { encoding: "utf8", env: { PATH: `${curlBin}:${process.env.PATH}`, BIN_DIR: target, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr, installed: existsSync(join(target, "dagger")) };
}

test("the pinned version is the engineVersion of dagger.json, and the download is that release's tarball", () => {
  const engine = (JSON.parse(readFileSync(join(ROOT, "dagger.json"), "utf8")) as { engineVersion: string }).engineVersion;
  assert.match(readFileSync(SCRIPT, "utf8"), new RegExp(`^DAGGER_VERSION=${engine.replace(/^v/, "").replaceAll(".", "\\.")}$`, "m"));
  const rel = release();
  install({ DAGGER_SHA256: rel.sha256 }, rel.bin);
  assert.match(readFileSync(rel.log, "utf8"), /^https:\/\/dl\.dagger\.io\/dagger\/releases\/0\.21\.9\/dagger_v0\.21\.9_linux_(amd64|arm64)\.tar\.gz\n$/);
});

test("a tarball with the pinned SHA-256 is installed; any other is refused and nothing is installed", () => {
  const rel = release();
  const ok = install({ DAGGER_SHA256: rel.sha256 }, rel.bin);
  assert.equal(ok.code, 0, ok.err);
  assert.ok(ok.installed);
  const wrong = "0".repeat(64);
  const bad = install({ DAGGER_SHA256: wrong }, rel.bin);
  assert.equal(bad.code, 1);
  assert.match(bad.err, new RegExp(`does not have the pinned SHA-256 ${wrong} \\(it has ${rel.sha256}\\); nothing was installed`));
  assert.equal(bad.installed, false);
});

test("no pin, or a malformed one: refused before anything is downloaded, saying where the checksum comes from", () => {
  const rel = release();
  const none = install({}, rel.bin);
  // The script ships without a pin (its real value could not be looked up here); once one is pasted in, this case is the DAGGER_SHA256="" one below.
  if (/^SHA256_AMD64=""$/m.test(readFileSync(SCRIPT, "utf8"))) {
    assert.equal(none.code, 1);
    assert.match(none.err, /no SHA-256 is pinned for dagger_v0\.21\.9_linux_\w+\.tar\.gz: copy its line from https:\/\/dl\.dagger\.io\/dagger\/releases\/0\.21\.9\/checksums\.txt/);
  }
  const malformed = install({ DAGGER_SHA256: "abc; rm -rf /" }, rel.bin);
  assert.equal(malformed.code, 1);
  assert.match(malformed.err, /must be 64 lowercase hex digits, not "abc; rm -rf \/"/);
  assert.equal(existsSync(rel.log), false, "nothing was downloaded");
});
