/**
 * What `ci` does after publishing on the main branch: record the release in the GitOps
 * repository (releases/<sha>.json, immutable) and promote it to the environments promoted on
 * push. And before E2E: read the migrations every recorded environment runs, so an edited
 * released migration fails the run.
 */
import { dag, type Secret } from "@dagger.io/dagger";
import type { PipelineConfig } from "../config/schema.js";
import { flywayModule } from "../mirror/flyway.js";
import { mirrorImage } from "../mirror/images.js";
import { newReleaseRecord, parseReleaseRecord, releasePath, renderReleaseRecord } from "../release/record.js";
import { parseEnvironmentState, statePath } from "../release/state.js";
import type { StageContext } from "./context.js";
import { GatesRefused, GIT_IMAGE, gitopsView, landed, promote, WriteFailed } from "./promote.js";

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

/** What ci hands over after publishing. */
export interface Delivery {
  revision: string;
  created: string;
  source: string;
  /** Published images by component (registry/name:sha@sha256:…). */
  images: Record<string, string>;
  versions: Record<string, string>;
  migrations: Record<string, { script: string; version?: string; checksum: number }[]>;
  builtBy: string;
  token: Secret;
}

/** What delivering a release did: the Markdown for the summary, whether the record landed, and each push-promoted environment's outcome. */
export interface DeliveryOutcome {
  markdown: string;
  recorded: boolean;
  /** Environments promoted on push, in order; `refused` holds why a promotion did not land (a gate, or a write that failed). */
  promotions: { environment: string; refused?: string }[];
}

/** Record the release, then promote it to every environment promoted on push (none if the record did not land). */
export async function deliver(config: PipelineConfig, d: Delivery): Promise<DeliveryOutcome> {
  const gitops = config.gitops as NonNullable<PipelineConfig["gitops"]>;
  const record = newReleaseRecord({
    application: config.name,
    revision: d.revision,
    created: d.created,
    source: d.source,
    components: Object.fromEntries(
      Object.entries(d.images).map(([name, image]) => [name, { image, version: d.versions[name], requires: config.components[name].requires, ...(d.migrations[name] ? { migrations: d.migrations[name] } : {}) }]),
    ),
    evidence: { checks: "passed", e2e: config.e2e ? "passed" : "not-run", builtBy: d.builtBy },
  });
  const files = dag.directory().withNewFile(releasePath(d.revision), renderReleaseRecord(record));
  const pushed = await dag
    .gitops({ image: mirrorImage(GIT_IMAGE, config.mirror?.images) })
    .push(gitops.repository, gitops.branch, files, `record release ${d.revision.slice(0, 12)}\n\n${Object.entries(d.versions).map(([n, v]) => `${n} ${v}`).join("\n")}\n\nRelease: ${d.revision}\n`, { token: d.token });
  const recorded = await landed(pushed, `release record ${releasePath(d.revision)}`).then(
    (summary) => ({ ok: true, summary }),
    (e: Error) => ({ ok: false, summary: e instanceof WriteFailed ? e.summary : e.message }),
  );
  const lines = [`\n## Release\n\n${recorded.summary}`];
  const promotions: DeliveryOutcome["promotions"] = [];
  if (recorded.ok)
    for (const [name, env] of Object.entries(config.environments).filter(([, e]) => e.on === "push")) {
      const report: { text: string; refused?: string } = await promote(config, { environment: name, revision: d.revision, dryRun: false, token: d.token, record }).then(
        (text) => ({ text }),
        (e: Error) => ({ text: `Promotion to ${name} refused:\n${e.message}`, refused: whyNotPromoted(e) }),
      );
      promotions.push({ environment: name, ...(report.refused ? { refused: report.refused } : {}) });
      lines.push(`\n### ${name}\n\n${report.text}`);
    }
  return { markdown: `${lines.join("\n")}\n`, recorded: recorded.ok, promotions };
}

/** Why a promotion did not land, in a few words for the stage table: the write, the gates (by name), or the first line of the error. */
function whyNotPromoted(e: Error): string {
  if (e instanceof WriteFailed) return `not written (${e.status})`;
  if (e instanceof GatesRefused) return `refused by ${e.gates.join(", ")}`;
  return `failed (${e.message.split("\n")[0]})`;
}
