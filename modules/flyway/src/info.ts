/**
 * What Flyway prints with -outputType=json, read into types: `info`, `migrate` and `validate`
 * results and the error object of a failed run, turned into one paragraph for people. Shapes as
 * Flyway 11.20.3 prints them (test/fixtures/flyway, recorded against PostgreSQL) and as its
 * documentation shows them. Two traps the verdict handles: `validate -outputType=json` exits 0
 * when validation fails (only `validationSuccessful` says so), and `info` reports a failed
 * migration's version as the schema version.
 */

/** Flyway commands whose JSON output is read here. */
export type FlywayJsonCommand = "info" | "migrate" | "validate";

/** What a migration's state means, grouped: each state belongs to exactly one group. */
export type MigrationStateGroup = "applied" | "pending" | "failed" | "future" | "outdated" | "missing" | "ignored" | "other";

// Flyway's MigrationState display names (flyway-core org.flywaydb.core.api.MigrationState).
const STATES: Record<string, MigrationStateGroup> = {
  Success: "applied",
  Baseline: "applied",
  "Out of Order": "applied",
  Superseded: "applied",
  Pending: "pending",
  Failed: "failed",
  "Failed (Missing)": "failed",
  "Failed (Future)": "failed",
  Future: "future",
  Outdated: "outdated",
  Missing: "missing",
  Ignored: "ignored",
  "Ignored (Baseline)": "ignored",
  "Below Baseline": "ignored",
  "Above Target": "ignored",
  Undone: "other",
  Available: "other",
  Deleted: "other",
};

/** One migration as Flyway reports it. */
export interface FlywayMigration {
  /** Versioned, Repeatable, Baseline, … */
  category: string;
  /** Version as Flyway shows it (1.0.1); null for repeatable migrations. */
  version: string | null;
  description: string;
  /** File name (V1_0_1__seed_products.sql); null when Flyway has no file for it (missing, future). */
  script: string | null;
  /** Flyway's state (Success, Pending, Failed, …); migrate results have none. */
  state?: string;
  /** The group the state belongs to. */
  group?: MigrationStateGroup;
  /** Flyway's checksum, when the output carries one (Flyway 11's info JSON does not). */
  checksum?: number;
  /** When it was applied (UTC, ISO 8601); absent when not applied. */
  installedOn?: string;
}

/** `flyway info -outputType=json`. */
export interface FlywayInfo {
  /** The schema's version: the highest applied versioned migration, failed ones included; null on an empty schema. */
  schemaVersion: string | null;
  database?: string;
  flywayVersion?: string;
  migrations: FlywayMigration[];
  applied: FlywayMigration[];
  pending: FlywayMigration[];
  failed: FlywayMigration[];
  future: FlywayMigration[];
  outdated: FlywayMigration[];
  missing: FlywayMigration[];
}

/** `flyway migrate -outputType=json`: what was applied, and the error when a migration failed. */
export interface FlywayMigrateResult {
  initialSchemaVersion: string | null;
  targetSchemaVersion: string | null;
  migrationsExecuted: number;
  /** The migrations applied by this run. */
  migrations: FlywayMigration[];
  success: boolean;
  error?: FlywayError;
}

/** One migration `flyway validate` found wrong. */
export interface FlywayInvalidMigration {
  version: string | null;
  description: string;
  script: string | null;
  errorCode: string;
  message: string;
}

/** `flyway validate -outputType=json`. */
export interface FlywayValidateResult {
  validationSuccessful: boolean;
  validateCount: number;
  invalidMigrations: FlywayInvalidMigration[];
  /** One paragraph for people when validation failed. */
  summary?: string;
}

/** A failed Flyway run, from the `error` object Flyway prints with -outputType=json. */
export interface FlywayError {
  /** Flyway's error code: FAILED_VERSIONED_MIGRATION, VALIDATE_ERROR, DUPLICATE_VERSIONED_MIGRATION, … */
  errorCode: string;
  /** Flyway's own message, unchanged. */
  flywayMessage: string;
  /** The migration file involved, when Flyway names one. */
  script?: string;
  /** Line of the failing statement in that file. */
  line?: number;
  /** The database's SQLSTATE (42601 = syntax error). */
  sqlState?: string;
  /** The database's own message (the innermost cause). */
  cause?: string;
  /** One paragraph for people: which migration, what went wrong, what to do. */
  summary: string;
}

/** The verdict of one Flyway run: what the pipeline reports and gates on. */
export interface FlywayOutcome {
  succeeded: boolean;
  /** The schema version after the run; "" when there is none or Flyway did not say. */
  schemaVersion: string;
  /** One paragraph for people. */
  message: string;
}

