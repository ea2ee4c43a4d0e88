/**
 * Flyway's file naming rules, checked before any database is touched, plus a naming policy:
 * - "semver" (the default, as our users asked): versions are MAJOR.MINOR.PATCH (V1_2_0__…,
 *   U1_2_0__…, B1_2_0__…), so the database has a semver like every other component;
 * - "flyway": every name Flyway itself reads (V17.1__…, V002__…, U002__…, B001__…); the
 *   schema's semver is the highest version written as MAJOR.MINOR.PATCH (17.1 is 17.1.0).
 * Under both, undo (U) and baseline (B) scripts pass, and repeatable ones (R__…) have no version.
 */

/** One migration file as Flyway reads it. */
export interface Migration {
  file: string;
  kind: "versioned" | "undo" | "repeatable" | "baseline";
  /** Normalised version (1.2.0; 17.1 under the flyway policy) for versioned, undo and baseline migrations. */
  version?: string;
  description: string;
}

/** The result of checking a migrations folder: the migrations, the problems and the schema semver. */
export interface MigrationLint {
  migrations: Migration[];
  problems: string[];
  /** Highest versioned or baseline migration as MAJOR.MINOR.PATCH, or undefined when there is none (or it has no semver: see unversionable). */
  version?: string;
  /** Why the highest version cannot be the schema's semver (more than three parts), when that is so. */
  unversionable?: string;
}

/** How migration versions must be written (pipeline.yaml components.<db>.migrationNaming). */
export const MIGRATION_NAMINGS = ["semver", "flyway"] as const;
/** A naming policy. */
export type MigrationNaming = (typeof MIGRATION_NAMINGS)[number];

/** The policy named by a text; anything else is an error naming the value and the valid ones. */
export function migrationNaming(value: string): MigrationNaming {
  if ((MIGRATION_NAMINGS as readonly string[]).includes(value)) return value as MigrationNaming;
  throw new Error(
    `naming: ${JSON.stringify(value)} is not a migration naming policy; valid: semver (versions MAJOR.MINOR.PATCH, e.g. V1_2_0__x.sql), flyway (every name Flyway reads, e.g. V2.1__x.sql)`,
  );
}

// Flyway's default prefixes (V versioned, U undo, B baseline, R repeatable), separator "__" and
// suffix ".sql"; version parts are digits separated by "." or "_" (Flyway reads "_" as "."), and
// the version ends at the first "__". Flyway allows an empty description.
const NAME = /^([VUB])([0-9]+(?:[._][0-9]+)*)__(.*)\.sql$|^(R)__(.*)\.sql$/;

const KIND = { V: "versioned", U: "undo", B: "baseline" } as const;

/** Check migration file names (the folder's files, names only) under a naming policy; reports every problem. */
export function lintMigrations(files: string[], naming: MigrationNaming = "semver"): MigrationLint {
  const problems: string[] = [];
  const migrations: Migration[] = [];
  for (const file of [...files].sort()) {
    if (!file.endsWith(".sql")) {
      problems.push(`${file}: not a .sql file; Flyway ignores it — move it out of the migrations folder`);
      continue;
    }
    const m = NAME.exec(file);
    if (!m || (naming === "semver" && (m[3] ?? m[5]) === "")) {
      problems.push(`${file}: does not follow Flyway's naming: V<version>__<description>.sql, U<version>__… (undo), B<version>__… (baseline), R__<description>.sql (e.g. ${EXAMPLE[naming]})`);
      continue;
    }
    if (m[4]) {
      migrations.push({ file, kind: "repeatable", description: m[5] });
      continue;
    }
    const parts = m[2].split(/[._]/);
    if (naming === "semver" && parts.length !== 3) {
      problems.push(
        `${file}: version ${m[2]} has ${parts.length} part(s); versions are MAJOR.MINOR.PATCH, e.g. ${m[1]}1_2_0__… (or set migrationNaming: flyway in pipeline.yaml to accept every version Flyway reads)`,
      );
      continue;
    }
    // BigInt: Flyway's version parts are BigIntegers, and 002 is 2.
    const version = parts.map((p) => BigInt(p).toString()).join(".");
    migrations.push({ file, kind: KIND[m[1] as keyof typeof KIND], version, description: m[3] });
  }
  for (const kind of ["versioned", "undo", "baseline"] as const) {
    // Flyway compares versions with missing parts as 0: 1.1 and 1.1.0 are the same version.
    const byVersion = new Map<string, string[]>();
    for (const mig of migrations.filter((x) => x.kind === kind)) {
      const key = significant(mig.version as string);
      byVersion.set(key, [...(byVersion.get(key) ?? []), mig.file]);
    }
    for (const same of byVersion.values()) if (same.length > 1) problems.push(`${same.join(", ")}: ${same.length} ${kind} migrations share version ${versionOf(migrations, same[0])}`);
  }
  // A fresh database that runs a baseline script is at the baseline's version.
  const highest = migrations
    .filter((x) => x.kind === "versioned" || x.kind === "baseline")
    .map((x) => x.version as string)
    .sort(compareVersions)
    .at(-1);
  if (highest === undefined) return { migrations, problems };
  const semver = toSemver(highest);
  return semver
    ? { migrations, problems, version: semver }
    : { migrations, problems, unversionable: `the highest migration version ${highest} has more than three parts, so it is no MAJOR.MINOR.PATCH the pipeline can give the database` };
}

const EXAMPLE: Record<MigrationNaming, string> = { semver: "V1_2_0__add_orders.sql", flyway: "V2.1__add_orders.sql" };

/** The version of the migration in that file. */
const versionOf = (migrations: Migration[], file: string): string => migrations.find((m) => m.file === file)?.version as string;

/** A version without trailing zero parts (1.1.0 → 1.1), as Flyway compares versions; at least one part. */
function significant(version: string): string {
  const parts = version.split(".");
  while (parts.length > 1 && parts[parts.length - 1] === "0") parts.pop();
  return parts.join(".");
}

/** A Flyway version (1, 17.1, 1.2.0, 002) as MAJOR.MINOR.PATCH, or undefined when it has more than three significant parts or is not one. */
export function toSemver(version: string): string | undefined {
  if (!/^[0-9]+(?:[._][0-9]+)*$/.test(version)) return undefined;
  const parts = significant(
    version
      .split(/[._]/)
      .map((p) => BigInt(p).toString())
      .join("."),
  ).split(".");
  if (parts.length > 3) return undefined;
  return [...parts, "0", "0"].slice(0, 3).join(".");
}

/** Order versions numerically, part by part, missing parts as 0 (as Flyway does). */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a.split(".").map(BigInt), b.split(".").map(BigInt)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0n) - (y[i] ?? 0n);
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  return 0;
}
