// The release record and the environment state as the GitOps repository keeps them, and the upstream rule.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { InputError } from "../../.dagger/src/errors.js";
import { newReleaseRecord, parseReleaseRecord, releasePath, renderReleaseRecord } from "../../.dagger/src/release/record.js";
import { alreadyDeployed, emptyState, parseEnvironmentState, promoted, reached, renderEnvironmentState, statePath } from "../../.dagger/src/release/state.js";
import { upstreamVerdict } from "../../.dagger/src/release/upstream.js";
import { exampleConfig } from "../topology/fixture.js";
import { exampleRelease, REV_A, REV_B } from "./fixture.js";

describe("release record", () => {
  it("round-trips byte for byte, with components in a stable order", () => {
    const text = renderReleaseRecord(exampleRelease(REV_A, "1"));
    assert.equal(renderReleaseRecord(parseReleaseRecord(text, releasePath(REV_A))), text);
    assert.deepEqual(Object.keys(JSON.parse(text).components), ["backend", "db", "frontend"]);
    assert.equal(releasePath(REV_A), `releases/${REV_A}.json`);
  });

  it("refuses malformed records naming the file and every bad path", () => {
    const bad = exampleRelease(REV_A, "1") as unknown as { components: Record<string, Record<string, unknown>> };
    bad.components.backend.version = "1.2";
    bad.components.db.image = "registry.example.com/acme/webshop/db:latest";
    assert.throws(
      () => parseReleaseRecord(JSON.stringify(bad), "releases/x.json"),
      (e: Error) =>
        e instanceof InputError &&
        /releases\/x\.json: not a release record/.test(e.message) &&
        /components\.backend\.version: must be MAJOR\.MINOR\.PATCH/.test(e.message) &&
        /components\.db\.image: must be <registry>/.test(e.message),
    );
    assert.throws(() => parseReleaseRecord("{", "releases/x.json"), /releases\/x\.json: is not JSON/);
  });

  it("refuses an image that is not the digest or the revision it claims", () => {
    const r = exampleRelease(REV_A, "1");
    r.components.backend.digest = `sha256:${"9".repeat(64)}`;
    assert.throws(() => parseReleaseRecord(JSON.stringify(r), "f"), /components\.backend: image .* does not carry its digest sha256:9{64}/);
    const s = exampleRelease(REV_A, "1");
    s.revision = REV_B;
    assert.throws(() => parseReleaseRecord(JSON.stringify(s), "f"), /is not tagged with the release's revision b{40}/);
  });
});

describe("environment state", () => {
  it("records what a promotion deployed, newest first, and knows when it is already there", () => {
    const a = exampleRelease(REV_A, "1");
    const b = exampleRelease(REV_B, "2", { backend: "1.3.0" });
    const s1 = promoted(emptyState("dev"), a, ["db", "backend", "frontend"], "2026-11-22T08:00:00Z");
    const s2 = promoted(s1, b, ["backend"], "2026-11-22T09:00:00Z");
    assert.deepEqual(Object.fromEntries(Object.entries(s2.components).map(([n, c]) => [n, `${c.version} ${c.release.slice(0, 1)}`])), { db: "1.1.0 a", backend: "1.3.0 b", frontend: "1.2.0 a" });
    assert.deepEqual(
      s2.history.map((h) => `${h.release.slice(0, 1)} ${h.components.join(",")}`),
      ["b backend", "a db,backend,frontend"],
    );
    assert.equal(alreadyDeployed(s2, b, ["backend"]), true);
    assert.equal(alreadyDeployed(s2, b, ["backend", "db"]), false);
    assert.ok(reached(s2, REV_A) && reached(s2, REV_B));
    const text = renderEnvironmentState(s2);
    assert.deepEqual(parseEnvironmentState(text, statePath("environments/dev/"), "dev"), s2);
    assert.equal(statePath("environments/dev/"), "environments/dev/.pipeline/state.json");
  });

  it("a missing state is an empty environment; a malformed one or another environment's is refused", () => {
    assert.deepEqual(parseEnvironmentState(undefined, "f", "prod"), emptyState("prod"));
    assert.throws(() => parseEnvironmentState("[]", "environments/prod/.pipeline/state.json", "prod"), /environments\/prod\/\.pipeline\/state\.json: not an environment state/);
    assert.throws(() => parseEnvironmentState(renderEnvironmentState(emptyState("dev")), "f", "prod"), /f: records environment dev, expected prod/);
  });
});

describe("upstream rule", () => {
  const config = exampleConfig();
  const staging = promoted(emptyState("staging"), exampleRelease(REV_A, "1"), ["db", "backend", "frontend"], "t");

  const ALL = ["db", "backend", "frontend"];
  const A = exampleRelease(REV_A, "1");
  const B = exampleRelease(REV_B, "2");

  it("prod after staging: a release staging ran passes; another is refused, naming staging", () => {
    assert.equal(upstreamVerdict(config, "prod", A, ALL, staging, {}).passed, true);
    const refused = upstreamVerdict(config, "prod", B, ALL, staging, {});
    assert.equal(refused.passed, false);
    assert.match(refused.summary, /release bbbbbbbbbbbb has not been through staging, which prod follows: promote it to staging first/);
  });

  it("an emergency waives it and says so; a rollback and an environment without `after` need no upstream", () => {
    const waived = upstreamVerdict(config, "prod", B, ALL, staging, { emergency: "CVE-2026-1234 hotfix" });
    assert.deepEqual([waived.passed, waived.waivedByEmergency], [true, true]);
    assert.match(waived.summary, /waived by emergency: CVE-2026-1234 hotfix/);
    assert.equal(upstreamVerdict(config, "prod", B, ALL, staging, { rollback: true }).passed, true);
    assert.equal(upstreamVerdict(config, "dev", B, ALL, undefined, {}).passed, true);
    const noConfig = parseConfig("name: x\ncomponents: { a: { kind: backend, toolchain: node, path: a } }\nregistry: { address: r.example/x }\n");
    assert.equal(upstreamVerdict(noConfig, "dev", B, ALL, undefined, {}).summary, "dev follows no other environment");
  });

  it("a release of the very digests staging runs (a commit that changed no component) has been through staging; one differing digest has not", () => {
    const same = { ...exampleRelease(REV_B, "1") };
    const verdict = upstreamVerdict(config, "prod", same, ALL, staging, {});
    assert.equal(verdict.passed, true);
    assert.equal(verdict.summary, `staging runs release bbbbbbbbbbbb's digests (db, backend, frontend, as release ${REV_A.slice(0, 12)})`);
    const oneChanged = { ...same, components: { ...same.components, backend: B.components.backend } };
    assert.equal(upstreamVerdict(config, "prod", oneChanged, ALL, staging, {}).passed, false);
    assert.equal(upstreamVerdict(config, "prod", oneChanged, ["db", "frontend"], staging, {}).passed, true, "promoting only the components staging runs");
  });
});

describe("recording a published release", () => {
  it("takes each digest from the published image and validates the whole record", () => {
    const image = (n: string) => `registry.example.com/acme/webshop/${n}:${REV_A}@sha256:${"5".repeat(64)}`;
    const r = newReleaseRecord({
      application: "webshop",
      revision: REV_A,
      created: "2026-11-22T08:00:00Z",
      source: "",
      components: {
        db: { image: image("db"), version: "1.1.0", requires: {}, migrations: [{ script: "V1_0_0__create_products.sql", version: "1.0.0", checksum: -1 }] },
        backend: { image: image("backend"), version: "1.2.0", requires: { db: ">=1.1.0" } },
      },
      evidence: { checks: "passed", e2e: "passed" },
    });
    assert.equal(r.components.backend.digest, `sha256:${"5".repeat(64)}`);
    assert.deepEqual(r.evidence, { checks: "passed", e2e: "passed", scans: {}, builtBy: "" });
    assert.throws(
      () => newReleaseRecord({ ...r, components: { backend: { image: "registry.example.com/acme/webshop/backend:1.2.0", version: "1.2.0", requires: {} } } }),
      /components\.backend: image .* carries no digest/,
    );
  });
});
