/**
 * The schema the running components see, judged against what they require: a backend that
 * reports a schema its `requires` excludes (a migration that did not run, a database restored from
 * an old backup) fails verification, naming both.
 */
import type { PipelineConfig } from "../config/schema.js";
import type { EnvironmentState } from "../release/state.js";
import semver from "../vendor/semver.js";

/** One line per deployed component whose requirement on the database the live schema breaks. */
export function schemaProblems(config: PipelineConfig, state: EnvironmentState, liveSchema: string): string[] {
  const database = Object.keys(config.components).find((n) => config.components[n].kind === "database");
  if (!database) return [];
  return Object.entries(state.components)
    .filter(([, c]) => c.requires[database] !== undefined)
    .filter(([, c]) => !(semver.valid(liveSchema) !== null && semver.satisfies(liveSchema, c.requires[database], { includePrerelease: true })))
    .map(([name, c]) => `${name} ${c.version} requires ${database} ${c.requires[database]}; the database it uses reports schema ${liveSchema}`);
}
