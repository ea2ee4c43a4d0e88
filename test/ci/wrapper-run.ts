/**
 * Runs a CI wrapper's shell for real, as the host would, with a stand-in `dagger` on PATH that
 * records its arguments (the engine cannot run here; what a wrapper does is pass arguments). The
 * install lines (apk, the Dagger install script) are left out: they fetch from the internet.
 * The recorded command lines are then parsed the way the Dagger CLI reads them.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readListFlag } from "../../scripts/list-flag.js";
import { readGolden } from "../tiers/golden.js";
import { ROOT } from "../tiers/modules.js";

/** A dagger command line as the CLI reads it: constructor flags, the function, its flags, then chained calls. */
export interface DaggerCall {
  constructorFlags: Record<string, string>;
  fn: string;
  flags: Record<string, string | string[] | true>;
  chain: string[];
}

// The stand-in: one JSON line per call; a `reports export --path=X` leaves a passing report there (result.json: $FAKE_DAGGER_RESULT when set), as the real call would.
// Like the real CLI (its env secret provider uses os.LookupEnv), an env:// reference to an unset variable is an error; an empty one is not.
const FAKE_DAGGER = `#!/usr/bin/env node
const fs = require("node:fs"); const path = require("node:path");
const args = process.argv.slice(2);
const secrets = {};
for (const a of args) for (const m of a.matchAll(/env:\\/\\/([A-Za-z_][A-Za-z0-9_]*)/g)) {
  if (!(m[1] in process.env)) { console.error("secret env var not found: " + JSON.stringify(m[1])); process.exit(1); }
  secrets[m[1]] = process.env[m[1]];
}
fs.appendFileSync(process.env.FAKE_DAGGER_LOG, JSON.stringify({ args, secrets, cwd: process.cwd() }) + "\\n");
const i = args.indexOf("export");
if (i > 0 && args[i - 1] === "reports") {
  const out = (args.find((a) => a.startsWith("--path=")) || "").slice(7) || args[i + 2];
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "summary.md"), "## Checks: passed\\n");
  fs.writeFileSync(path.join(out, "result.json"), process.env.FAKE_DAGGER_RESULT || JSON.stringify({ passed: true, failed: [] }));
}
`;

/** Lines a wrapper uses to install its tools: not run here (ci/install-dagger.sh has its own test). */
const INSTALL = /^(apk add|apt-get|sh ci\/install-dagger\.sh$)/;

/** One dagger invocation as the stand-in saw it: its argv, the value of every env:// secret it names, and the directory it ran in (where the CLI looks for dagger.json). */
export interface RecordedCall {
  args: string[];
  secrets: Record<string, string>;
  cwd: string;
}

/** Run a wrapper's script lines in a copy of the repository's ci/ folder, with `env`, by `shell` (GitHub: bash; Drone's alpine image: a POSIX sh); returns every dagger call's argv. */
export function runWrapper(lines: string[], env: Record<string, string>, options: { cwd?: string; shell?: "bash" | "sh" } = {}): string[][] {
  return runWrapperCalls(lines, env, options).map((c) => c.args);
}

/** As runWrapper, with the secrets each call resolved; `stubs` are further stand-in commands on PATH (name: script), e.g. the gh CLI. */
export function runWrapperCalls(lines: string[], env: Record<string, string>, options: { cwd?: string; shell?: "bash" | "sh"; stubs?: Record<string, string> } = {}): RecordedCall[] {
  const dir = mkdtempSync(join(tmpdir(), "wrapper-"));
  const bin = join(dir, "bin");
  execFileSync("mkdir", ["-p", bin]);
  for (const [name, script] of Object.entries({ ...options.stubs, dagger: FAKE_DAGGER })) {
    writeFileSync(join(bin, name), script);
    chmodSync(join(bin, name), 0o755);
  }
  const log = join(dir, "calls.jsonl");
  writeFileSync(log, "");
  const cwd = options.cwd ?? dir;
  if (!existsSync(join(cwd, "ci"))) execFileSync("cp", ["-r", join(ROOT, "ci"), join(cwd, "ci")]);
  const script = ["set -e", ...lines.filter((l) => !INSTALL.test(l.trim()))].join("\n");
  try {
    execFileSync(options.shell ?? "bash", ["-c", script], { cwd, env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, FAKE_DAGGER_LOG: log, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { status?: number; stdout?: Buffer; stderr?: Buffer };
    // The calls made before the failure ride along: a test can assert that nothing was called.
    throw Object.assign(new Error(`the wrapper's script failed (exit ${err.status}):\n${script}\n${err.stdout ?? ""}${err.stderr ?? ""}`), { calls: recorded(log) });
  }
  return recorded(log);
}

/** The stand-in's log, one call a line. */
function recorded(log: string): RecordedCall[] {
  return readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as RecordedCall);
}

/** Boolean flags of the root module's functions and constructor (they take no value), from the golden API. */
function booleanFlags(): Set<string> {
  const api = readGolden("pipeline");
  if (!api) throw new Error("test/golden/introspection/pipeline.json is missing (npm run generate)");
  const kebab = (n: string) => n.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
  const out = new Set<string>();
  for (const obj of Object.values(api.objects)) for (const m of Object.values(obj.methods)) for (const a of Object.values(m.arguments)) if (a.type.kind === "BOOLEAN_KIND") out.add(kebab(a.name));
  return out;
}

/** Parse `dagger call …` argv; anything else (another verb, a flag without a function) is an error naming it. */
export function parseDaggerCall(argv: string[]): DaggerCall {
  if (argv[0] !== "call") throw new Error(`not a dagger call: dagger ${argv.join(" ")}`);
  const booleans = booleanFlags();
  const constructorFlags: Record<string, string> = {};
  let i = 1;
  for (; i < argv.length && argv[i].startsWith("--"); i++) {
    // Constructor flags are written --name=value, so they cannot swallow the function's name.
    const m = /^--([a-z-]+)=(.*)$/.exec(argv[i]);
    if (!m) throw new Error(`constructor flag ${argv[i]} must be written --name=value`);
    constructorFlags[m[1]] = m[2];
  }
  const fn = argv[i++];
  if (!fn) throw new Error(`no function in dagger ${argv.join(" ")}`);
  const flags: DaggerCall["flags"] = {};
  const add = (name: string, value: string | true) => {
    const had = flags[name];
    flags[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [String(had)]), String(value)];
  };
  for (; i < argv.length && argv[i].startsWith("--"); i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`bad flag ${argv[i]}`);
    if (m[2] !== undefined) add(m[1], m[2]);
    else if (booleans.has(m[1])) add(m[1], true);
    else add(m[1], argv[++i]);
  }
  return { constructorFlags, fn, flags, chain: argv.slice(i) };
}

/** A flag's values as a list, as Dagger reads a list flag: each occurrence one CSV record (scripts/list-flag.ts), repeated occurrences appended. */
export function listFlag(call: DaggerCall, name: string): string[] {
  const v = call.flags[name];
  if (v === undefined || v === true) return [];
  return (Array.isArray(v) ? v : [v]).flatMap(readListFlag);
}
