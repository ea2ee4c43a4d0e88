// release and promote without --scans: the vulnerability gate judges a Trivy scan of the release's
// published images made in that call (pulled by digest), not a report from elsewhere; so a tag
// lands on staging from the wrappers, which pass no reports. Trivy does not run here: its answers
// are stand-in reports, and which image each scan mounts is read from the query. Nothing here ran in Dagger.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { mintId } from "../recorder/ids.js";
import { git, history } from "../gitops/git/git-fixture.js";
import { harnessApp, type HarnessApp } from "./app.js";
import { Harness } from "./harness.js";
import { standIns } from "./stand-ins.js";
import { MemoryRegistry } from "./registry.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string) => mintId([{ field: "setSecret", args: { name } }]);
/** Flyway's recorded output; clean scans, except (when given) a CRITICAL finding in the scan of the published backend pulled by its SHA tag and digest. */
const stubs = (criticalInPublishedBackend?: string) => standIns((leaf) => (leaf.includes(`/acme/webshop/backend:${REV}@sha256:`) ? criticalInPublishedBackend : undefined));

describe("harness: release and promote scan the release's images in the call that judges them", () => {
  const registry = new MemoryRegistry();
  let app: HarnessApp;
  before(() => registry.start());
  after(() => registry.stop());

  /** The example without a release page (no GitHub here); staging is promoted on a tag. ci on main first records the release and promotes dev. */
  const released = async () => {
    app = await harnessApp(registry.address);
    const file = join(app.root, "pipeline.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^releases:\n(?: .*\n)*/m, ""));
    const h = new Harness({ root: app.root, registry, remotes: app.remotes, stubs: stubs() });
    h.engine.setSecret("registry-token", "r");
    h.engine.setSecret("gitops-token", "g");
    const summary = String(await h.call("pipeline", {}, "ci", { revision: REV, branch: "main", registryToken: secret("registry-token"), gitopsToken: secret("gitops-token") }, "summary"));
    assert.match(summary, /^# webshop ci: ✅ passed/, summary);
    return JSON.parse(git(app.gitops, "show", `main:releases/${REV}.json`)) as { components: Record<string, { image: string; digest: string }> };
  };
  const tagCall = (critical?: string) => {
    const h = new Harness({ root: app.root, registry, remotes: app.remotes, stubs: stubs(critical) });
    h.engine.setSecret("registry-token", "r");
    h.engine.setSecret("gitops-token", "g");
    return { h, out: h.call("pipeline", {}, "release", { tag: "v1.2.0", revision: REV, gitopsToken: secret("gitops-token"), registryToken: secret("registry-token") }).then(String) };
  };

  it("a tag without --scans: each image of the release is pulled by digest and scanned, and staging lands as one commit", async () => {
    const record = await released();
    try {
      const { h, out } = tagCall();
      const text = await out;
      assert.match(text, /\| vulnerabilities \| ✅ passed \| 3 images/, text);
      assert.deepEqual(
        history(app.gitops).map((c) => c.subject.split(":")[0]),
        ["promote 0123456789ab to staging", "promote 0123456789ab to dev", "record release 0123456789ab", "seed"],
      );
      // The scans mounted the published images themselves, by the digests the record names.
      const scans = h.queries.filter((q) => q.includes("/scan/report.json"));
      for (const [name, c] of Object.entries(record.components)) {
        const pulled = scans.some((q) => (q.match(/recorded-id:[A-Za-z0-9_-]+/g) ?? []).some((id) => Buffer.from(id.slice(12), "base64url").toString("utf8").includes(c.image)));
        assert.ok(pulled, `${name}: scanned from ${c.image}`);
      }
    } finally {
      await app.close();
    }
  });

  it("a CRITICAL finding in the published backend refuses staging, naming it; nothing is written", async () => {
    await released();
    try {
      const { out } = tagCall("CVE-2026-4242");
      await assert.rejects(out, /promotion to staging|CVE-2026-4242/);
      await out.catch((e: Error) => assert.match(e.message, /CVE-2026-4242/));
      assert.deepEqual(
        history(app.gitops).map((c) => c.subject.split(":")[0]),
        ["promote 0123456789ab to dev", "record release 0123456789ab", "seed"],
        "nothing written for staging",
      );
    } finally {
      await app.close();
    }
  });
});
