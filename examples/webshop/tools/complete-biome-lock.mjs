#!/usr/bin/env node
// Usage: node tools/complete-biome-lock.mjs backend/package-lock.json [frontend/package-lock.json]
//
// The npm registry mirror on our build machines does not serve @biomejs/biome's macOS,
// Windows, Android and musl binaries. `npm install` then leaves them out of the lockfile,
// and `npm ci` rejects that lockfile ("Missing: @biomejs/cli-darwin-arm64@ from lock file").
// This adds the missing entries as the public registry would list them (os/cpu/libc, no
// integrity: they are only ever fetched on those platforms). Idempotent.
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "cli-android-arm64": { os: ["android"], cpu: ["arm64"] },
  "cli-android-x64": { os: ["android"], cpu: ["x64"] },
  "cli-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "cli-darwin-x64": { os: ["darwin"], cpu: ["x64"] },
  "cli-linux-arm64": { os: ["linux"], cpu: ["arm64"], libc: ["glibc"] },
  "cli-linux-arm64-musl": { os: ["linux"], cpu: ["arm64"], libc: ["musl"] },
  "cli-linux-x64": { os: ["linux"], cpu: ["x64"], libc: ["glibc"] },
  "cli-linux-x64-musl": { os: ["linux"], cpu: ["x64"], libc: ["musl"] },
  "cli-win32-arm64": { os: ["win32"], cpu: ["arm64"] },
  "cli-win32-x64": { os: ["win32"], cpu: ["x64"] },
};

function completeLock(file) {
  const lock = JSON.parse(readFileSync(file, "utf8"));
  const biome = lock.packages["node_modules/@biomejs/biome"];
  if (!biome) throw new Error(`${file} has no node_modules/@biomejs/biome`);
  const added = [];
  for (const [name, version] of Object.entries(biome.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const platform = PLATFORMS[name.split("/")[1]];
    if (!platform) throw new Error(`unknown Biome platform package ${name}`);
    lock.packages[key] = {
      version,
      cpu: platform.cpu,
      dev: true,
      ...(platform.libc ? { libc: platform.libc } : {}),
      license: biome.license,
      optional: true,
      os: platform.os,
      engines: biome.engines,
    };
    added.push(name);
  }
  // npm keeps "" (the root) first and sorts the rest.
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) =>
      a === "" ? -1 : b === "" ? 1 : a.localeCompare(b, "en"),
    ),
  );
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`${file}: added ${added.length} entries${added.length ? ` (${added.join(", ")})` : ""}`);
}

for (const file of process.argv.slice(2)) completeLock(file);
