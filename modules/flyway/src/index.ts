/**
 * Flyway: database migrations as a component. Checks migration names, versions and released
 * checksums before any database is touched, reports the schema's semver, builds the migration
 * image, and runs migrate, validate and info against a database given by URL secret (and, for
 * ephemeral databases, as a service). Usable on its own:
 * `dagger -m modules/flyway call info --url env://DATABASE_URL verify`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { argument, type Container, dag, type Directory, func, object, ReturnType, type Secret, type Service } from "@dagger.io/dagger";
import { flywayVariables, parseDatabaseUrl } from "./connection.js";
import { credentialFree } from "./vendor/credentials.js";
import { flywayDockerfile } from "./dockerfile.js";
import { FLYWAY_ENVIRONMENT, type FlywayCommand, flywayArguments, SQL_DIR } from "./job.js";
import { lintMigrations, migrationNaming, toSemver } from "./migrations.js";
import { FlywayResult, flywayResult } from "./result.js";
import { releasedMigrationProblems, releaseRecord } from "./released.js";

/** Checks, versions and packages Flyway migrations. */
@object()
export class Flyway {
  /** Flyway image (through the organisation's image mirror where there is one). */
  image: string;
  /** How migration versions must be written: semver (MAJOR.MINOR.PATCH) or flyway (every name Flyway reads). */
  naming: string;

  /**
   * @param image Flyway image (through the organisation's image mirror where there is one).
   * @param naming How migration versions must be written: semver (MAJOR.MINOR.PATCH, e.g. V1_2_0__x.sql) or flyway (every name Flyway reads, e.g. V2.1__x.sql, V002__x.sql; the schema's semver is the highest version as MAJOR.MINOR.PATCH).
   */
  constructor(image = "flyway/flyway:11.20.3", naming = "semver") {
    this.image = image;
    this.naming = naming;
  }

  /**
   * Problems with the migration files' names and versions, one per line; empty when they are fine.
   * @param migrations The migrations folder.
   */
  @func()
  async lint(migrations: Directory): Promise<string> {
    return lintMigrations(await migrations.entries(), migrationNaming(this.naming)).problems.join("\n");
  }

  /**
   * The schema's semantic version: the highest versioned migration, as MAJOR.MINOR.PATCH.
   * @param migrations The migrations folder.
   */
  @func()
  async version(migrations: Directory): Promise<string> {
    const result = lintMigrations(await migrations.entries(), migrationNaming(this.naming));
    if (result.problems.length > 0) throw new Error(`migrations are not valid:\n${result.problems.join("\n")}`);
    if (result.unversionable) throw new Error(`migrations: ${result.unversionable}`);
    if (!result.version) throw new Error("migrations: no versioned migration (V<MAJOR>_<MINOR>_<PATCH>__<description>.sql) found");
    return result.version;
  }

  /**
   * The Dockerfile of the migration image.
   * @param migrationsPath The migrations folder inside the component.
   */
  @func()
  dockerfile(migrationsPath: string): string {
    return flywayDockerfile(migrationsPath);
  }

  /**
   * The migration image: Flyway with the migrations in /flyway/sql and the OCI labels set.
   * @param source The database component's folder.
   * @param migrationsPath The migrations folder inside source.
   * @param revision The full git SHA the image is built from.
   * @param created Build time (RFC 3339), normally the commit time.
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label.
   */
  @func()
  async build(@argument({ ignore: ["**/node_modules", ".git"] }) source: Directory, migrationsPath: string, revision: string, created: string, sourceUrl = ""): Promise<Container> {
    const version = await this.version(source.directory(migrationsPath));
    // Build arguments are plain text (traces, the image's history): a URL carrying credentials is refused, not passed on.
    const args = { BASE_IMAGE: this.image, REVISION: revision, VERSION: version, CREATED: created, SOURCE: credentialFree("sourceUrl", sourceUrl) };
    return source.withNewFile(".pipeline.Dockerfile", flywayDockerfile(migrationsPath)).dockerBuild({
      dockerfile: ".pipeline.Dockerfile",
      buildArgs: Object.entries(args).map(([name, value]) => ({ name, value })),
    });
  }

