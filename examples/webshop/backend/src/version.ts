/** Semantic version (MAJOR.MINOR.PATCH with optional pre-release and build metadata). */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function isSemver(value: string): boolean {
  return SEMVER.test(value);
}

/**
 * The backend's own version: APP_VERSION when set (must be a semver), otherwise the
 * "version" of package.json (read lazily, so a container that sets APP_VERSION does not
 * need package.json at all).
 */
export function resolveAppVersion(
  appVersionEnv: string | undefined,
  readPackageVersion: () => string,
): string {
  const fromEnv = appVersionEnv?.trim();
  if (fromEnv) {
    if (!isSemver(fromEnv)) {
      throw new Error(`APP_VERSION must be a semantic version like 1.2.0, got "${fromEnv}"`);
    }
    return fromEnv;
  }
  const fromPackage = readPackageVersion();
  if (!isSemver(fromPackage)) {
    throw new Error(`package.json "version" must be a semantic version, got "${fromPackage}"`);
  }
  return fromPackage;
}

/**
 * Flyway records a migration's version as a dotted string: `V1_1_0__x.sql` is stored as
 * "1.1.0". The schema follows MAJOR.MINOR.PATCH, so shorter forms ("1.1", "2") are padded
 * with zeros and anything else is rejected.
 */
export function flywayVersionToSemver(raw: string): string {
  const parts = raw.trim().split(/[._]/);
  if (parts.length > 3 || parts.some((part) => !/^\d+$/.test(part))) {
    throw new Error(`Flyway version "${raw}" is not of the form MAJOR.MINOR.PATCH`);
  }
  while (parts.length < 3) parts.push("0");
  return parts.map((part) => String(Number.parseInt(part, 10))).join(".");
}

/** Numeric comparison of MAJOR.MINOR.PATCH strings. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}

/** One row of Flyway's flyway_schema_history table (the columns we need). */
export interface SchemaHistoryRow {
  version: string | null;
  type: string;
  success: boolean;
}

const NOT_A_SCHEMA_STATE = new Set(["DELETE", "UNDO_SQL", "UNDO_JDBC", "UNDO_SCRIPT"]);

/**
 * The schema version of a database: the highest successfully applied versioned migration
 * (or baseline) in flyway_schema_history, as MAJOR.MINOR.PATCH. Null when none applied.
 * Rows are compared numerically, not by installed_rank, so out-of-order migrations count.
 */
export function highestSchemaVersion(rows: readonly SchemaHistoryRow[]): string | null {
  let highest: string | null = null;
  for (const row of rows) {
    if (!row.success || row.version === null || NOT_A_SCHEMA_STATE.has(row.type)) continue;
    const version = flywayVersionToSemver(row.version);
    if (highest === null || compareVersions(version, highest) > 0) highest = version;
  }
  return highest;
}
