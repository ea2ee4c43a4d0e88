/** How the module runs Flyway against a database: the command line and the environment, engine-free. */

/** Flyway commands the module runs against a database. */
export type FlywayCommand = "migrate" | "validate" | "info";

/** Where migrations are in Flyway's image and in every migration image the module builds. */
export const SQL_DIR = "/flyway/sql";

/** Arguments after Flyway's entrypoint: JSON output to parse, and validate's tolerance for pending migrations. */
export function flywayArguments(command: FlywayCommand, options: { ignorePending?: boolean } = {}): string[] {
  return [
    "-outputType=json",
    // A fresh database has every migration pending; validating it before migrate must not fail on that.
    ...(command === "validate" && options.ignorePending ? ["-ignoreMigrationPatterns=*:pending"] : []),
    command,
  ];
}

/** Environment every Flyway run gets: the migrations folder, and no telemetry from CI machines or servers. */
export const FLYWAY_ENVIRONMENT: Record<string, string> = {
  FLYWAY_LOCATIONS: `filesystem:${SQL_DIR}`,
  REDGATE_DISABLE_TELEMETRY: "true",
};
