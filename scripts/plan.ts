/**
 * `npm run plan -- …`: the plan without an engine, for people and for CI wrappers. It lives
 * outside .dagger/src because the engine imports every file there, and this one runs on import.
 * Exit codes: 0 plan printed, 2 bad arguments or config (the message names the input).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseConfig } from "../.dagger/src/config/load.js";
import { toEvent } from "../.dagger/src/plan/event.js";
import { plan } from "../.dagger/src/plan/plan.js";
import { renderPlan } from "../.dagger/src/plan/render.js";
import { readListFlag } from "./list-flag.js";

const USAGE = `usage: npm run plan -- [--config pipeline.yaml] --event <pull-request|push|tag|promote|delete>
         [--ref <branch|tag>] [--environment <name>] [--emergency] [--changed <file>]... [--json]
  --changed may repeat or hold comma-separated paths, relative to the folder of pipeline.yaml,
  read as the Dagger CLI reads a list flag (one CSV record: quote a path that holds a comma or a
  quote, "a,b.ts", with " doubled); without it every component counts as affected.`;

function main(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string", default: "pipeline.yaml" },
        event: { type: "string" },
        ref: { type: "string" },
        environment: { type: "string" },
        emergency: { type: "boolean", default: false },
        changed: { type: "string", multiple: true },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.event) {
    process.stderr.write(`event: required and not supplied\n${USAGE}\n`);
    return 2;
  }
  try {
    const text = readFile(values.config);
    const config = parseConfig(text, values.config);
    const changed = values.changed?.flatMap(readChanged);
    const result = plan(config, toEvent({ event: values.event, ref: values.ref, environment: values.environment, changed, emergency: values.emergency }));
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderPlan(result));
    return 0;
  } catch (e) {
    const err = e as Error & { exitCode?: number };
    if (err.exitCode === undefined) throw e; // ours, not the user's: let the stack trace through
    process.stderr.write(`${err.message}\n`);
    return err.exitCode;
  }
}

/** One --changed value as the Dagger CLI reads it; malformed quoting is the user's input error. */
function readChanged(value: string): string[] {
  try {
    return readListFlag(value);
  } catch (e) {
    throw Object.assign(new Error(`changed: ${JSON.stringify(value)}: ${(e as Error).message}`), { exitCode: 2 });
  }
}

/** The file's bytes: the loader decodes them strictly, so a file that is not UTF-8 is refused, not garbled. */
function readFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw Object.assign(new Error(`config: cannot read "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`), { exitCode: 2 });
  }
}

process.exitCode = main(process.argv.slice(2));
