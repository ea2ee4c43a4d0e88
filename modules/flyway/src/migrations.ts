/**
 * Flyway's file naming rules, checked before any database is touched, plus ours: versions are
 * MAJOR.MINOR.PATCH so the database has a semver like every other component.
 */

/** One migration file as Flyway reads it. */
export interface Migration {
  file: string;
  kind: "versioned" | "undo" | "repeatable" | "baseline";
  /** Normalised version (1.2.0) for versioned, undo and baseline migrations. */
  version?: string;
  description: string;
}

/** The result of checking a migrations folder: the migrations, the problems and the schema semver. */
export interface MigrationLint {
  migrations: Migration[];
  problems: string[];
  /** Highest versioned migration as MAJOR.MINOR.PATCH, or undefined when there is none. */
  version?: string;
}

// Flyway's default prefixes (V, U, R, B), separator "__" and suffix ".sql"; version parts are
// separated by "." or "_".
const NAME = /^([VUB])([0-9]+(?:[._][0-9]+)*)__(.+)\.sql$|^(R)__(.+)\.sql$/;

/** Check migration file names (the folder's files, names only); reports every problem. */
export function lintMigrations(files: string[]): MigrationLint {
  const problems: string[] = [];
  const migrations: Migration[] = [];
  for (const file of [...files].sort()) {
    if (!file.endsWith(".sql")) {
      problems.push(`${file}: not a .sql file; Flyway ignores it — move it out of the migrations folder`);
      continue;
    }
    const m = NAME.exec(file);
    if (!m) {
      problems.push(`${file}: does not follow Flyway's naming: V<version>__<description>.sql, U<version>__…, R__<description>.sql (e.g. V1_2_0__add_orders.sql)`);
      continue;
    }
    if (m[4]) {
      migrations.push({ file, kind: "repeatable", description: m[5] });
      continue;
    }
    const parts = m[2].split(/[._]/);
    if (parts.length !== 3) {
      problems.push(`${file}: version ${m[2]} has ${parts.length} part(s); versions are MAJOR.MINOR.PATCH, e.g. V1_2_0__…`);
      continue;
    }
    const version = parts.map((p) => String(Number(p))).join(".");
    migrations.push({ file, kind: m[1] === "V" ? "versioned" : m[1] === "U" ? "undo" : "baseline", version, description: m[3] });
  }
  for (const kind of ["versioned", "undo", "baseline"] as const) {
    const byVersion = new Map<string, string[]>();
    for (const mig of migrations.filter((x) => x.kind === kind)) byVersion.set(mig.version as string, [...(byVersion.get(mig.version as string) ?? []), mig.file]);
    for (const [version, same] of byVersion) if (same.length > 1) problems.push(`${same.join(", ")}: ${same.length} ${kind} migrations share version ${version}`);
  }
  const versions = migrations.filter((x) => x.kind === "versioned").map((x) => x.version as string);
  return { migrations, problems, version: versions.sort(compareVersions).at(-1) };
}

/** Order MAJOR.MINOR.PATCH versions numerically. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
