// Polls a URL until it answers with the wanted status (and JSON fields), bounded in time.
//   node wait-http.mjs URL [--status 200] [--timeout-ms 60000] [--pid PID] [--expect a.b=value]...
// Exit codes: 0 ready, 1 timed out, 3 the process --pid exited before it was ready.
import { setTimeout as sleep } from "node:timers/promises";

const args = process.argv.slice(2);
const url = args.shift();
let status = 200;
let timeoutMs = 60_000;
let pid = 0;
const expects = [];
while (args.length > 0) {
  const flag = args.shift();
  const value = args.shift() ?? "";
  if (flag === "--status") status = Number(value);
  else if (flag === "--timeout-ms") timeoutMs = Number(value);
  else if (flag === "--pid") pid = Number(value);
  else if (flag === "--expect") {
    const at = value.indexOf("=");
    expects.push([value.slice(0, at), value.slice(at + 1)]);
  } else {
    console.error(`wait-http: unknown option ${flag}`);
    process.exit(2);
  }
}
if (!url) {
  console.error("usage: wait-http.mjs URL [--status N] [--timeout-ms N] [--pid N] [--expect path=value]");
  process.exit(2);
}

function alive(processId) {
  try {
    process.kill(processId, 0);
    return true;
  } catch {
    return false;
  }
}

function pick(object, path) {
  return path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), object);
}

const deadline = Date.now() + timeoutMs;
let last = "no answer yet";
let attempt = 0;
while (Date.now() < deadline) {
  attempt++;
  if (pid && !alive(pid)) {
    console.error(`wait-http: process ${pid} exited before ${url} was ready (last: ${last})`);
    process.exit(3);
  }
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    last = `HTTP ${response.status} ${text.slice(0, 300)}`;
    if (response.status === status) {
      let ok = true;
      if (expects.length > 0) {
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        for (const [path, want] of expects) {
          if (String(pick(body, path)) !== want) {
            ok = false;
            last += ` (expected ${path}=${want})`;
          }
        }
      }
      if (ok) {
        console.log(`  ready after ${attempt} attempt(s): ${url} -> ${last}`);
        process.exit(0);
      }
    }
  } catch (error) {
    last = error instanceof Error ? `${error.name}: ${error.cause?.code ?? error.message}` : String(error);
  }
  await sleep(Math.min(250 * attempt, 1_000));
}
console.error(`wait-http: ${url} not ready within ${timeoutMs} ms (last: ${last})`);
process.exit(1);
