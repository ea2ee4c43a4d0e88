/**
 * The plan CLI (`npm run plan -- …`, scripts/plan.ts) as a function of its arguments, so that tests
 * run thousands of argument sets in-process. Exit codes: 0 plan printed, 2 bad arguments or
 * config (the message names the input); anything else is our bug and keeps its stack trace.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseConfig } from "../.dagger/src/config/load.js";
import { quoted } from "../.dagger/src/errors.js";
import { toEvent } from "../.dagger/src/plan/event.js";
import { plan } from "../.dagger/src/plan/plan.js";
import { renderPlan } from "../.dagger/src/plan/render.js";
import { readListFlag } from "./list-flag.js";

const USAGE = `usage: npm run plan -- [--config pipeline.yaml] --event <pull-request|push|tag|promote|rollback|delete>
         [--ref <branch|tag>] [--environment <name>] [--emergency] [--changed <file>]... [--json]
  --changed may repeat or hold comma-separated paths, relative to the folder of pipeline.yaml,
  read as the Dagger CLI reads a list flag (one CSV record: quote a path that holds a comma or a
  quote, "a,b.ts", with " doubled); without it every component counts as affected.`;

/** Where the CLI writes: process.stdout/stderr, or a test's buffers. */
export interface PlanCliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Run the plan CLI on `argv` (without node and the script); returns the exit code. */
export function planCli(argv: string[], out: PlanCliOutput): number {
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
    // parseArgs quotes the argument it refuses as given: escape what would forge output lines.
    out.stderr(`${printable((e as Error).message)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  if (!values.event) {
    out.stderr(`event: required and not supplied\n${USAGE}\n`);
    return 2;
  }
  try {
    const text = readFile(values.config);
    const config = parseConfig(text, values.config);
    const changed = values.changed?.flatMap(readChanged);
    const result = plan(config, toEvent({ event: values.event, ref: values.ref, environment: values.environment, changed, emergency: values.emergency }));
    out.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderPlan(result));
    return 0;
  } catch (e) {
    const err = e as Error & { exitCode?: number };
    if (err.exitCode === undefined) throw e; // ours, not the user's: let the stack trace through
    out.stderr(`${err.message}\n`);
    return err.exitCode;
  }
}

/** One --changed value as the Dagger CLI reads it; malformed quoting is the user's input error. */
function readChanged(value: string): string[] {
  try {
    return readListFlag(value);
  } catch (e) {
    throw Object.assign(new Error(`changed: ${quoted(value, 200)}: ${(e as Error).message}`), { exitCode: 2 });
  }
}

/** The file's bytes: the loader decodes them strictly, so a file that is not UTF-8 is refused, not garbled. */
function readFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw Object.assign(new Error(`config: cannot read ${quoted(path, 200)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`), { exitCode: 2 });
  }
}

/** Control characters escaped as \u…, so that text quoting an argument stays on its lines. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