type Json = Record<string, unknown>;

const SHAPES: Record<FlywayJsonCommand | "error", string> = {
  info: '{ "schemaVersion": "1.1.0" | null, "migrations": [{ "category", "version", "description", "state", "filepath", "installedOnUTC" }, …] }',
  migrate: '{ "initialSchemaVersion", "targetSchemaVersion", "migrationsExecuted", "migrations": [{ "category", "version", "description", "filepath" }, …] }',
  validate: '{ "validationSuccessful": true | false, "validateCount", "invalidMigrations": [{ "version", "description", "filepath", "errorDetails": { "errorCode", "errorMessage" } }, …] }',
  error: '{ "error": { "errorCode": "…", "message": "…" } }',
};

function malformed(source: string, why: string, shape: keyof typeof SHAPES): Error {
  return new Error(`${source}: ${why}; expected the JSON Flyway prints with -outputType=json: ${SHAPES[shape]}`);
}

/** The output as a JSON object; anything else is refused naming the source and the expected shape. */
function readObject(output: string | Json, source: string, shape: keyof typeof SHAPES): Json {
  let value: unknown = output;
  if (typeof output === "string") {
    if (output.trim() === "") throw malformed(source, "empty output", shape);
    try {
      value = JSON.parse(output);
    } catch (error) {
      const start = output.trim().slice(0, 80).replace(/\s+/g, " ");
      throw malformed(source, `not JSON (${(error as Error).message}; it starts with ${JSON.stringify(start)})`, shape);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed(source, "not a JSON object", shape);
  return value as Json;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
// Flyway writes "" for "none" (a repeatable's version, a missing file's path, a pending migration's install time).
const nonEmpty = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The file name of a path Flyway printed (POSIX or Windows). */
function fileName(path: string | undefined): string | null {
  if (!path) return null;
  return path.split(/[\\/]/).pop() || null;
}

function readMigration(m: unknown, at: string, source: string, shape: FlywayJsonCommand): FlywayMigration {
  if (typeof m !== "object" || m === null) throw malformed(source, `${at} is not an object`, shape);
  const row = m as Json;
  if (typeof row.description !== "string") throw malformed(source, `${at}.description is missing`, shape);
  const migration: FlywayMigration = {
    category: str(row.category) ?? "",
    version: nonEmpty(row.version) ?? null,
    description: row.description,
    script: fileName(nonEmpty(row.filepath)),
  };
  if (row.state !== undefined) {
    const state = str(row.state) ?? "";
    const group = STATES[state];
    if (!group) throw malformed(source, `${at}.state ${JSON.stringify(row.state)} is not a Flyway migration state (${Object.keys(STATES).join(", ")})`, shape);
    migration.state = state;
    migration.group = group;
  }
  if (typeof row.checksum === "number") migration.checksum = row.checksum;
  const installedOn = nonEmpty(row.installedOnUTC) ?? nonEmpty(row.installedOn);
  if (installedOn) migration.installedOn = installedOn;
  return migration;
}

function readMigrations(json: Json, key: string, source: string, shape: FlywayJsonCommand): FlywayMigration[] {
  const list = json[key];
  if (!Array.isArray(list)) throw malformed(source, `"${key}" is missing or not an array`, shape);
  return list.map((m, i) => readMigration(m, `${key}[${i}]`, source, shape));
}

/** Refuse an error object where a result was expected, saying what Flyway reported. */
function refuseError(json: Json, source: string): void {
  if (json.error && typeof json.error === "object" && !("migrations" in json)) {
    throw new Error(`${source}: Flyway reported an error instead of a result: ${parseFlywayError(json, source).summary}`);
  }
}

/** Parse `flyway info -outputType=json`. */
export function parseInfo(output: string | Json, source = "flyway info output"): FlywayInfo {
  const json = readObject(output, source, "info");
  refuseError(json, source);
  if (!("schemaVersion" in json)) throw malformed(source, '"schemaVersion" is missing', "info");
  const migrations = readMigrations(json, "migrations", source, "info");
  const by = (group: MigrationStateGroup) => migrations.filter((m) => m.group === group);
  return {
    schemaVersion: nonEmpty(json.schemaVersion) ?? null,
    ...(str(json.database) ? { database: str(json.database) } : {}),
    ...(str(json.flywayVersion) ? { flywayVersion: str(json.flywayVersion) } : {}),
    migrations,
    applied: by("applied"),
    pending: by("pending"),
    failed: by("failed"),
    future: by("future"),
    outdated: by("outdated"),
    missing: by("missing"),
  };
}

/** Parse `flyway migrate -outputType=json`, successful or not. */
export function parseMigrate(output: string | Json, source = "flyway migrate output"): FlywayMigrateResult {
  const json = readObject(output, source, "migrate");
  refuseError(json, source);
  if (!("targetSchemaVersion" in json) && !("migrationsExecuted" in json)) throw malformed(source, '"targetSchemaVersion" and "migrationsExecuted" are missing', "migrate");
  const error = json.error && typeof json.error === "object" ? parseFlywayError(json, source) : undefined;
  return {
    initialSchemaVersion: nonEmpty(json.initialSchemaVersion) ?? null,
    targetSchemaVersion: nonEmpty(json.targetSchemaVersion) ?? null,
    migrationsExecuted: typeof json.migrationsExecuted === "number" ? json.migrationsExecuted : 0,
    migrations: readMigrations(json, "migrations", source, "migrate"),
    // Flyway's documentation sample has no "success"; a run with an error never succeeded.
    success: json.success !== false && !error,
    ...(error ? { error } : {}),
  };
}

/** Parse `flyway validate -outputType=json`, successful or not. */
export function parseValidate(output: string | Json, source = "flyway validate output"): FlywayValidateResult {
  const json = readObject(output, source, "validate");
  refuseError(json, source);
  if (typeof json.validationSuccessful !== "boolean") throw malformed(source, '"validationSuccessful" is missing', "validate");
  const list = json.invalidMigrations ?? [];
  if (!Array.isArray(list)) throw malformed(source, '"invalidMigrations" is not an array', "validate");
  const invalidMigrations = list.map((m, i): FlywayInvalidMigration => {
    if (typeof m !== "object" || m === null) throw malformed(source, `invalidMigrations[${i}] is not an object`, "validate");
    const row = m as Json;
    const details = (row.errorDetails ?? {}) as Json;
    return {
      version: nonEmpty(row.version) ?? null,
      description: str(row.description) ?? "",
      script: fileName(nonEmpty(row.filepath)),
      errorCode: str(details.errorCode) ?? "",
      message: str(details.errorMessage) ?? "",
    };
  });
  const result: FlywayValidateResult = { validationSuccessful: json.validationSuccessful, validateCount: typeof json.validateCount === "number" ? json.validateCount : 0, invalidMigrations };
  if (!json.validationSuccessful) {
    const each = invalidMigrations.map((m) => `${m.script ?? (m.version ? `migration ${m.version}` : m.description)}: ${paragraph(m.message)}`);
    const details = (json.errorDetails ?? {}) as Json;
    result.summary = `Flyway validate failed${each.length ? "" : `: ${paragraph(str(details.errorMessage) ?? "no reason given")}`}${each.length ? ` for ${each.length} migration(s). ${each.join(" ")}` : "."}`;
  }
  return result;
}

// Lines of Flyway messages that are advertising or layout, not information.
const NOISE = [/^-{3,}$/, /^Statement\s*:\s*Run Flyway with -X/, /^Need more flexibility with validation rules\?/, /^Offenders:$/];

/** A Flyway message as one paragraph: paths cut to file names, noise lines dropped, lines joined. */
function paragraph(message: string, files: string[] = []): string {
  const lines = message
    .split(/\r?\n/)
    // "-> Resolved locally    : 355017297" → "Resolved locally: 355017297"
    .map((l) =>
      l
        .trim()
        .replace(/^->\s*/, "")
        .replace(/\s+/g, " ")
        .replace(/ : /g, ": "),
    )
    .filter((l) => l !== "" && !NOISE.some((n) => n.test(l)))
    // "Location : /flyway/sql/V1__x.sql (/flyway/sql/V1__x.sql)" names the file twice.
    .map((l) => l.replace(/(\S+\.sql) \(\1\)/g, "$1").replace(/(?:[A-Za-z]:)?[\\/][^\s()]*[\\/]([^\\/\s()]+\.sql)/g, "$1"))
    .map((l) => withFileNames(l, files));
  return lines.map((l) => (/[.:;!?]$/.test(l) ? l : `${l}.`)).join(" ");
}

/** "migration version 1.0.1" → "migration version 1.0.1 (V1_0_1__x.sql)", when the file is known. */
function withFileNames(line: string, files: string[]): string {
  if (files.length === 0) return line;
  return line.replace(/\bversion (\d+(?:\.\d+)*)/g, (all, version: string) => {
    const file = files.find((f) => new RegExp(`^[VUB]${version.split(".").join("[._]")}__`).test(f));
    return file ? `version ${version} (${file})` : all;
  });
}

/** The innermost cause's message: the database's own words. */
function innermostCause(error: Json): string | undefined {
  let cause = error.cause as Json | null | undefined;
  let message: string | undefined;
  while (cause && typeof cause === "object") {
    message = str(cause.message) ?? message;
    cause = cause.cause as Json | null | undefined;
  }
  return message;
}

/**
 * Parse the error Flyway prints with -outputType=json when a command fails — `{ "error": { … } }`
 * alone, or inside a failed migrate result — into a typed error with a paragraph for people.
 * @param files The migration file names, to name the file where Flyway only gives a version.
 */
export function parseFlywayError(output: string | Json, source = "flyway error output", files: string[] = []): FlywayError {
  const json = readObject(output, source, "error");
  const error = json.error;
  if (typeof error !== "object" || error === null) throw malformed(source, 'no "error" object', "error");
  const e = error as Json;
  const errorCode = str(e.errorCode);
  const flywayMessage = str(e.message);
  if (!errorCode || flywayMessage === undefined) throw malformed(source, '"error" has no "errorCode" or "message"', "error");
  const script = fileName(nonEmpty(e.path)) ?? /Failed to execute script (\S+)/.exec(flywayMessage)?.[1];
  const lineText = /^Line\s*:\s*(\d+)/m.exec(flywayMessage)?.[1];
  const line = typeof e.lineNumber === "number" && e.lineNumber > 0 ? e.lineNumber : lineText ? Number(lineText) : undefined;
  const sqlState = nonEmpty(e.sqlState) ?? /^SQL State\s*:\s*(\S+)/m.exec(flywayMessage)?.[1];
  const cause = innermostCause(e) ?? /^Message\s*:\s*(.+)$/m.exec(flywayMessage)?.[1];
  const parsed: FlywayError = { errorCode, flywayMessage, summary: "" };
  if (script) parsed.script = script;
  if (line !== undefined) parsed.line = line;
  if (sqlState) parsed.sqlState = sqlState;
  if (cause) parsed.cause = paragraph(cause);
  parsed.summary = summarise(parsed, files);
  return parsed;
}

/** One paragraph: which migration, what the database said, and what to do. */
function summarise(e: FlywayError, files: string[]): string {
  if (/^FAILED_(VERSIONED|REPEATABLE)_MIGRATION$/.test(e.errorCode) && e.script) {
    const where = `${e.script}${e.line ? ` (line ${e.line})` : ""}`;
    const why = e.cause ?? paragraph(e.flywayMessage);
    return `Migration ${where} failed: ${why.replace(/\.$/, "")}${e.sqlState ? ` (SQL state ${e.sqlState})` : ""}. Fix the migration, then run migrate again; migrations before it stay applied.`;
  }
  if (e.errorCode === "VALIDATE_ERROR")
    return `Flyway refused to run because the migrations no longer match the database's history: ${paragraph(e.flywayMessage.replace(/^Validate failed: Migrations have failed validation\s*/, ""), files)}`;
  if (e.errorCode === "DUPLICATE_VERSIONED_MIGRATION") {
    // "Found more than one migration with version 1.1.0\nOffenders:\n-> /flyway/sql/V1_1_0__x.sql (SQL)\n…"
    const offenders = [...e.flywayMessage.matchAll(/^->\s*(.+?)(?: \(\w+\))?$/gm)].map((m) => fileName(m[1]));
    const first = e.flywayMessage.split(/\r?\n/)[0].trim();
    return `${first}${offenders.length ? `: ${offenders.join(", ")}` : ""}. Give all but one a new version: Flyway reads 1_1_0 and 1.1.0 as the same version.`;
  }
  return `Flyway failed (${e.errorCode}): ${paragraph(e.flywayMessage, files)}`;
}

/** The highest version among migrations, compared as Flyway compares versions (numeric parts). */
function highestVersion(migrations: FlywayMigration[]): string | undefined {
  const parts = (v: string) => v.split(/[._]/).map((p) => BigInt(p));
  const compare = (a: string, b: string) => {
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (x[i] ?? 0n) - (y[i] ?? 0n);
      if (d !== 0n) return d < 0n ? -1 : 1;
    }
    return 0;
  };
  return migrations
    .map((m) => m.version)
    .filter((v): v is string => v !== null)
    .sort(compare)
    .at(-1);
}

/** Migrations as a short list for messages: file names where Flyway gave them, else versions. */
const listed = (ms: FlywayMigration[]) => ms.map((m) => m.script ?? m.version ?? m.description).join(", ");

/**
 * The verdict of one Flyway run from its exit code and stdout. JSON decides over the exit code
 * where they disagree: `validate -outputType=json` exits 0 when validation fails. `info` fails
 * when a migration is in a failed state (its version is then the schema version Flyway reports).
 * @param files The migration file names, to name files in messages where Flyway only gives versions.
 */
export function flywayOutcome(command: FlywayJsonCommand, exitCode: number, stdout: string, files: string[] = []): FlywayOutcome {
  const source = `flyway ${command} output`;
  let json: Json;
  try {
    json = readObject(stdout, source, command);
  } catch (error) {
    return { succeeded: false, schemaVersion: "", message: `flyway ${command} exited ${exitCode} without a result: ${(error as Error).message}` };
  }
  // Another command's JSON (or something else) is a failed verdict saying so, never an exception.
  const other = otherCommand(json, command);
  if (other)
    return {
      succeeded: false,
      schemaVersion: "",
      message: `flyway ${command} output is the JSON of ${other}, not of flyway ${command}; check which command printed it.${exitCode === 0 ? "" : ` Flyway exited ${exitCode}.`}`,
    };
  try {
    return verdictOf(command, exitCode, json, source, files);
  } catch (error) {
    return { succeeded: false, schemaVersion: "", message: `flyway ${command} exited ${exitCode} with JSON that is not a ${command} result: ${(error as Error).message}` };
  }
}

/** Which other command's JSON this is (Flyway 11 writes "operation"; older ones only their fields), or undefined when it may be this command's. */
function otherCommand(json: Json, command: FlywayJsonCommand): string | undefined {
  const fields: Record<FlywayJsonCommand, string> = { info: "schemaVersion", migrate: "targetSchemaVersion", validate: "validationSuccessful" };
  const operation = str(json.operation);
  if (operation !== undefined && operation !== "" && operation !== command) return `flyway ${operation} ("operation": ${JSON.stringify(operation)})`;
  if (operation === command || fields[command] in json) return undefined;
  const other = (Object.keys(fields) as FlywayJsonCommand[]).find((c) => fields[c] in json);
  return other ? `flyway ${other} (it has "${fields[other]}")` : undefined;
}

/** The verdict of JSON that is this command's (or an error object); throws on JSON of the wrong shape. */
function verdictOf(command: FlywayJsonCommand, exitCode: number, json: Json, source: string, files: string[]): FlywayOutcome {
  // A failed migrate prints its result with the error inside; every other failure prints the error alone.
  if (json.error && typeof json.error === "object" && (command !== "migrate" || !("migrations" in json))) {
    return { succeeded: false, schemaVersion: "", message: parseFlywayError(json, source, files).summary };
  }
  const exited = exitCode === 0 ? "" : ` Flyway exited ${exitCode}.`;
  if (command === "info") {
    const info = parseInfo(json, source);
    const schemaVersion = info.schemaVersion ?? "";
    if (info.failed.length > 0)
      return {
        succeeded: false,
        schemaVersion,
        message: `The database has failed migration(s): ${listed(info.failed)}. Remove what they left half done, run flyway repair, then migrate again.${exited}`,
      };
    const counts = `${info.applied.length} applied, ${info.pending.length} pending${info.outdated.length ? `, ${info.outdated.length} outdated repeatable` : ""}${info.missing.length ? `, ${info.missing.length} missing locally (${listed(info.missing)})` : ""}${info.future.length ? `, ${info.future.length} newer than the files (${listed(info.future)})` : ""}`;
    return { succeeded: exitCode === 0, schemaVersion, message: `Schema version ${schemaVersion || "(none: empty schema)"}; ${counts}.${exited}` };
  }
  if (command === "migrate") {
    const result = parseMigrate(json, source);
    // A failed migrate reports no target version, though the migrations before the failed one were applied.
    const schemaVersion = result.targetSchemaVersion ?? highestVersion(result.migrations) ?? result.initialSchemaVersion ?? "";
    if (!result.success) return { succeeded: false, schemaVersion, message: result.error?.summary ?? `flyway migrate did not succeed.${exited}` };
    const applied = result.migrations.length ? `applied ${listed(result.migrations)}` : "nothing to apply";
    return { succeeded: exitCode === 0, schemaVersion, message: `Migrated: ${applied}; schema version ${schemaVersion || "(none)"}.${exited}` };
  }
  const result = parseValidate(json, source);
  if (!result.validationSuccessful) return { succeeded: false, schemaVersion: "", message: result.summary ?? "Flyway validate failed." };
  return { succeeded: exitCode === 0, schemaVersion: "", message: `Validated ${result.validateCount} migration(s): they match the database's history.${exited}` };
}
