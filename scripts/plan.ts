/**
 * `npm run plan -- …`: the plan without an engine, for people and for CI wrappers (scripts/plan-cli.ts).
 * It lives outside .dagger/src because the engine imports every file there, and this one runs on import.
 * Exit codes: 0 plan printed, 2 bad arguments or config (the message names the input).
 */
import { planCli } from "./plan-cli.js";

process.exitCode = planCli(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
