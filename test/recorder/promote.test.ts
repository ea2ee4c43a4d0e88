// Recorded graph of promote: what it reads from the GitOps repository, which gates it asks, what
// it writes and how. A recording proves structure; the gates, the editors and the push script
// run for real in their own tests (test/gates, test/gitops).
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { deliver, migrationRecords } from "../../.dagger/src/stages/deliver.js";
import { deliveryVerdict } from "../../.dagger/src/report/run.js";
import { renderReleaseRecord } from "../../.dagger/src/release/record.js";
import { emptyState, promoted, renderEnvironmentState } from "../../.dagger/src/release/state.js";
import { exampleRelease, REV_A, REV_B } from "../release/fixture.js";
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
    const write = /^gitops\(.*\)\.(push|propose)\(.*\)\.(status|summary)$/.exec(leaf);
    if (write && writeStatus(leaf) !== "pushed") return write[2] === "status" ? writeStatus(leaf) : `${writeStatus(leaf)}: main moved while pushing; nothing was written.`;
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
    if (write) return write[2] === "status" ? "pushed" : "Pushed 0123456789ab to main (1 attempt).";
    return undefined;
  });
}

/** promote with named options, in the order of the function's parameters. */
const promote = (env: string, o: { revision?: string; emergency?: boolean; reason?: string; dryRun?: boolean } = {}) =>
  new Pipeline(dag.directory()).promote(env, o.revision ?? "", [], o.emergency ?? false, o.reason ?? "", undefined, undefined, undefined, o.dryRun ?? false);

const staged = {
  "releases/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json": renderReleaseRecord(A),
  "environments/dev/.pipeline/state.json": renderEnvironmentState(dev),
  "environments/staging/kustomization.yaml": "images: []\n",
};

