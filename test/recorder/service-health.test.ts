// How the E2E stage's services are judged started. The engine (dagger/dagger core/service.go and
// core/healthcheck.go, read at v0.21.8) decides a container with a HEALTHCHECK has started when
// the check passes: the first check runs at once, then one every StartInterval (else Interval),
// failures count only after StartPeriod, and Retries failures in a row fail the start ("health
// check errored: …"). Without a HEALTHCHECK it dials the exposed ports with a backoff of up to 10 s
// between tries, for up to 15 minutes (cenkalti/backoff v4 defaults). So: the generated images'
// 10 s interval delays each service by ≥ 10 s, and a port nothing listens on stalls the run.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

/** The service's start leaf and its last withDockerHealthcheck call, parsed. */
function healthcheckOf(leaves: string[], start: RegExp): { leaf: string; args: string; opts: Record<string, string> } {
  const leaf = leaves.find((l) => start.test(l));
  assert.ok(leaf, `no leaf matches ${start}`);
  const calls = [...leaf.matchAll(/\.withDockerHealthcheck\(args: (\[[^\]]*\])((?:, \w+: (?:"[^"]*"|\d+))*)\)/g)];
  assert.ok(calls.length > 0, `no health check set on ${leaf.slice(0, 200)}…`);
  const last = calls[calls.length - 1];
  return { leaf, args: last[1], opts: Object.fromEntries([...last[2].matchAll(/(\w+): (?:"([^"]*)"|(\d+))/g)].map((m) => [m[1], m[2] ?? m[3]])) };
}

describe("E2E services: started when healthy", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("item 7: each application service is checked every second until healthy, and an unhealthy one is reported as unhealthy, not as 'never listened'", async () => {
    const { graph } = await record(async () => (await new Pipeline(dag.directory()).e2e(SHA)).passed, exampleEngine());
    for (const [name, health] of [
      ["backend", "/health"],
      ["frontend", "/healthz"],
    ]) {
      const hc = healthcheckOf(graph.leaves, new RegExp(`path: "${name}"\\).*\\.asService\\(args: \\[.*\\]\\)\\.start$`));
      assert.equal(hc.opts.startInterval, "1s", `${name}: a short start interval, so the service starts within a second of being healthy`);
      assert.ok(hc.args.includes(`http://127.0.0.1:8080${health}`), `${name}: the component's own health path`);
    }
    const cause = "health check errored: exit code: 1";
    const { result } = await record(
      async () => (await new Pipeline(dag.directory()).e2e(SHA)).summary,
      exampleEngine((leaf) => {
        if (/path: "backend"\).*\.asService\(args: \[.*\]\)\.start$/.test(leaf)) throw new Error(cause);
        return undefined;
      }),
    );
    assert.match(result, /the service backend was not healthy: its health check \(GET http:\/\/127\.0\.0\.1:8080\/health inside the container\) still failed after \d+ s/);
    assert.ok(result.includes(cause), "the engine's words follow");
    assert.doesNotMatch(result, /never listened/);
  });

  it("item 12: the E2E database's wait is capped per check and in total, and a database that never answers is named by host:port", async () => {
    const { graph } = await record(async () => (await new Pipeline(dag.directory()).e2e(SHA)).passed, exampleEngine());
    const hc = healthcheckOf(graph.leaves, /postgres:15-bookworm.*\.asService\(useEntrypoint: true\)\.start$/);
    // pg_isready on the configured port: a server listening elsewhere fails the check (the engine's port dial would back off for 15 minutes).
    assert.match(hc.args, /^\["pg_isready", "-h", "127\.0\.0\.1", "-p", "5432", .*"-t", "\d+"\]$/, "each check is capped by pg_isready -t");
    assert.equal(hc.opts.startInterval, "1s");
    const total = Number(/^(\d+)s$/.exec(hc.opts.startPeriod)?.[1]) + Number(hc.opts.retries) * 1;
    assert.ok(total > 0 && total <= 120, `the total wait is capped: ${total} s`);
    const cause = "health check errored: exit code: 2";
    const { result } = await record(
      async () => (await new Pipeline(dag.directory()).e2e(SHA)).summary,
      exampleEngine((leaf) => {
        if (/postgres:15-bookworm.*\.asService\(useEntrypoint: true\)\.start$/.test(leaf)) throw new Error(cause);
        return undefined;
      }),
    );
    assert.match(result, /the database server db did not answer on db:5432 \(pg_isready inside the container on 127\.0\.0\.1:5432\) within \d+ s/);
    assert.ok(result.includes(cause));
  });
});
