// `npm test`: our own code's format and lint (Biome, biome.json), then every test that needs no
// external service, with node's test runner (via tsx for TypeScript and decorators). Test files
// are *.test.ts under test/; examples/ test themselves.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const find = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === "node_modules" ? [] : find(join(dir, e.name))) : e.name.endsWith(".test.ts") ? [join(dir, e.name)] : []));
// Biome first: a formatting slip or an unused import fails in a second, before the long tests.
const lint = spawnSync(join("node_modules", ".bin", "biome"), ["ci", "--reporter=summary", "."], { stdio: "inherit" });
if (lint.status !== 0) {
  console.error("npm test: Biome found problems (above); `npm run format` fixes formatting, `npx biome lint .` lists the rest");
  process.exit(lint.status ?? 1);
}
const files = find("test").sort();
if (files.length === 0) {
  console.error("npm test: no test files found under test/");
  process.exit(1);
}
const run = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(run.status ?? 1);
