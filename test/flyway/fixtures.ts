// Reads what scripts/integration/record-flyway-fixtures.sh recorded from real Flyway (test/fixtures/flyway).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tiers/modules.js";

/** The fixtures folder. */
export const FIXTURES = join(ROOT, "test/fixtures/flyway");

/** One recorded Flyway run. */
export interface RecordedRun {
  file: string;
  output: "json" | "text";
  database: string;
  command: "info" | "migrate" | "validate";
  settings?: string;
  exitCode: number;
}

/** The manifest of recorded runs, with the Flyway and PostgreSQL versions. */
export const manifest = JSON.parse(readFileSync(join(FIXTURES, "manifest.json"), "utf8")) as { flyway: string; postgres: string; runs: RecordedRun[] };

/** A recorded output, as text. */
export const fixture = (file: string): string => readFileSync(join(FIXTURES, file), "utf8");

/** The recorded run of a fixture file (fails the test when it was not recorded). */
export function run(file: string): RecordedRun {
  const found = manifest.runs.find((r) => r.file === file);
  if (!found) throw new Error(`${file} is not in test/fixtures/flyway/manifest.json: re-record with scripts/integration/record-flyway-fixtures.sh`);
  return found;
}

/** One row of flyway_schema_history as recorded. */
export interface HistoryRow {
  installed_rank: number;
  version: string | null;
  description: string;
  script: string;
  checksum: number | null;
  success: boolean;
}

/** flyway_schema_history of a scenario's database, as Flyway left it. */
export const history = (scenario: string): HistoryRow[] => JSON.parse(fixture(`history-${scenario}.json`)) as HistoryRow[];

/** The files of a folder with their bytes, as the pipeline reads them. */
export function filesOf(dir: string): { name: string; content: Uint8Array }[] {
  const abs = join(ROOT, dir);
  return readdirSync(abs)
    .sort()
    .map((name) => ({ name, content: readFileSync(join(abs, name)) }));
}
