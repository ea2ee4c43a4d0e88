/**
 * A released migration is immutable: databases already ran it, and Flyway refuses to migrate a
 * database whose history no longer matches the files (checksum or description mismatch, applied
 * migration missing). This catches an edited, removed or renamed released migration in CI,
 * against the record of the last release, before any database sees it. Repeatable migrations
 * (R__) are exempt: Flyway reruns them when they change.
 */
import { flywayChecksum } from "./checksum.js";
import { lintMigrations } from "./migrations.js";

/** One migration as a release recorded it. */
export interface ReleasedMigration {
  /** File name, e.g. V1_0_1__seed_products.sql. */
  script: string;
  /** Version as flyway_schema_history shows it (1.0.1); absent for repeatable migrations. */
  version?: string;
  /** Flyway's checksum of the file (checksum.ts). */
  checksum: number;
}

/** The migrations of one release, as embedded in its release record. */
export interface ReleasedMigrations {
  /** The release they belong to (its git SHA or tag). */
  release: string;
  migrations: ReleasedMigration[];
}

/** A migration file as the pipeline reads it: its content, or its Flyway checksum when already known. */
export type MigrationFile = { name: string; content: string | Uint8Array } | { name: string; checksum: number };

/** A Flyway SQL migration's name taken apart: V/U/B with a version, or R without. */
interface ParsedName {
  prefix: "V" | "U" | "B" | "R";
  /** Flyway's display form: separators "_" become "." (what flyway_schema_history stores). */
  version?: string;
  /** Flyway's description: the part after "__", with "_" as spaces. */
  description: string;
}

// Flyway's default naming: prefix, version (digits separated by "." or "_"), "__", description, ".sql".
const FLYWAY_NAME = /^(?:([VUB])(\d+(?:[._]\d+)*)|(R))__(.+)\.sql$/;

/** Parse a migration file name the way Flyway does; undefined for files Flyway does not read as migrations. */
function parseName(name: string): ParsedName | undefined {
  const m = FLYWAY_NAME.exec(name);
  if (!m) return undefined;
  const description = m[4].replace(/_/g, " ");
  if (m[3]) return { prefix: "R", description };
  return { prefix: m[1] as ParsedName["prefix"], version: m[2].replace(/_/g, "."), description };
}

/** Flyway's version identity: numeric parts, leading zeros and trailing zero parts ignored (1_1_0 == 1.1 == 01.1.0). */
function versionKey(version: string): string {
  const parts = version.split(/[._]/).map((p) => BigInt(p).toString());
  while (parts.length > 1 && parts.at(-1) === "0") parts.pop();
  return parts.join(".");
}

function checksumOf(file: MigrationFile): number {
  return "checksum" in file ? file.checksum : flywayChecksum(file.content, file.name);
}

/** The record of the current migration files for a release: every file Flyway reads, with its version and checksum. */
export function releaseRecord(release: string, files: MigrationFile[]): ReleasedMigrations {
  const migrations = files
    .map((file) => ({ file, parsed: parseName(file.name) }))
    .filter((x): x is { file: MigrationFile; parsed: ParsedName } => x.parsed !== undefined)
    .sort((a, b) => (a.file.name < b.file.name ? -1 : a.file.name > b.file.name ? 1 : 0))
    .map(({ file, parsed }) => ({ script: file.name, ...(parsed.version ? { version: parsed.version } : {}), checksum: checksumOf(file) }));
  return { release, migrations };
}

const EXPECTED = '{ "release": "<git SHA or tag>", "migrations": [{ "script": "V1_0_0__name.sql", "version": "1.0.0", "checksum": <32-bit integer> }, …] }';