describe("recorded graph of pipeline promote", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "gates", "gitops", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("reads state and release from the GitOps repository, asks both gates, edits the environment's file and pushes one commit", async () => {
    const { result, graph } = await record(async () => promote("staging"), gitops(staged));
    assert.match(result, /Promotion of release aaaaaaaaaaaa \(backend 1\.2\.0, db 1\.1\.0, frontend 1\.2\.0\) to staging/);
    assert.match(result, /\| upstream \| ✅ passed \| release aaaaaaaaaaaa reached dev first \|/);
    assert.match(result, /Pushed 0123456789ab/);
    const leaves = graph.leaves;
    const compat = leaves.find((l) => /^gates\.compatibility\(/.test(l)) as string;
    assert.match(compat, /deployed: "\{\}", environment: "staging", promoted: "\{\\"backend\\":\{\\"version\\":\\"1\.2\.0\\",\\"requires\\":\{\\"db\\":\\">=1\.1\.0\\"\}\}/);
    const vulns = leaves.find((l) => /^gates\.vulnerabilities\(/.test(l)) as string;
    assert.match(vulns, /images: \["backend=registry\.example\.com\/acme\/webshop\/backend:a{40}@sha256:1{64}", "db=/);
    assert.match(vulns, /severities: \["CRITICAL"\]/);
    assert.ok(leaves.some((l) => /^gitops\.edit\(format: "kustomize", helmPaths: "\{\}", path: "environments\/staging\/kustomization\.yaml", text: "images: \[\]\\n", updates: \["registry\.example\.com\/acme\/webshop\/backend=a{40}@sha256:1{64}"/.test(l)));
    const push = leaves.find((l) => /\.push\(/.test(l)) as string;
    assert.match(push, /^gitops\(image: "nexus\.example\.com:8443\/docker-group\/library\/node:22-bookworm"\)\.push\(branch: "main", files: directory\.withNewFile\(contents: "images: \[\]\\n", path: "environments\/staging\/kustomization\.yaml"\)\.withNewFile\(contents: "\{\\n  \\"kind\\": \\"pipeline-as-code\/environment\/v1\\"/);
    assert.match(push, /remote: "https:\/\/github\.com\/acme\/webshop-gitops\.git"/);
    assert.equal(leaves.filter((l) => /\.(push|propose)\(.*\)\.summary$/.test(l)).length, 1, "one write");
  });

  it("a write that does not land (conflict) fails the call with the module's summary, never a success text", async () => {
    const { result } = await record(async () => promote("staging").then(() => "resolved", (e: Error) => e.message), gitops(staged, {}, () => "conflict"));
    assert.equal(result, "promotion to staging: not written (conflict): conflict: main moved while pushing; nothing was written.");
  });

  it("a refused gate writes nothing and names the cause", async () => {
    const { result, graph } = await record(async () => promote("staging").catch((e: Error) => e.message), gitops(staged, { compatibility: false }));
    assert.match(result, /\| compatibility \| ❌ refused \| compatibility refused: backend 1\.2\.0 requires db >=1\.1\.0, but staging's db is 1\.0\.0 \|/);
    assert.match(result, /Refused by compatibility: nothing was written\./);
    assert.equal(graph.leaves.filter((l) => /\.(push|propose|diff)\(/.test(l)).length, 0);
  });

  it("an emergency waives the upstream rule and the vulnerability gate, never compatibility", async () => {
    const urgent = { ...staged, [`releases/${REV_B}.json`]: renderReleaseRecord(exampleRelease(REV_B, "2")) };
    const promoteB = (gate: { compatibility?: boolean; vulnerabilities?: boolean }) =>
      record(async () => promote("staging", { revision: REV_B, emergency: true, reason: "CVE-2026-1234 hotfix" }).catch((e: Error) => e.message), gitops(urgent, gate));
    const refused = await promoteB({ compatibility: false });
    assert.match(refused.result, /Refused by compatibility: nothing was written\./);
    assert.equal(refused.graph.leaves.filter((l) => /\.(push|propose)\(/.test(l)).length, 0);
    const compat = refused.graph.leaves.find((l) => /^gates\.compatibility\(/.test(l)) as string;
    assert.doesNotMatch(compat, /emergency/i, "the compatibility gate is not told about the emergency");
    const allowed = await promoteB({});
    assert.match(allowed.result, /EMERGENCY: CVE-2026-1234 hotfix/);
    assert.match(allowed.result, /\| upstream \| ⚠️ waived \(emergency\) \| release bbbbbbbbbbbb has not been through dev, which staging follows; waived by emergency: CVE-2026-1234 hotfix \|/);
    const vulns = allowed.graph.leaves.find((l) => /^gates\.vulnerabilities\(/.test(l)) as string;
    assert.match(vulns, /emergencyReason: "CVE-2026-1234 hotfix"/);
    const push = allowed.graph.leaves.find((l) => /\.push\(.*\)\.summary$/.test(l)) as string;
    assert.match(push, /\\"emergency\\": \\"CVE-2026-1234 hotfix\\"/, "recorded in the environment's history");
    assert.ok(allowed.graph.leaves.some((l) => /\.message\(.*emergency: "CVE-2026-1234 hotfix"/.test(l)), "and in the commit's trailers");
  });

  it("the same promotion again: already there, nothing written", async () => {
    const files = { ...staged, "environments/staging/.pipeline/state.json": renderEnvironmentState(promoted(emptyState("staging"), A, ["db", "backend", "frontend"], "t")) };
    const { result, graph } = await record(async () => promote("staging"), gitops(files));
    assert.match(result, /Already there: staging runs these digests; nothing to write\./);
    assert.equal(graph.leaves.filter((l) => /\.(push|propose)\(/.test(l)).length, 0);
  });

  it("prod needs approval: a pull request from promote/prod/<release>, not a commit", async () => {
    const staging = promoted(emptyState("staging"), A, ["db", "backend", "frontend"], "t");
    const files = { ...staged, "environments/staging/.pipeline/state.json": renderEnvironmentState(staging), "environments/prod/compose.yaml": "services: {}\n" };
    const { graph } = await record(async () => promote("prod"), gitops(files));
    const write = graph.leaves.filter((l) => /\.(push|propose)\(.*\)\.summary$/.test(l));
    assert.equal(write.length, 1);
    assert.match(write[0], /\.propose\(approvals: 1, base: "main", files: .*head: "promote\/prod\/aaaaaaaaaaaa".*provider: "github"/);
  });

  it("dry run: verdicts and the diff, nothing written", async () => {
    const { result, graph } = await record(async () => promote("staging", { dryRun: true }), gitops(staged, {}));
    assert.ok(graph.leaves.some((l) => /\.diff\(/.test(l)));
    assert.equal(graph.leaves.filter((l) => /\.(push|propose)\(/.test(l)).length, 0);
    assert.match(result, /Dry run: these changes would be written \(as one commit\); nothing was written\./);
  });

  it("rollback: back to the release before the current one, through the compatibility gate", async () => {
    const B = exampleRelease(REV_B, "2", { backend: "1.3.0" });
    const history = promoted(promoted(emptyState("staging"), A, ["db", "backend", "frontend"], "t1"), B, ["db", "backend", "frontend"], "t2");
    const files = { ...staged, [`releases/${REV_B}.json`]: renderReleaseRecord(B), "environments/staging/.pipeline/state.json": renderEnvironmentState(history) };
    const back = await record(async () => new Pipeline(dag.directory()).rollback("staging"), gitops(files));
    assert.match(back.result, /Promotion of release aaaaaaaaaaaa .* to staging \(rollback\)/);
    assert.match(back.result, /\| upstream \| ✅ passed \| rollback to a release this environment already ran \|/);
    const compat = back.graph.leaves.find((l) => /^gates\.compatibility\(/.test(l)) as string;
    assert.match(compat, /deployed: "\{\\"db\\":\{\\"version\\":\\"1\.1\.0\\"/, "judged against what staging runs now");
    const push = back.graph.leaves.find((l) => /\.push\(.*\)\.summary$/.test(l)) as string;
    assert.match(push, /\\"rollback\\": true/);

    const refused = await record(async () => new Pipeline(dag.directory()).rollback("staging").catch((e: Error) => e.message), gitops(files, { compatibility: false }));
    assert.match(refused.result, /Refused by compatibility: nothing was written\./);
    const nothing = await record(async () => new Pipeline(dag.directory()).rollback("dev").catch((e: Error) => e.message), gitops({ ...staged, "environments/dev/.pipeline/state.json": renderEnvironmentState(promoted(emptyState("dev"), A, ["db"], "t")) }));
    assert.match(nothing.result, /rollback: dev has no earlier release to go back to \(history: 1 promotion\(s\)\)/);
  });

  it("bad input: unknown environment, release not found, emergency without reason — nothing read or written beyond what names the problem", async () => {
    const unknown = await record(async () => promote("qa").catch((e: Error) => e.message), gitops(staged));
    assert.equal(unknown.result, 'environment: "qa" is not an environment of this pipeline; environments: dev, staging, prod');
    const missing = await record(async () => promote("staging", { revision: REV_B }).catch((e: Error) => e.message), gitops(staged));
    assert.match(missing.result, /release b{40}: not found in https:\/\/github\.com\/acme\/webshop-gitops\.git \(releases\/b{40}\.json\)/);
    assert.equal(missing.graph.leaves.filter((l) => /\.(push|propose)\(/.test(l)).length, 0);
    const noReason = await record(async () => promote("prod", { emergency: true }).catch((e: Error) => e.message), gitops(staged));
    assert.match(noReason.result, /reason: --emergency needs --reason/);
  });
});

/** What ci hands deliver after publishing release c…c (call inside record(): it makes a secret). */
function delivery() {
  const SHA = "c".repeat(40);
  const image = (n: string) => `registry.example.com/acme/webshop/${n}:${SHA}@sha256:${"7".repeat(64)}`;
  return {
    revision: SHA,
    created: "2026-11-22T09:00:00Z",
    source: "",
    images: { db: image("db"), backend: image("backend"), frontend: image("frontend") },
    versions: { db: "1.1.0", backend: "1.2.0", frontend: "1.2.0" },
    migrations: { db: [{ script: "V1_0_0__create_products.sql", version: "1.0.0", checksum: 1 }] },
    builtBy: "https://ci.example.com/run/7",
    token: dag.setSecret("gitops-token", "g"),
  };
}

describe("recorded graph of ci with a GitOps token", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "gates", "gitops", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  it("checks the migrations every environment runs before the E2E database starts", async () => {
    const withMigrations = { ...A, components: { ...A.components, db: { ...A.components.db, migrations: [{ script: "V1_0_0__create_products.sql", version: "1.0.0", checksum: 1 }] } } };
    const files = { ...staged, [`releases/${REV_A}.json`]: renderReleaseRecord(withMigrations), "environments/prod/.pipeline/state.json": renderEnvironmentState(promoted(emptyState("prod"), A, ["db", "backend", "frontend"], "t")) };
    const { graph } = await record(async () => (await new Pipeline(dag.directory()).ci("c".repeat(40), undefined, "", "", undefined, dag.setSecret("gitops-token", "g"), "main")).summary, gitops(files));
    const leaves = graph.leaves;
    const released = leaves.findIndex((l) => /^flyway\(image: "[^"]*"\)\.checkReleased\(.*released: "\{\\"release\\":\\"a{40}\\",\\"migrations\\":/.test(l));
    const firstE2e = leaves.findIndex((l) => /postgres:15-bookworm.*\.asService\(useEntrypoint: true\)\.start$/.test(l));
    assert.ok(released >= 0 && firstE2e >= 0 && released < firstE2e, `released migrations checked (${released}) before the E2E database starts (${firstE2e})`);
  });

  it("after publishing on main: one commit recording releases/<sha>.json with the migration checksums, then the dev promotion", async () => {
    const engine = gitops({ ...staged, "environments/dev/kustomization.yaml": "images: []\n" });
    const { result, graph } = await record(async () => deliver(exampleConfig(), delivery()), engine);
    const pushes = graph.leaves.filter((l) => /\.push\(.*\)\.summary$/.test(l));
    assert.equal(pushes.length, 2, pushes.join("\n"));
    assert.match(pushes[0], /path: "releases\/c{40}\.json"/);
    assert.match(pushes[0], /\\"script\\": \\"V1_0_0__create_products\.sql\\"/);
    assert.match(pushes[0], /\\"builtBy\\": \\"https:\/\/ci\.example\.com\/run\/7\\"/);
    assert.match(pushes[1], /path: "environments\/dev\/\.pipeline\/state\.json"/);
    assert.match(result.markdown, /## Release\n\nPushed 0123456789ab/);
    assert.match(result.markdown, /### dev\n\nPromotion of release cccccccccccc/);
    assert.equal(result.recorded, true);
    assert.deepEqual(result.promotions, [{ environment: "dev" }]);
    assert.deepEqual(deliveryVerdict(result), { status: "passed", note: "release recorded; promoted to dev" });
  });

  it("a release record that does not land: no promotion is tried, and the GitOps stage fails", async () => {
    const engine = gitops({ ...staged, "environments/dev/kustomization.yaml": "images: []\n" }, {}, (leaf) => (/releases\/c{40}\.json/.test(leaf) ? "conflict" : "pushed"));
    const { result, graph } = await record(async () => deliver(exampleConfig(), delivery()), engine);
    assert.equal(result.recorded, false);
    assert.deepEqual(result.promotions, []);
    assert.match(result.markdown, /## Release\n\nconflict: main moved while pushing/);
    assert.equal(graph.leaves.filter((l) => /\.push\(.*\)\.status$/.test(l)).length, 1, "only the record's write");
    assert.equal(deliveryVerdict(result).status, "failed");
  });

  it("a dev promotion its gates refuse: recorded, nothing written for dev, and the GitOps stage names the gate", async () => {
    const engine = gitops({ ...staged, "environments/dev/kustomization.yaml": "images: []\n" }, { compatibility: false });
    const { result, graph } = await record(async () => deliver(exampleConfig(), delivery()), engine);
    assert.equal(result.recorded, true);
    assert.deepEqual(result.promotions, [{ environment: "dev", refused: "refused by compatibility" }]);
    assert.equal(graph.leaves.filter((l) => /environments\/dev\/.*\.push\(|\.push\(.*environments\/dev\//.test(l)).length, 0);
    assert.deepEqual(deliveryVerdict(result), { status: "failed", note: "failed: promotion to dev refused by compatibility (see Release below)" });
  });

  it("a dev promotion whose write fails: recorded, the promotion not written, and the GitOps stage fails naming dev", async () => {
    const engine = gitops({ ...staged, "environments/dev/kustomization.yaml": "images: []\n" }, {}, (leaf) => (/environments\/dev\//.test(leaf) ? "failed" : "pushed"));
    const { result } = await record(async () => deliver(exampleConfig(), delivery()), engine);
    assert.equal(result.recorded, true);
    assert.deepEqual(result.promotions, [{ environment: "dev", refused: "not written (failed)" }]);
    assert.match(result.markdown, /### dev\n\nPromotion to dev refused:\npromotion to dev: not written \(failed\)/);
    assert.deepEqual(deliveryVerdict(result), { status: "failed", note: "failed: promotion to dev not written (failed) (see Release below)" });
  });

  it("item 9: promote --database-url, database-version, ci's E2E and checks, and the release record start Flyway from the mirrored image, never Docker Hub's default", async () => {
    const MIRRORED = 'flyway(image: "nexus.example.com:8443/docker-group/flyway/flyway:11.20.3")';
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
      assert.deepEqual(flyway.filter((l) => !l.startsWith(MIRRORED)), [], `${name}: every Flyway is the mirrored image`);
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
    const { result, graph } = await record(async () => new Pipeline(dag.directory()).prunePreviews(["main", "feature/live"], dag.setSecret("gitops-token", "t")), tree);
    const push = graph.leaves.find((l) => /^gitops\(.*\)\.push\(/.test(l)) as string;
    assert.ok(push, "one push");
    assert.match(push, /deletePaths: \["previews\/preview-feature-gone\/kustomization\.yaml", "previews\/preview-feature-gone\/namespace\.yaml"\]/);
    assert.doesNotMatch(push, /preview-feature-live/);
    assert.match(result, /Pushed/);
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
    new Pipeline(dag.directory()).release(o.tag ?? "v1.4.0", REV_A, dag.setSecret("gitops-token", "g"), dag.setSecret("release-token", "r"), o.repository ?? "https://github.com/acme/webshop", undefined, o.dryRun ?? false);

  it("writes the GitHub release page from the release recorded for the commit (notes, release.json, compose.yaml), then promotes it to staging", async () => {
    const { result, graph } = await record(async () => release(), engine());
    const leaves = graph.leaves;
    const page = leaves.findIndex((l) => /\.hostRelease\(/.test(l));
    const push = leaves.findIndex((l) => /\.push\(.*\)\.summary$/.test(l));
    assert.ok(page >= 0 && push > page, `the page (${page}) is written before the staging promotion (${push})`);
    const call = leaves[page];
    assert.match(call, /hostRelease\(apiUrl: "", assets: directory\.withNewFile\(contents: "\{\\n  \\"kind\\": \\"pipeline-as-code\/release\/v1\\",/);
    assert.match(call, /\\n", path: "release\.json"\)\.withNewFile\(contents: "# Generated by pipeline-as-code .*services:\\n  db:.*image: registry\.example\.com\/acme\/webshop\/backend:a{40}@sha256:1{64}.*", path: "compose\.yaml"\), body: /);
    assert.match(call, /name: "webshop v1\.4\.0", prerelease: false, provider: "github", repository: "https:\/\/github\.com\/acme\/webshop", tag: "v1\.4\.0", target: "a{40}", token: setSecret\(name: "release-token"\)\)$/);
    assert.match(call, /body: "Release \*\*v1\.4\.0\*\* of webshop: commit \[aaaaaaaaaaaa\]\(https:\/\/github\.com\/acme\/webshop\/commit\/a{40}\), built 2026-11-22T08:00:00Z by https:\/\/ci\.example\.com\/run\/1\./);
    assert.match(call, /\| backend \| 1\.2\.0 \| `registry\.example\.com\/acme\/webshop\/backend:a{40}@sha256:1{64}` \| db >=1\.1\.0 \|/);
    assert.match(leaves[push], /environments\/staging\/kustomization\.yaml/);
    assert.match(result, /^# Release v1\.4\.0\n\n## Release page\n\nCreated release v1\.4\.0/);
    assert.match(result, /## staging\n\nPromotion of release aaaaaaaaaaaa/);
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
    const noToken = await record(async () => new Pipeline(dag.directory()).release("v1.4.0", REV_A, dag.setSecret("gitops-token", "g"), undefined, "https://github.com/acme/webshop").catch((e: Error) => e.message), engine());
    assert.equal(noToken.result, "release-token: the GitHub release page of v1.4.0 needs a token of https://github.com/acme/webshop with release write access (--release-token=env://RELEASE_TOKEN)");
    assert.equal(noToken.graph.leaves.filter((l) => /^git\(|hostRelease|push\(/.test(l)).length, 0);
  });

  it("a refused staging gate: the page is written, the call fails and says both", async () => {
    const { result, graph } = await record(async () => release().then(() => "resolved", (e: Error) => e.message), engine({ compatibility: false }));
    assert.match(result, /## Release page\n\nCreated release v1\.4\.0[\s\S]*## staging\n\n[\s\S]*Refused by compatibility: nothing was written\./);
    assert.equal(graph.leaves.filter((l) => /\.push\(/.test(l)).length, 0);
  });
});
