// Recorded graphs of prune-previews and release: what they read from the GitOps repository and
// what they write. A recording proves structure only; promote, rollback and ci's delivery run
// through the engine model with the real gates and a real GitOps repository (test/harness).
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { migrationRecords } from "../../.dagger/src/stages/deliver.js";
import { renderReleaseRecord } from "../../.dagger/src/release/record.js";
import { emptyState, promoted, renderEnvironmentState } from "../../.dagger/src/release/state.js";
import { exampleRelease, REV_A } from "../release/fixture.js";
import { exampleConfig } from "../topology/fixture.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

/** The GitOps repository's tree as the recorder renders it, with or without a token. */
const REPO = String.raw`git\((?:httpAuthToken: setSecret\(name: "[^"]+"\), )?url: "https://github\.com/acme/webshop-gitops\.git"\)\.branch\(name: "main"\)\.tree`;
const A = exampleRelease(REV_A, "1");
const dev = promoted(emptyState("dev"), A, ["db", "backend", "frontend"], "2026-11-22T08:00:00Z");

/** The GitOps repository's files, by path; gate answers; the gitops module's answers. */
/** The GitOps engine: `files` in the repository, gate answers, and each write's status by its leaf (default: it landed). */
function gitops(files: Record<string, string>, gate: { compatibility?: boolean; vulnerabilities?: boolean } = {}, writeStatus: (leaf: string) => string = () => "pushed") {
  return exampleEngine((leaf) => {
    // A write's outcome is read once, as its one JSON field (push and propose are never cached).
    const write = /^gitops\(.*\)\.(push|propose)\(.*\)\.json$/.exec(leaf);
    if (write) {
      const status = writeStatus(leaf);
      return JSON.stringify({
        status,
        where: "0123456789abcdef0123456789abcdef01234567",
        state: "",
        summary: status === "pushed" ? "Pushed 0123456789ab to main (1 attempt)." : `${status}: main moved while pushing; nothing was written.`,
        detail: {},
      });
    }
    const exists = new RegExp(`^${REPO}\\.exists\\(path: "([^"]+)"\\)$`).exec(leaf);
    if (exists) return files[exists[1]] !== undefined;
    const read = new RegExp(`^${REPO}\\.file\\(path: "([^"]+)"\\)\\.contents$`).exec(leaf);
    if (read) return files[read[1]];
    const g = /^gates\.(compatibility|vulnerabilities)\(.*\)\.(passed|waivedByEmergency|summary|details)$/.exec(leaf);
    if (g) {
      const passed = gate[g[1] as "compatibility"] ?? true;
      return { passed, waivedByEmergency: false, summary: passed ? `${g[1]} ok` : `${g[1]} refused: backend 1.2.0 requires db >=1.1.0, but staging's db is 1.0.0`, details: [] }[g[2]];
    }
    if (/^gitops\.edit\(/.test(leaf)) return "images: []\n";
    if (/^gitops\(.*\)\.message\(/.test(leaf)) return "promote aaaaaaaaaaaa to staging\n";
    return undefined;
  });
}

const staged = {
  "releases/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json": renderReleaseRecord(A),
  "environments/dev/.pipeline/state.json": renderEnvironmentState(dev),
  "environments/staging/kustomization.yaml": "images: []\n",
};

describe("item 9: every Flyway from the mirror", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "gates", "gitops", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("item 9: promote --database-url, database-version, ci's E2E and checks, and the release record start Flyway from the mirrored image, never Docker Hub's default", async () => {
    // The mirrored image, by tag or pinned by digest (the build pins its base: item 16).
    const MIRRORED = /^flyway\(image: "nexus\.example\.com:8443\/docker-group\/flyway\/flyway:11\.20\.3(@sha256:[0-9a-f]{64})?"\)/;
    const url = () => dag.setSecret("database-url", "postgresql://app:pw@db.internal:5432/app");
    const files = { ...staged, "environments/dev/kustomization.yaml": "images: []\n" };
    const runs = {
      promote: await record(async () => new Pipeline(dag.directory()).promote("staging", "", [], false, "", undefined, undefined, url()).catch((e: Error) => e.message), gitops(files)),
      databaseVersion: await record(async () => new Pipeline(dag.directory()).databaseVersion(url()).catch((e: Error) => e.message), gitops(files)),
      ci: await record(async () => (await new Pipeline(dag.directory()).ci("c".repeat(40), undefined, "", "", undefined, dag.setSecret("gitops-token", "g"), "main")).summary, gitops(files)),
      migrationRecords: await record(
        async () => migrationRecords({ config: exampleConfig(), source: dag.directory(), runId: "run-1" }, "c".repeat(40)),
        (leaf) => (/\.checksums\(/.test(leaf) ? '{"release":"c","migrations":[]}' : gitops(files)(leaf)),
      ),
    };
    for (const [name, run] of Object.entries(runs)) {
      const flyway = run.graph.leaves.filter((l) => /^flyway\b/.test(l));
      assert.ok(flyway.length > 0, `${name} asks Flyway`);
      assert.deepEqual(
        flyway.filter((l) => !MIRRORED.test(l)),
        [],
        `${name}: every Flyway is the mirrored image`,
      );
    }
  });
});

describe("recorded graph of prune-previews (for hosts without a branch-deletion event)", () => {
  before(() => {
    for (const m of ["gitops"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  /** The GitOps tree with two previews, one of a live branch; entries as the engine lists them. */
  const tree = (leaf: string) => {
    const entries = new RegExp(`^${REPO}\\.directory\\(path: "([^"]+)"\\)\\.entries$`).exec(leaf);
    if (entries) return entries[1] === "previews" ? ["preview-feature-live/", "preview-feature-gone/"] : ["kustomization.yaml", "namespace.yaml"];
    return gitops({ previews: "" })(leaf);
  };

  it("deletes only the folders of branches that are gone, in one push", async () => {
    const { graph } = await record(async () => new Pipeline(dag.directory()).prunePreviews(["main", "feature-live"], dag.setSecret("gitops-token", "t")), tree);
    const push = graph.leaves.find((l) => /^gitops\(.*\)\.push\(/.test(l)) as string;
    assert.ok(push, "one push");
    assert.match(push, /deletePaths: \["previews\/preview-feature-gone\/kustomization\.yaml", "previews\/preview-feature-gone\/namespace\.yaml"\]/);
    assert.doesNotMatch(push, /preview-feature-live/);
    // What the push did is the gitops module's answer (stubbed here): test/harness/side-effects.test.ts pushes for real.
  });

  it("an empty branch list is refused and nothing is written", async () => {
    const { result, graph } = await record(async () => new Pipeline(dag.directory()).prunePreviews([]).catch((e: Error) => e.message), tree);
    assert.match(result, /branches: no live branch given/);
    assert.ok(!graph.leaves.some((l) => /\.push\(/.test(l)), "nothing pushed");
  });
});

describe("recorded graph of pipeline release (a release tag, in one call)", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "gates", "gitops", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });
  const PAGE = "Created release v1.4.0 (https://github.com/acme/webshop/releases/tag/v1.4.0): 2 asset(s) uploaded.";
  const engine = (gate: { compatibility?: boolean } = {}) => {
    const repo = gitops(staged, gate);
    return (leaf: string) => (/\.hostRelease\(.*\)$/.test(leaf) ? PAGE : repo(leaf));
  };
  const release = (o: { repository?: string; dryRun?: boolean; tag?: string } = {}) =>
    new Pipeline(dag.directory()).release(
      o.tag ?? "v1.4.0",
      REV_A,
      dag.setSecret("gitops-token", "g"),
      dag.setSecret("release-token", "r"),
      o.repository ?? "https://github.com/acme/webshop",
      undefined,
      o.dryRun ?? false,
    );

  it("writes the GitHub release page from the release recorded for the commit (notes, release.json, compose.yaml), then promotes it to staging", async () => {
    const { graph } = await record(async () => release(), engine());
    const leaves = graph.leaves;
    const page = leaves.findIndex((l) => /\.hostRelease\(/.test(l));
    const push = leaves.findIndex((l) => /\.push\(.*\)\.json$/.test(l));
    assert.ok(page >= 0 && push > page, `the page (${page}) is written before the staging promotion (${push})`);
    const call = leaves[page];
    assert.match(call, /hostRelease\(apiUrl: "", assets: directory\.withNewFile\(contents: "\{\\n {2}\\"kind\\": \\"pipeline-as-code\/release\/v1\\",/);
    assert.match(
      call,
      /\\n", path: "release\.json"\)\.withNewFile\(contents: "# Generated by pipeline-as-code .*services:\\n {2}db:.*image: registry\.example\.com\/acme\/webshop\/backend:a{40}@sha256:1{64}.*", path: "compose\.yaml"\), body: /,
    );
    assert.match(
      call,
      /name: "webshop v1\.4\.0", prerelease: false, provider: "github", repository: "https:\/\/github\.com\/acme\/webshop", tag: "v1\.4\.0", target: "a{40}", token: setSecret\(name: "release-token"\)\)$/,
    );
    assert.match(
      call,
      /body: "Release \*\*v1\.4\.0\*\* of webshop: commit \[aaaaaaaaaaaa\]\(https:\/\/github\.com\/acme\/webshop\/commit\/a{40}\), built 2026-11-22T08:00:00Z by https:\/\/ci\.example\.com\/run\/1\./,
    );
    assert.match(call, /\| backend \| 1\.2\.0 \| `registry\.example\.com\/acme\/webshop\/backend:a{40}@sha256:1{64}` \| db >=1\.1\.0 \|/);
    assert.match(leaves[push], /environments\/staging\/kustomization\.yaml/);
    // The page's and the promotion's outcomes are the gitops and gates modules' answers (stubbed here):
    // test/harness/side-effects.test.ts has them from their own code, against a local GitHub release API.
  });

  it("dry run: the page's notes and the promotion's verdicts; nothing written", async () => {
    const { result, graph } = await record(async () => release({ dryRun: true }), engine());
    assert.equal(graph.leaves.filter((l) => /\.(hostRelease|push|propose)\(/.test(l)).length, 0);
    assert.match(result, /Dry run: the GitHub release page of v1\.4\.0 would read:/);
    assert.match(result, /\| frontend \| 1\.2\.0 \|/);
  });

  it("bad input fails before anything is read or written: a tag that is no version, no repository to publish to", async () => {
    const bad = await record(async () => release({ tag: "latest-build" }).catch((e: Error) => e.message), engine());
    assert.match(bad.result, /^ref: release tag "latest-build" is not a semantic version/);
    assert.equal(bad.graph.leaves.filter((l) => /^git\(|hostRelease|push\(/.test(l)).length, 0);
    const nowhere = await record(async () => release({ repository: "" }).catch((e: Error) => e.message), engine());
    assert.match(nowhere.result, /^repository: the release page needs the application repository's https URL: pass --repository/);
    assert.equal(nowhere.graph.leaves.filter((l) => /^git\(|hostRelease|push\(/.test(l)).length, 0);
    const noToken = await record(
      async () => new Pipeline(dag.directory()).release("v1.4.0", REV_A, dag.setSecret("gitops-token", "g"), undefined, "https://github.com/acme/webshop").catch((e: Error) => e.message),
      engine(),
    );
    assert.equal(noToken.result, "release-token: the GitHub release page of v1.4.0 needs a token of https://github.com/acme/webshop with release write access (--release-token=env://RELEASE_TOKEN)");
    assert.equal(noToken.graph.leaves.filter((l) => /^git\(|hostRelease|push\(/.test(l)).length, 0);
  });
});
