// Every side effect happens exactly once per call (R-REL-1): each root function runs once through
// the engine model, which executes never-cached functions again for every query that selects
// through them, as the engine does; the counts are of real writes (git pushes to a bare
// repository, manifests pushed to the harness's registry, writes to a local server speaking
// GitHub's release API through the gitops module's real @octokit/rest client) and of executions of
// the module functions that write (migrate, the Aspire run, the release page). Mutants that read a
// never-cached result twice are caught.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { previewOf } from "../../.dagger/src/release/preview.js";
import { renderReleaseRecord, type ReleaseRecord } from "../../.dagger/src/release/record.js";
import { emptyState, promoted, renderEnvironmentState } from "../../.dagger/src/release/state.js";
import { mintId } from "../recorder/ids.js";
import { git, history } from "../gitops/git/git-fixture.js";
import { type ApiServer, apiServer } from "../gitops/git/api-server.js";
import { type FakeRelease, fakeGithubReleases } from "../gitops/git/fake-github-releases.js";
import { exampleRelease, REV_A } from "../release/fixture.js";
import { makeMutant } from "../tiers/mutant.js";
import { GITOPS_SEED, harnessApp, type HarnessApp } from "./app.js";
import { Harness } from "./harness.js";
import { releaseScans, standIns } from "./stand-ins.js";
import { MemoryRegistry } from "./registry.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string) => mintId([{ field: "setSecret", args: { name } }]);

/** Release A recorded and on dev, as the push to main leaves it: a tag's job starts from here without a ci. */
const A = exampleRelease(REV_A, "1");
const RELEASED_ON_DEV = {
  ...GITOPS_SEED,
  [`releases/${REV_A}.json`]: renderReleaseRecord(A),
  "environments/dev/.pipeline/state.json": renderEnvironmentState(promoted(emptyState("dev"), A, ["db", "backend", "frontend"], "2026-11-22T08:00:00Z")),
};

/** Container answers the model does not compute: Flyway's recorded output; a stand-in clean Trivy report. */
const stubs = standIns();

/** A local server speaking GitHub's release API for acme/webshop, named by the application's pipeline.yaml (releases.apiUrl). */
async function githubReleasesOf(app: HarnessApp): Promise<{ api: ApiServer; store: FakeRelease[]; writes: () => string[] }> {
  const store: FakeRelease[] = [];
  let url = "";
  const api = await apiServer(fakeGithubReleases("acme", "webshop", store, () => url));
  url = api.url;
  const file = join(app.root, "pipeline.yaml");
  const text = readFileSync(file, "utf8");
  if (!text.includes("releases:\n  provider: github\n")) throw new Error("the example's pipeline.yaml no longer has releases: provider: github");
  writeFileSync(file, text.replace("releases:\n  provider: github\n", `releases:\n  provider: github\n  apiUrl: ${api.url}\n`));
  // Every request that changes something on the host, in order.
  const writes = () => api.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
  return { api, store, writes };
}

/** The one release page a tag should write: created, with its two files, and nothing replaced. */
const ONE_PAGE = ["POST /repos/acme/webshop/releases", "POST /repos/acme/webshop/releases/1000/assets", "POST /repos/acme/webshop/releases/1000/assets"];

/** Writes per (repository, tag) in the registry: every one must be 1. */
const registryWrites = (r: MemoryRegistry) => r.writes.reduce<Record<string, number>>((m, w) => ({ ...m, [`${w.repository}:${w.tag}`]: (m[`${w.repository}:${w.tag}`] ?? 0) + 1 }), {});

