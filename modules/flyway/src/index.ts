/**
 * Flyway: database migrations as a component. Checks migration names and versions before any
 * database is touched, reports the schema's semver, and builds the migration image.
 */
import { type Container, type Directory, func, object } from "@dagger.io/dagger";
import { flywayDockerfile } from "./dockerfile.js";
import { lintMigrations } from "./migrations.js";

/** Checks, versions and packages Flyway migrations. */
@object()
export class Flyway {
  /** Flyway image (through the organisation's image mirror where there is one). */
  image: string;

  /** @param image Flyway image (through the organisation's image mirror where there is one). */
  constructor(image = "flyway/flyway:11.20.3") {
    this.image = image;
  }

  /**
   * Problems with the migration files' names and versions, one per line; empty when they are fine.
   * @param migrations The migrations folder.
   */
  @func()
  async lint(migrations: Directory): Promise<string> {
    return lintMigrations(await migrations.entries()).problems.join("\n");
  }

  /**
   * The schema's semantic version: the highest versioned migration, as MAJOR.MINOR.PATCH.
   * @param migrations The migrations folder.
   */
  @func()
  async version(migrations: Directory): Promise<string> {
    const result = lintMigrations(await migrations.entries());
    if (result.problems.length > 0) throw new Error(`migrations are not valid:\n${result.problems.join("\n")}`);
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
  async build(source: Directory, migrationsPath: string, revision: string, created: string, sourceUrl = ""): Promise<Container> {
    const version = await this.version(source.directory(migrationsPath));
    const args = { BASE_IMAGE: this.image, REVISION: revision, VERSION: version, CREATED: created, SOURCE: sourceUrl };
    return source.withNewFile(".pipeline.Dockerfile", flywayDockerfile(migrationsPath)).dockerBuild({
      dockerfile: ".pipeline.Dockerfile",
      buildArgs: Object.entries(args).map(([name, value]) => ({ name, value })),
    });
  }
}
