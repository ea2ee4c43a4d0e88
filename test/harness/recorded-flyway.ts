/**
 * Answers for Flyway containers in the harness: what real Flyway 11.20.3 printed against a real
 * PostgreSQL for the example's migrations (test/fixtures/flyway, recorded by
 * scripts/integration/record-flyway-fixtures.sh). The harness does not run Flyway; these are its
 * real outputs for the same commands, so the Flyway module's own parsing decides the verdict.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tiers/modules.js";

const fixture = (name: string) => readFileSync(join(ROOT, "test/fixtures/flyway", name), "utf8");
/** The recorded output per Flyway command, for a migration run that succeeds. */
const SUCCESS: Record<string, string> = { migrate: fixture("migrate-success.json"), info: fixture("info-migrated.json"), validate: fixture("validate-success.json") };

/** stdout of a Flyway exec (withExec(args: ["-outputType=json", …, <command>])) from the recordings; undefined for any other leaf. */
export function recordedFlyway(leaf: string, outputs: Record<string, string> = SUCCESS): string | undefined {
  const m = /withExec\(args: \["-outputType=json", (?:"[^"]*", )*"(migrate|info|validate)"\][^)]*\)\.stdout$/.exec(leaf);
  return m ? outputs[m[1]] : undefined;
}