describe("side effects: exactly once per call", () => {
  // Each test has its own registry, so a push is never answered by an earlier test's image.
  let registry: MemoryRegistry;
  let app: HarnessApp;
  beforeEach(async () => {
    registry = await new MemoryRegistry().start();
  });
  afterEach(() => registry.stop());

  const harness = (sources?: string) => {
    const h = new Harness({ root: app.root, registry, remotes: app.remotes, stubs, ...(sources ? { sources } : {}) });
    h.engine.setSecret("registry-token", "reg-token");
    h.engine.setSecret("gitops-token", "gitops-token");
    return h;
  };
  const ci = (h: Harness) => h.call("pipeline", {}, "ci", { revision: REV, branch: "main", registryToken: secret("registry-token"), gitopsToken: secret("gitops-token") }, "summary");

  it("ci on main: one push of each image per tag, one migrate, one Aspire run, one record commit, one dev commit", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const summary = String(await ci(h));
    assert.match(summary, /\| promote \| ✅ promoted to dev \|/, summary);
    assert.deepEqual(Object.values(registryWrites(registry)), Array(6).fill(1), JSON.stringify(registryWrites(registry)));
    assert.equal(h.engine.count("gitops", "push"), 2, "the record and the dev promotion");
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject.split(" ").slice(0, 2).join(" ")),
      ["promote 0123456789ab", "record release", "seed"],
    );
    assert.equal(h.engine.count("flyway", "migrate"), 1, "E2E migrates its database once");
    assert.equal(h.engine.count("aspire", "test"), 1, "the Aspire run runs once, and its verdict and reports come from that run");
    await app.close();
  });

  it("ci with notifications: the chat webhook is posted to once per call", async () => {
    app = await harnessApp(registry.address);
    const file = join(app.root, "pipeline.yaml");
    writeFileSync(file, `${readFileSync(file, "utf8")}\nnotifications:\n  on: always\n  webhook:\n    format: slack\n`);
    const posts: string[] = [];
    const chat = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d));
      req.on("end", () => {
        posts.push(`${req.method} ${req.url} ${body.length > 0 ? "with a body" : "empty"}`);
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => chat.listen(0, "127.0.0.1", r));
    try {
      const h = harness();
      h.engine.setSecret("chat-webhook", `http://127.0.0.1:${(chat.address() as AddressInfo).port}/hooks/ci`);
      const summary = String(
        await h.call(
          "pipeline",
          {},
          "ci",
          { revision: REV, branch: "main", registryToken: secret("registry-token"), gitopsToken: secret("gitops-token"), notifyWebhook: secret("chat-webhook") },
          "summary",
        ),
      );
      assert.match(summary, /## Notifications\n\n- chat: /, summary);
      assert.deepEqual(posts, ["POST /hooks/ci with a body"], "one post to the chat webhook");
      assert.equal(h.engine.count("notify", "webhook"), 1);
    } finally {
      chat.closeAllConnections();
      await new Promise((r) => chat.close(r));
      await app.close();
    }
  });

  it("publish: each image pushed once per tag", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const out = String(await h.call("pipeline", {}, "publish", { revision: REV, registryToken: secret("registry-token") }));
    assert.match(out, /^db\t/m);
    assert.deepEqual(Object.values(registryWrites(registry)), Array(6).fill(1), JSON.stringify(registryWrites(registry)));
    // Item 4: a second publish in a later session runs again (never cached) instead of answering the
    // first call's digests from the function cache; the registry already has both tags, so nothing is written twice.
    await h.call("pipeline", {}, "publish", { revision: REV, registryToken: secret("registry-token") });
    assert.equal(h.engine.count("pipeline", "publish"), 2, "publish ran again");
    assert.deepEqual(Object.values(registryWrites(registry)), Array(6).fill(1), "and wrote no tag twice");
    await app.close();
  });

  it("preview, then prune-previews once its branch is gone: one commit each", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const images = ["db", "backend", "frontend"].map((c) => `${c}=${registry.address}/acme/webshop/${c}:${REV}@sha256:${"d".repeat(64)}`);
    const written = String(await h.call("pipeline", {}, "preview", { branch: "feature/cart", images, gitopsToken: secret("gitops-token") }));
    assert.match(written, /Pushed [0-9a-f]{12} to main/);
    assert.equal(h.engine.count("gitops", "push"), 1);
    const pruned = String(await h.call("pipeline", {}, "prunePreviews", { branches: ["main"], gitopsToken: secret("gitops-token") }));
    assert.match(pruned, /Pushed [0-9a-f]{12} to main/);
    assert.equal(h.engine.count("gitops", "push"), 2);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject.split(" ").slice(0, 2).join(" ")),
      // "feature/cart" holds a "/": its namespace carries a short hash of the exact branch name.
      ["remove previews", `preview ${previewOf(parseConfig(readFileSync(join(app.root, "pipeline.yaml"), "utf8")), "feature/cart").namespace}`, "seed"],
    );
    await app.close();
  });

  it("e2e alone: one migrate of its database per call, and its verdict from that run", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const summary = String(await h.call("pipeline", {}, "e2e", { revision: REV }, "summary"));
    assert.match(summary, /^\| db \| migrate \| ✅ passed \|/m, summary);
    assert.match(summary, /^\| e2e \| playwright \| ✅ passed \|/m, summary);
    assert.match(summary, /^## E2E: passed$/m, summary);
    assert.equal(h.engine.count("pipeline", "e2e"), 1);
    assert.equal(h.engine.count("flyway", "migrate"), 1, "one migrate per call");
    await h.call("pipeline", {}, "e2e", { revision: REV }, "summary");
    assert.equal(h.engine.count("flyway", "migrate"), 2, "a second call migrates again (never cached), once");
    assert.deepEqual(Object.values(registryWrites(registry)), [], "e2e pushes nothing");
    await app.close();
  });

  it("integration alone: one Aspire run per call", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const summary = String(await h.call("pipeline", {}, "integration", { revision: REV }, "summary"));
    assert.match(summary, /^\| aspire \| integration \| ✅ passed \|/m, summary);
    // Its own stage, not E2E's: the title, and the reports under integration/.
    assert.match(summary, /^## Integration \(Aspire\): passed$/m, summary);
    assert.doesNotMatch(summary, /^## E2E/m, summary);
    assert.equal(h.engine.count("aspire", "test"), 1, "one Aspire run per call");
    await h.call("pipeline", {}, "integration", { revision: REV }, "summary");
    assert.equal(h.engine.count("aspire", "test"), 2, "a second call runs again (never cached), once");
    assert.deepEqual(Object.values(registryWrites(registry)), [], "integration pushes nothing");
    await app.close();
  });

  it("integration --override: another repository's digest gets the run's verdict in reports/evidence.json, keyed by its digest", async () => {
    app = await harnessApp(registry.address);
    const h = harness();
    const orders = `${registry.address}/acme/orders:${"c".repeat(40)}@sha256:${"9".repeat(64)}`;
    const data = (await h.session((query) =>
      query(`query { pipeline { integration(revision: "${REV}", override: ["backend=${orders}"]) { passed reports { file(path: "evidence.json") { contents } } } } }`),
    )) as { pipeline: { integration: { passed: boolean; reports: { file: { contents: string } } } } };
    const run = data.pipeline.integration;
    const evidence = JSON.parse(run.reports.file.contents) as {
      kind: string;
      application: string;
      revision: string;
      digests: Record<string, { resource: string; image: string; integration: string }>;
    };
    assert.equal(evidence.kind, "pipeline-as-code/integration-evidence/v1");
    assert.equal(evidence.revision, REV);
    assert.deepEqual(evidence.digests, { [`sha256:${"9".repeat(64)}`]: { resource: "backend", image: orders, integration: run.passed ? "passed" : "failed" } });
    await app.close();
  });

  it("release of a tag: one release page (created once, its two files uploaded once), and the staging promotion lands as one commit, judged by the real gates on the release's scan reports, with the digests ci promoted to dev", async () => {
    app = await harnessApp(registry.address);
    const github = await githubReleasesOf(app);
    try {
      // The push to main before the tag: ci records the release and promotes it to dev.
      await ci(harness());
      const record = JSON.parse(git(app.gitops, "show", `main:releases/${REV}.json`)) as ReleaseRecord;
      // The tag's job: another dagger call, on another runner.
      const h = harness();
      h.engine.setSecret("release-token", "release-token-canary");
      const out = String(
        await h.call("pipeline", {}, "release", {
          tag: "v1.2.0",
          revision: REV,
          repository: "https://github.com/acme/webshop",
          gitopsToken: secret("gitops-token"),
          releaseToken: secret("release-token"),
          scans: releaseScans(record),
        }),
      );
      assert.match(out, /^# Release v1\.2\.0\n\n## Release page\n\nCreated release v1\.2\.0 \(https:\/\/github\.com\/acme\/webshop\/releases\/tag\/v1\.2\.0\): 2 asset\(s\) uploaded\./, out);
      assert.match(out, /## staging\n\nPromotion of release 0123456789ab/, out);
      // The release page: written once.
      assert.equal(h.engine.count("gitops", "hostRelease"), 1);
      assert.deepEqual(github.writes(), ONE_PAGE);
      assert.deepEqual(
        github.store.map((r) => [r.tag, r.assets.map((a) => a.name).sort()]),
        [["v1.2.0", ["compose.yaml", "release.json"]]],
      );
      const created = github.api.requests.find((r) => r.method === "POST" && r.path.endsWith("/releases"));
      assert.deepEqual(created?.body, { tag_name: "v1.2.0", target_commitish: REV, name: (created!.body as { name: string }).name, body: (created!.body as { body: string }).body, prerelease: false });
      for (const r of github.api.requests) assert.equal(r.headers.authorization, "token release-token-canary", `${r.method} ${r.path} carries the release token`);
      // Staging: one commit, after the gates judged the scans of the release's digests.
      assert.match(out, /\| vulnerabilities \| ✅ passed \|/, out);
      assert.equal(h.engine.count("gates", "vulnerabilities"), 1, "the real gate judged once");
      assert.equal(h.engine.count("gitops", "push"), 1, "one push: the staging promotion");
      assert.deepEqual(
        history(app.gitops).map((c) => c.subject.split(":")[0]),
        ["promote 0123456789ab to staging", "promote 0123456789ab to dev", "record release 0123456789ab", "seed"],
      );
      // The tag lands on staging as ci's push landed on dev: the same digests, the ones recorded and published.
      const staging = git(app.gitops, "show", "main:environments/staging/kustomization.yaml");
      const dev = git(app.gitops, "show", "main:environments/dev/kustomization.yaml");
      for (const [name, c] of Object.entries(record.components)) {
        assert.ok(staging.includes(c.digest), `staging runs ${name} by its recorded digest`);
        assert.ok(dev.includes(c.digest), `dev runs ${name} by the same digest`);
      }
      assert.deepEqual(Object.values(registryWrites(registry)), Array(6).fill(1), "the tag pushes no image: ci's pushes only");
    } finally {
      await github.api.close();
      await app.close();
    }
  });

  it("release of a tag whose staging gate refuses: the page is written once, nothing is pushed, and the call fails saying both", async () => {
    // The release recorded and on dev, as the push to main leaves it; its backend scan has a blocking finding.
    app = await harnessApp("registry.example.com", RELEASED_ON_DEV);
    const github = await githubReleasesOf(app);
    try {
      const h = harness();
      h.engine.setSecret("release-token", "release-token-canary");
      const failed = await h
        .call("pipeline", {}, "release", {
          tag: "v1.2.0",
          revision: REV_A,
          repository: "https://github.com/acme/webshop",
          gitopsToken: secret("gitops-token"),
          releaseToken: secret("release-token"),
          scans: releaseScans(A, "CVE-2026-4242"),
        })
        .then(
          () => "resolved",
          (e: Error) => e.message,
        );
      assert.match(
        failed,
        /## Release page\n\nCreated release v1\.2\.0 \(https:\/\/github\.com\/acme\/webshop\/releases\/tag\/v1\.2\.0\): 2 asset\(s\) uploaded\.[\s\S]*## staging\n\n[\s\S]*CVE-2026-4242[\s\S]*Refused by vulnerabilities: nothing was written\./,
        failed,
      );
      assert.equal(h.engine.count("gitops", "hostRelease"), 1);
      assert.deepEqual(github.writes(), ONE_PAGE, "the page is written once");
      assert.equal(h.engine.count("gates", "vulnerabilities"), 1, "the real gate judged the scans");
      assert.equal(h.engine.count("gitops", "push"), 0, "nothing pushed");
      assert.deepEqual(
        history(app.gitops).map((c) => c.subject),
        ["seed"],
      );
    } finally {
      await github.api.close();
      await app.close();
    }
  });

  it("mutant: a release page published twice (the never-cached hostRelease called again) is seen: two executions, and its files deleted and uploaded again", async () => {
    // The release recorded and on dev, as the push to main leaves it; no ci needed here.
    app = await harnessApp("registry.example.com", RELEASED_ON_DEV);
    const github = await githubReleasesOf(app);
    try {
      const from = "  const published = await dag.gitops({ image: mirrorImage(GIT_IMAGE, config.mirror?.images) }).hostRelease(";
      const sources = makeMutant("release-page-twice", [
        {
          file: ".dagger/src/stages/release-page.ts",
          from,
          to: `  await dag.gitops({ image: mirrorImage(GIT_IMAGE, config.mirror?.images) }).hostRelease(releases.provider, repository, req.tag, req.revision, name, body, { assets: files, token: req.releaseToken, apiUrl: releases.apiUrl ?? "", prerelease: semver.prerelease(req.tag) !== null });\n${from}`,
        },
      ]);
      const h = harness(sources);
      h.engine.setSecret("release-token", "release-token-canary");
      await h.call("pipeline", {}, "release", {
        tag: "v1.2.0",
        revision: REV_A,
        repository: "https://github.com/acme/webshop",
        gitopsToken: secret("gitops-token"),
        releaseToken: secret("release-token"),
        scans: releaseScans(A),
      });
      assert.equal(h.engine.count("gitops", "hostRelease"), 2, "the exactly-once count above would fail");
      assert.notDeepEqual(github.writes(), ONE_PAGE, "and so would the writes");
      assert.equal(github.writes().filter((w) => w.startsWith("DELETE")).length, 2, "each file deleted and uploaded again");
      assert.equal(h.engine.count("gitops", "push"), 1, "the promotion itself still once");
    } finally {
      await github.api.close();
      await app.close();
    }
  });

  it("mutant: Flyway's migrate and the Aspire run read twice (a second field of a never-cached result) run twice, and the e2e and integration counts above see it", async () => {
    app = await harnessApp(registry.address);
    const sources = makeMutant("e2e-aspire-read-twice", [
      {
        file: ".dagger/src/stages/e2e.ts",
        from: "      const { succeeded, message, schemaVersion } = JSON.parse(await result.json())",
        to: "      await result.json();\n      const { succeeded, message, schemaVersion } = JSON.parse(await result.json())",
      },
      { file: ".dagger/src/stages/aspire.ts", from: "  const reports = await run.reports().sync();", to: "  await run.reports().sync();\n  const reports = await run.reports().sync();" },
    ]);
    const h = harness(sources);
    await h.call("pipeline", {}, "e2e", { revision: REV }, "summary");
    assert.equal(h.engine.count("flyway", "migrate"), 2);
    await h.call("pipeline", {}, "integration", { revision: REV }, "summary");
    assert.equal(h.engine.count("aspire", "test"), 2);
    await app.close();
  });

  it("mutant: a never-cached GitOps outcome read twice (json, then summary) pushes twice, and this test sees it", async () => {
    app = await harnessApp(registry.address);
    const sources = makeMutant("read-twice", [
      {
        file: ".dagger/src/stages/promote.ts",
        from: "    const json = await outcome.json();",
        to: "    const json = await outcome.json();\n    await outcome.summary();",
      },
    ]);
    const h = harness(sources);
    await ci(h);
    assert.equal(h.engine.count("gitops", "push"), 4, "each of the two writes ran twice: the exactly-once assertion above would fail");
    await app.close();
  });
});
