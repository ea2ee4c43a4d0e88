// Checks the output of `flyway info -outputType=json` against the migration files:
// every versioned migration applied successfully, and the schema version is the highest
// version found in the file names (V1_1_0__x.sql -> 1.1.0). Prints that version.
//   node check-flyway-info.mjs INFO_JSON MIGRATIONS_DIR
import { readdirSync, readFileSync } from "node:fs";

const [infoFile, migrationsDir] = process.argv.slice(2);
if (!infoFile || !migrationsDir) {
  console.error("usage: check-flyway-info.mjs INFO_JSON MIGRATIONS_DIR");
  process.exit(2);
}

const compare = (a, b) => {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
};

const files = readdirSync(migrationsDir).filter((name) => /^V.+__.+\.sql$/.test(name));
const versions = files.map((name) => {
  const match = /^V(\d+)_(\d+)_(\d+)__.+\.sql$/.exec(name);
  if (!match) {
    console.error(`migration ${name} does not follow V<MAJOR>_<MINOR>_<PATCH>__<description>.sql`);
    process.exit(1);
  }
  return match.slice(1, 4).map(Number).join(".");
});
if (versions.length === 0) {
  console.error(`no versioned migrations in ${migrationsDir}`);
  process.exit(1);
}
const highest = [...versions].sort(compare).at(-1);

let info;
try {
  info = JSON.parse(readFileSync(infoFile, "utf8"));
} catch (error) {
  console.error(`flyway info did not print JSON: ${error.message}`);
  process.exit(1);
}
if (info.error) {
  console.error(`flyway info reported an error: ${info.error.message ?? JSON.stringify(info.error)}`);
  process.exit(1);
}

const problems = [];
const applied = (info.migrations ?? []).filter((m) => m.category === "Versioned");
for (const version of versions) {
  const row = applied.find((m) => compare(m.version, version) === 0);
  if (!row) problems.push(`migration ${version} is not listed by flyway info`);
  else if (row.state !== "Success") problems.push(`migration ${version} is in state ${row.state}`);
}
if (compare(info.schemaVersion ?? "0", highest) !== 0) {
  problems.push(`schema version is ${info.schemaVersion}, expected the highest migration ${highest}`);
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`flyway info: ${problem}`);
  process.exit(1);
}
for (const m of applied) console.error(`  ${m.version.padEnd(8)} ${m.state.padEnd(8)} ${m.description}`);
console.log(highest);
