/**
 * What the release record and E2E read from the GitOps repository and the sources: the migrations
 * every recorded environment runs (an edited released migration fails E2E), and each database
 * component's migrations with Flyway's checksums (written into the release record).
 */
import type { Secret } from "@dagger.io/dagger";
import type { PipelineConfig } from "../config/schema.js";
import { flywayModule } from "../mirror/flyway.js";
import { parseReleaseRecord, releasePath } from "../release/record.js";
import { parseEnvironmentState, statePath } from "../release/state.js";
import type { StageContext } from "./context.js";
import { gitopsView } from "./promote.js";

/** The migrations records ({release, migrations}) of the database releases every environment runs. */
export async function releasedMigrationRecords(config: PipelineConfig, token: Secret): Promise<string[]> {
  const gitops = config.gitops as NonNullable<PipelineConfig["gitops"]>;
  const view = gitopsView(gitops.repository, gitops.branch, token);
  const database = Object.keys(config.components).find((n) => config.components[n].kind === "database");
  if (!database) return [];
  const releases = new Set<string>();
  for (const [name, env] of Object.entries(config.environments)) {
    const state = parseEnvironmentState(await view.read(statePath(env.path)), statePath(env.path), name);
    const deployed = state.components[database]?.release;
    if (deployed) releases.add(deployed);
  }
  const records: string[] = [];
  for (const revision of releases) {
    const text = await view.read(releasePath(revision));
    if (text === undefined) continue;
    const migrations = parseReleaseRecord(text, releasePath(revision)).components[database]?.migrations;
    if (migrations) records.push(JSON.stringify({ release: revision, migrations }));
  }
  return records;
}

/** Each database component's migrations with Flyway's checksums, for the release record. */
export async function migrationRecords(ctx: StageContext, revision: string): Promise<Record<string, { script: string; version?: string; checksum: number }[]>> {
  const entries = await Promise.all(
    Object.entries(ctx.config.components)
      .filter(([, c]) => c.toolchain === "flyway")
      .map(async ([name, c]) => {
        const json = await flywayModule(ctx.config, c).checksums(ctx.source.directory(c.path).directory(c.migrations ?? "migrations"), revision);
        return [name, (JSON.parse(json) as { migrations: { script: string; version?: string; checksum: number }[] }).migrations] as const;
      }),
  );
  return Object.fromEntries(entries);
}