  /**
   * Apply pending migrations. Flyway validates the applied ones first, so an edited or missing
   * applied migration stops it. Never cached: it changes a live database.
   * @param url Database URL secret: postgresql://user:password@host:5432/name or jdbc:postgresql://host:5432/name?user=…&password=…, e.g. env://DATABASE_URL.
   * @param database The database as a service (ephemeral databases), bound under the URL's host name.
   * @param migrations The migrations folder; not needed with migrationImage.
   * @param migrationImage A migration image (Flyway with the migrations in /flyway/sql), e.g. the build stage's.
   */
  @func({ cache: "never" })
  async migrate(url: Secret, database?: Service, migrations?: Directory, migrationImage?: Container): Promise<FlywayResult> {
    return this.run("migrate", url, { database, migrations, migrationImage });
  }

  /**
   * Compare the migrations with the database's history: checksums, order, missing and failed migrations.
   * @param url Database URL secret, e.g. env://DATABASE_URL.
   * @param database The database as a service, bound under the URL's host name.
   * @param migrations The migrations folder; not needed with migrationImage.
   * @param migrationImage A migration image (Flyway with the migrations in /flyway/sql).
   * @param ignorePending Accept migrations not applied yet (validating before migrate).
   */
  @func({ cache: "never" })
  async validate(url: Secret, database?: Service, migrations?: Directory, migrationImage?: Container, ignorePending = false): Promise<FlywayResult> {
    return this.run("validate", url, { database, migrations, migrationImage, ignorePending });
  }

  /**
   * The database's schema version and every migration's state, from `flyway info -outputType=json`.
   * @param url Database URL secret, e.g. env://DATABASE_URL.
   * @param database The database as a service, bound under the URL's host name.
   * @param migrations The migrations folder (to list pending ones); optional.
   * @param migrationImage A migration image (Flyway with the migrations in /flyway/sql).
   */
  @func({ cache: "never" })
  async info(url: Secret, database?: Service, migrations?: Directory, migrationImage?: Container): Promise<FlywayResult> {
    return this.run("info", url, { database, migrations, migrationImage });
  }

  /**
   * The schema version a live database reports, as MAJOR.MINOR.PATCH: what gates check a
   * component's `requires` against. Fails when the database cannot be read or has a failed migration.
   * @param url Database URL secret, e.g. env://PROD_DATABASE_URL.
   * @param database The database as a service, bound under the URL's host name.
   */
  @func({ cache: "never" })
  async schemaVersion(url: Secret, database?: Service): Promise<string> {
    const info = await this.run("info", url, { database });
    if (!info.succeeded) throw new Error(info.message);
    if (!info.schemaVersion) throw new Error("the database has no applied versioned migration: no schema version");
    // Flyway reports the version as the file wrote it (17.1, 002): gates compare semvers.
    const semver = toSemver(info.schemaVersion);
    if (!semver) throw new Error(`the database reports schema version ${JSON.stringify(info.schemaVersion)}, which is no MAJOR.MINOR.PATCH (more than three parts)`);
    return semver;
  }