/** Read a release's migrations record (JSON); malformed input is refused naming the source and the expected shape. */
export function parseReleasedMigrations(json: string, source = "released migrations record"): ReleasedMigrations {
  const fail = (why: string): never => {
    throw new Error(`${source}: ${why}; expected ${EXPECTED}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return fail(`not JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("not a JSON object");
  const record = value as Record<string, unknown>;
  if (typeof record.release !== "string" || record.release === "") fail('"release" must be a non-empty string');
  if (!Array.isArray(record.migrations)) return fail('"migrations" must be an array');
  const migrations = record.migrations.map((m: unknown, i: number): ReleasedMigration => {
    const at = `migrations[${i}]`;
    if (typeof m !== "object" || m === null) return fail(`${at} is not an object`);
    const { script, version, checksum } = m as Record<string, unknown>;
    if (typeof script !== "string" || !parseName(script)) return fail(`${at}.script must be a Flyway migration file name (got ${JSON.stringify(script)})`);
    if (version !== undefined && (typeof version !== "string" || !/^\d+(?:[._]\d+)*$/.test(version))) return fail(`${at}.version must be a version such as 1.0.1 (got ${JSON.stringify(version)})`);
    if (typeof checksum !== "number" || !Number.isInteger(checksum) || checksum < -(2 ** 31) || checksum >= 2 ** 31)
      return fail(`${at}.checksum must be a signed 32-bit integer (got ${JSON.stringify(checksum)})`);
    return { script, ...(version !== undefined ? { version } : {}), checksum };
  });
  return { release: record.release as string, migrations };
}

/**
 * Problems with migrations that were already released, one line each, naming the file, the
 * version, the release, the old → new checksum and what to do; empty when there are none.
 * @param files The current migration files (other files are ignored, as Flyway ignores them).
 * @param released The record of the release in production (object or its JSON).
 */
export function releasedMigrationProblems(files: MigrationFile[], released: ReleasedMigrations | string): string[] {
  const record = typeof released === "string" ? parseReleasedMigrations(released) : released;
  const current = files
    .map((file) => ({ name: file.name, parsed: parseName(file.name), file }))
    .filter((x) => x.parsed !== undefined && x.parsed.prefix !== "R")
    .map((x) => ({ name: x.name, parsed: x.parsed as ParsedName, checksum: checksumOf(x.file) }));
  // Where to put the change instead: above the highest version there is now.
  // Read under the lenient policy: the hint needs the highest version, whatever the naming policy says of it.
  const highest = lintMigrations(
    files.map((f) => f.name),
    "flyway",
  ).version;
  const newMigration = highest ? `a new migration versioned above ${highest}` : "a new migration";
  const problems: string[] = [];
  for (const old of record.migrations) {
    const was = parseName(old.script);
    if (!was || was.prefix === "R" || !was.version) continue;
    const version = was.version;
    // "FILE: migration 1.0.1, released in R …", with the released name when the file has another.
    const label = (name: string) => (name === old.script ? `migration ${version}, released in ${record.release},` : `migration ${version}, released in ${record.release} as ${old.script},`);
    const sameVersion = current.filter((c) => c.parsed.prefix === was.prefix && versionKey(c.parsed.version as string) === versionKey(version));
    const now = sameVersion.find((c) => c.name === old.script) ?? sameVersion[0];
    if (!now) {
      const releasedScripts = new Set(record.migrations.map((m) => m.script));
      const moved = current.find((c) => c.parsed.prefix === was.prefix && c.checksum === old.checksum && !releasedScripts.has(c.name));
      problems.push(
        moved
          ? `${moved.name}: ${label(moved.name)} was renamed to version ${moved.parsed.version} (checksum ${old.checksum} → ${moved.checksum}); Flyway would run it again as ${moved.parsed.version} on databases that ran ${version}, and no longer finds ${version} there (applied migration not resolved locally). Rename it back to ${old.script}.`
          : `${old.script}: ${label(old.script)} was removed (checksum ${old.checksum} → no file); Flyway no longer finds it for databases that ran it (applied migration not resolved locally). Restore the file; to undo what it did, add ${newMigration}.`,
      );
      continue;
    }
    const edited = now.checksum !== old.checksum;
    // Flyway compares descriptions, not file names: V1_0_1__x.sql → V1.0.1__x.sql is the same migration.
    const renamed = now.parsed.description !== was.description;
    if (edited && renamed)
      problems.push(
        `${now.name}: ${label(now.name)} was renamed and edited since (checksum ${old.checksum} → ${now.checksum}); Flyway refuses to migrate databases that ran it. Restore it as ${old.script} with its released content and put the change in ${newMigration}.`,
      );
    else if (edited)
      problems.push(
        `${now.name}: ${label(now.name)} was edited since (checksum ${old.checksum} → ${now.checksum}); Flyway refuses to migrate databases that ran it (checksum mismatch). Revert the file and put the change in ${newMigration}.`,
      );
    else if (renamed)
      problems.push(
        `${now.name}: ${label(now.name)} was renamed (description "${was.description}" → "${now.parsed.description}", checksum ${old.checksum} → ${now.checksum} unchanged); Flyway refuses to migrate databases that ran it (description mismatch). Rename it back to ${old.script}.`,
      );
  }
  return problems;
}