  /**
   * Migrate a throwaway database (the component's unit test): a fresh server, validate, migrate,
   * then info must report the highest migration's version.
   * @param migrations The migrations folder.
   * @param serverImage The database server image (through the mirror), e.g. postgres:17-bookworm.
   */
  @func({ cache: "never" })
  async throwaway(migrations: Directory, serverImage = "postgres:17-bookworm"): Promise<FlywayResult> {
    const expected = await this.version(migrations);
    const password = randomBytes(18).toString("hex");
    const server = dag
      .container()
      .from(serverImage)
      .withEnvVariable("POSTGRES_USER", "flyway")
      .withEnvVariable("POSTGRES_DB", "flyway")
      .withSecretVariable("POSTGRES_PASSWORD", dag.setSecret(`flyway-throwaway-${randomUUID()}`, password))
      .withExposedPort(5432)
      .asService({ useEntrypoint: true });
    // Started here and stopped at the end: migrate and info must meet the same database, which a
    // lazily bound service only does while the engine's grace period keeps it up between them.
    const database = await server.start();
    try {
      const url = dag.setSecret(`flyway-throwaway-url-${randomUUID()}`, `postgresql://flyway:${password}@db:5432/flyway`);
      const migrated = await this.run("migrate", url, { database, migrations });
      if (!migrated.succeeded) return migrated;
      const info = await this.run("info", url, { database, migrations });
      if (info.succeeded && toSemver(info.schemaVersion) !== expected)
        return new FlywayResult(
          "info",
          false,
          info.schemaVersion,
          `after migrating, the database reports schema version ${info.schemaVersion || "(none)"}, but the highest migration is ${expected}`,
          info.output,
        );
      return info;
    } finally {
      await database.stop();
    }
  }

  /**
   * The migrations record of a release: every migration's script, version and Flyway checksum, as JSON.
   * @param migrations The migrations folder.
   * @param release The release it belongs to (its git SHA).
   */
  @func()
  async checksums(migrations: Directory, release: string): Promise<string> {
    return `${JSON.stringify(releaseRecord(release, await this.readMigrations(migrations)), null, 2)}\n`;
  }

  /**
   * Problems with migrations that were already released (edited, removed or renamed), one per line; empty when there are none.
   * @param migrations The migrations folder.
   * @param released The migrations record of the release in production (the JSON of checksums).
   */
  @func()
  async checkReleased(migrations: Directory, released: string): Promise<string> {
    return releasedMigrationProblems(await this.readMigrations(migrations), released).join("\n");
  }

  private async readMigrations(migrations: Directory): Promise<{ name: string; content: string }[]> {
    const names = (await migrations.entries()).filter((n) => n.endsWith(".sql")).sort();
    return Promise.all(names.map(async (name) => ({ name, content: await migrations.file(name).contents() })));
  }

  /** One Flyway command against the database; the verdict is returned, never thrown, so callers can report it. */
  private async run(command: FlywayCommand, url: Secret, opts: { database?: Service; migrations?: Directory; migrationImage?: Container; ignorePending?: boolean }): Promise<FlywayResult> {
    const connection = parseDatabaseUrl(await url.plaintext());
    let ctr = opts.migrationImage ?? dag.container().from(this.image);
    if (opts.migrations) ctr = ctr.withDirectory(SQL_DIR, opts.migrations);
    if (opts.database) ctr = ctr.withServiceBinding(connection.host, opts.database);
    for (const [name, value] of Object.entries(FLYWAY_ENVIRONMENT)) ctr = ctr.withEnvVariable(name, value);
    const variables = flywayVariables(connection);
    for (const [name, value] of Object.entries(variables.plain)) ctr = ctr.withEnvVariable(name, value);
    for (const [name, value] of Object.entries(variables.secret)) ctr = ctr.withSecretVariable(name, dag.setSecret(`flyway-${name.toLowerCase()}-${randomUUID()}`, value));
    const done = await ctr
      // A database changes between runs: never reuse an earlier run's answer.
      .withEnvVariable("PIPELINE_RUN_ID", randomUUID())
      .withExec(flywayArguments(command, { ignorePending: opts.ignorePending }), { useEntrypoint: true, expect: ReturnType.Any })
      // Synced once, then read from the synced handle: the exec's inputs include a fresh secret, so
      // reads sent side by side could each resolve their own chain and run Flyway again.
      .sync();
    const [exitCode, stdout, stderr] = await Promise.all([done.exitCode(), done.stdout(), done.stderr()]);
    return flywayResult(command, exitCode, stdout, stderr);
  }
}
