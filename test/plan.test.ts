import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../.dagger/src/config/load.js";
import { toEvent, type EventArgs } from "../.dagger/src/plan/event.js";
import { plan } from "../.dagger/src/plan/plan.js";
import { branchSlug, previewNamespace } from "../.dagger/src/plan/preview.js";
import { renderPlan } from "../.dagger/src/plan/render.js";
import { ROOT } from "./tiers/modules.js";

const CONFIG_FILE = "examples/webshop/pipeline.yaml";
const config = parseConfig(readFileSync(join(ROOT, CONFIG_FILE), "utf8"));
const planFor = (args: EventArgs) => plan(config, toEvent(args));
const checks = (component: string, ...steps: string[]) => steps.map((step) => ({ step, component }));
const GATES = ["compatibility", "vulnerabilities"];

describe("plan: the six situations of the foundation issue", () => {
  it("a pull request touching only the frontend runs only the frontend's checks", () => {
    const p = planFor({ event: "pull-request", ref: "feature/cart", changed: ["frontend/src/cart.ts", "frontend/package.json"] });
    assert.deepEqual(p, {
      event: { kind: "pull-request", branch: "feature/cart", changed: ["frontend/src/cart.ts", "frontend/package.json"] },
      flow: "checks-only",
      components: { affected: ["frontend"], unchanged: ["db", "backend"] },
      stages: [{ name: "checks", jobs: checks("frontend", "lint", "typecheck", "unit") }],
      promotions: [],
      notes: [],
    });
    assert.equal(
      renderPlan(p),
      `Pull request from feature/cart (2 changed files)
Flow: checks-only
Components: affected frontend; unchanged db, backend
1. checks (3 jobs in parallel)
     frontend  lint, typecheck, unit
`,
    );
  });

  it("a push to main touching db and backend runs everything and promotes to dev", () => {
    const p = planFor({ event: "push", ref: "refs/heads/main", changed: ["db/migrations/V1_2_0__add_reviews.sql", "backend/src/server.ts"] });
    assert.deepEqual(p.flow, "main");
    assert.deepEqual(p.components, { affected: ["db", "backend"], unchanged: ["frontend"] });
    assert.deepEqual(p.stages, [
      { name: "checks", jobs: [...checks("db", "lint", "unit"), ...checks("backend", "lint", "typecheck", "unit")] },
      {
        name: "build",
        jobs: [
          { step: "build", component: "db" },
          { step: "build", component: "backend" },
          { step: "reuse", component: "frontend" },
        ],
      },
      { name: "e2e", jobs: [{ step: "e2e" }] },
      {
        name: "scan",
        jobs: [
          { step: "scan", component: "db" },
          { step: "scan", component: "backend" },
          { step: "scan", component: "frontend" },
        ],
      },
      // The example has an Aspire AppHost: its release runs through it after E2E.
      { name: "integration", jobs: [{ step: "aspire" }] },
      {
        name: "publish",
        jobs: [
          { step: "push", component: "db" },
          { step: "push", component: "backend" },
          { step: "push", component: "frontend" },
        ],
      },
      { name: "record", jobs: [{ step: "record-release" }] },
      { name: "promote", jobs: [{ step: "promote", environment: "dev" }] },
    ]);
    assert.deepEqual(p.promotions, [{ environment: "dev", writeBack: "commit", approvals: 0, gates: GATES }]);
    assert.equal(
      renderPlan(p),
      `Push to main (2 changed files)
Flow: main
Components: affected db, backend; unchanged frontend
1. checks (5 jobs in parallel)
     db       lint, unit
     backend  lint, typecheck, unit
2. build (3 jobs in parallel)
     db        build
     backend   build
     frontend  reuse
3. e2e
     release  e2e
4. scan (3 jobs in parallel)
     db        scan
     backend   scan
     frontend  scan
5. integration
     release  aspire
6. publish (3 jobs in parallel)
     db        push
     backend   push
     frontend  push
7. record
     release  record-release
8. promote
     dev  promote
Promotions:
  dev by commit; gates: compatibility, vulnerabilities
Notes:
  - Unchanged components (frontend) are not rebuilt: their published image is reused when its inputs hash the same, so the release still holds all components.
The run stops at the first stage with a failed job and names the component and the check.
`,
    );
  });

  it("a release tag promotes the built release to staging without a rebuild", () => {
    const p = planFor({ event: "tag", ref: "refs/tags/v1.2.0" });
    assert.deepEqual(p, {
      event: { kind: "tag", tag: "v1.2.0" },
      flow: "release-tag",
      components: { affected: [], unchanged: ["db", "backend", "frontend"] },
      stages: [
        { name: "release", jobs: [{ step: "release-page", environment: "github" }] },
        { name: "promote", jobs: [{ step: "promote", environment: "staging" }] },
      ],
      promotions: [{ environment: "staging", writeBack: "commit", approvals: 0, after: "dev", gates: [...GATES, "reached:dev"] }],
      notes: [
        "The release built from the tagged commit is promoted as it is (same image digests); nothing is rebuilt.",
        "The vulnerability gate judges a Trivy scan of the release's published images, pulled by digest and scanned in this call (reports given with --scans are used instead).",
        "Its GitHub release page gets the notes (components, versions, digests, migrations) and the files release.json and compose.yaml.",
      ],
    });
    assert.equal(
      renderPlan(p),
      `Release tag v1.2.0
Flow: release-tag
1. release
     github  release-page
2. promote
     staging  promote
Promotions:
  staging by commit; gates: compatibility, vulnerabilities, reached:dev
Notes:
  - The release built from the tagged commit is promoted as it is (same image digests); nothing is rebuilt.
  - The vulnerability gate judges a Trivy scan of the release's published images, pulled by digest and scanned in this call (reports given with --scans are used instead).
  - Its GitHub release page gets the notes (components, versions, digests, migrations) and the files release.json and compose.yaml.
The run stops at the first stage with a failed job and names the component and the check.
`,
    );
  });

  it("a manual rollback of prod: back to its previous release through the compatibility gate, as a pull request", () => {
    const p = planFor({ event: "rollback", environment: "prod" });
    assert.equal(p.flow, "rollback");
    assert.deepEqual(p.stages, [{ name: "promote", jobs: [{ step: "rollback", environment: "prod" }] }]);
    assert.deepEqual(p.promotions, [{ environment: "prod", writeBack: "pull-request", approvals: 1, gates: ["compatibility", "approval:1"], rollback: true }]);
    assert.match(
      renderPlan(p),
      /^Manual rollback of prod\nFlow: rollback\n1\. promote\n {5}prod {2}rollback\nPromotions:\n {2}prod back to its previous release by pull request \(1 approval\); gates: compatibility, approval:1\n/,
    );
    assert.deepEqual(planFor({ event: "rollback", environment: "staging" }).promotions[0].gates, ["compatibility"]);
    assert.throws(() => planFor({ event: "rollback" }), { message: "environment: a rollback event needs the environment to roll back (--environment prod)", name: "InputError" });
    assert.throws(() => planFor({ event: "rollback", environment: "qa" }), /environment: "qa" is not an environment of this pipeline; environments: dev, staging, prod/);
    assert.throws(() => planFor({ event: "rollback", environment: "prod", emergency: true }), /emergency: a rollback goes back to digests the environment already ran/);
  });

  it("a manual promotion to prod opens a pull request that needs an approval", () => {
    const p = planFor({ event: "promote", environment: "prod" });
    assert.deepEqual(p.stages, [{ name: "promote", jobs: [{ step: "promote", environment: "prod" }] }]);
    assert.deepEqual(p.promotions, [{ environment: "prod", writeBack: "pull-request", approvals: 1, after: "staging", gates: [...GATES, "reached:staging", "approval:1"] }]);
    assert.equal(
      renderPlan(p),
      `Manual promotion to prod
Flow: promotion
1. promote
     prod  promote
Promotions:
  prod by pull request (1 approval); gates: compatibility, vulnerabilities, reached:staging, approval:1
Notes:
  - The release is promoted as it is (same image digests); nothing is rebuilt.
  - The vulnerability gate judges a Trivy scan of the release's published images, pulled by digest and scanned in this call (reports given with --scans are used instead).
  - A pull request is opened in the GitOps repository; it needs 1 approval(s) to merge. Running promote again reports its state.
  - prod is deployed and verified by deploy --env prod, run by the GitOps repository's push once the pull request merges.
`,
    );
  });

  it("an emergency promotion waives the vulnerability gate and the upstream rule, never compatibility", () => {
    const p = planFor({ event: "promote", environment: "prod", emergency: true });
    assert.deepEqual(p.promotions[0].gates, ["compatibility", "approval:1"]);
    assert.equal(p.promotions[0].emergency, true);
  });

  it("a push to the dev branch ends after the image build", () => {
    const p = planFor({ event: "push", ref: "dev", changed: ["backend/src/orders.ts"] });
    assert.equal(p.flow, "build-only");
    assert.deepEqual(
      p.stages.map((s) => s.name),
      ["checks", "build"],
    );
    assert.deepEqual(p.promotions, []);
    assert.equal(
      renderPlan(p),
      `Push to dev (1 changed file)
Flow: build-only
Components: affected backend; unchanged db, frontend
1. checks (3 jobs in parallel)
     backend  lint, typecheck, unit
2. build (3 jobs in parallel)
     db        reuse
     backend   build
     frontend  reuse
Notes:
  - Unchanged components (db, frontend) are not rebuilt: their published image is reused when its inputs hash the same, so the release still holds all components.
  - Pushes to dev end after the image build: nothing is published or deployed.
The run stops at the first stage with a failed job and names the component and the check.
`,
    );
  });

  it("a push to a feature branch builds, publishes and deploys its preview environment", () => {
    const p = planFor({ event: "push", ref: "feature/Login-Page", changed: ["frontend/src/login.ts"] });
    assert.equal(p.flow, "preview");
    assert.deepEqual(
      p.stages.map((s) => s.name),
      ["checks", "build", "publish", "preview"],
    );
    assert.deepEqual(p.preview, { branch: "feature/Login-Page", namespace: "preview-feature-login-page-1cd8fc98", path: "previews/preview-feature-login-page-1cd8fc98" });
    assert.deepEqual(p.stages[3], { name: "preview", jobs: [{ step: "deploy-preview", environment: "preview-feature-login-page-1cd8fc98" }] });
  });
});

describe("plan: other situations", () => {
  it("deleting a preview branch removes its environment; deleting another branch does nothing", () => {
    assert.deepEqual(planFor({ event: "delete", ref: "feature/Login-Page" }).stages, [
      { name: "preview-removal", jobs: [{ step: "remove-preview", environment: "preview-feature-login-page-1cd8fc98" }] },
    ]);
    const other = planFor({ event: "delete", ref: "hotfix/x" });
    assert.equal(other.flow, "nothing");
    assert.deepEqual(other.stages, []);
  });

  it("a change to pipeline.yaml or a shared file affects every component", () => {
    const p = planFor({ event: "pull-request", ref: "feature/x", changed: ["pipeline.yaml"] });
    assert.deepEqual(p.components.affected, ["db", "backend", "frontend"]);
    assert.deepEqual(p.notes, ["Every component is affected: pipeline.yaml belongs to no component."]);
  });

  it("a documentation-only change runs nothing", () => {
    const p = planFor({ event: "push", ref: "main", changed: ["backend/README.md", "docs/architecture.md"] });
    assert.equal(p.flow, "nothing");
    assert.deepEqual(p.stages, []);
  });

  it("an E2E-only change on main still runs the whole pipeline with every image reused", () => {
    const p = planFor({ event: "push", ref: "main", changed: ["e2e/tests/order.spec.ts"] });
    assert.equal(p.flow, "main");
    assert.deepEqual(p.stages[0], { name: "checks", jobs: [] });
    assert.deepEqual(
      p.stages[1].jobs.map((j) => j.step),
      ["reuse", "reuse", "reuse"],
    );
  });

  it("unknown changed files mean every component is affected", () => {
    assert.deepEqual(planFor({ event: "push", ref: "main" }).components, { affected: ["db", "backend", "frontend"], unchanged: [] });
  });

  it("rejects bad events with the input, the value and what is valid", () => {
    assert.throws(() => planFor({ event: "merge", ref: "main" }), {
      message: 'event: unknown event "merge"; valid events: pull-request, push, tag, promote, rollback, deploy, delete',
      name: "InputError",
    });
    assert.throws(() => planFor({ event: "tag", ref: "release-7" }), /ref: release tag "release-7" is not a semantic version/);
    assert.throws(() => planFor({ event: "push" }), /ref: a push event needs the branch name/);
    assert.throws(() => planFor({ event: "promote", environment: "qa" }), { message: 'environment: "qa" is not an environment of this pipeline; environments: dev, staging, prod' });
  });

  it("makes preview namespaces DNS-safe and unique within 63 characters", () => {
    // Lossy (upper case, '/', other letters): the readable part and 8 hex digits of the exact name's SHA-256.
    assert.equal(branchSlug("Feature/ÆØÅ__New--Login"), `feature-new-login-${createHash("sha256").update("Feature/ÆØÅ__New--Login").digest("hex").slice(0, 8)}`);
    assert.equal(branchSlug("release-2"), "release-2");
    const long = previewNamespace("preview-{branch}", `feature/${"x".repeat(80)}`);
    const other = previewNamespace("preview-{branch}", `feature/${"x".repeat(79)}y`);
    assert.equal(long.length, 63);
    assert.notEqual(long, other);
    assert.match(long, /^preview-feature-x+-[0-9a-f]{8}$/);
  });
});

describe("plan CLI (npm run plan)", () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts/plan.ts"), ...args], { cwd: ROOT, encoding: "utf8" });

  it("prints the plan as JSON equal to the library's", () => {
    const r = cli("--config", CONFIG_FILE, "--event", "push", "--ref", "main", "--changed", "db/x.sql,backend/y.ts", "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), planFor({ event: "push", ref: "main", changed: ["db/x.sql", "backend/y.ts"] }));
  });

  it("reads --changed as the Dagger CLI reads a list flag: each value one CSV record, so quoted paths keep their commas, quotes and spaces", () => {
    const r = cli("--config", CONFIG_FILE, "--event", "pull-request", "--ref", "feature/x", "--changed", '"frontend/src/a,b.ts"', '--changed=backend/x y.ts,"db/say ""hi"".sql"', "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).event.changed, ["frontend/src/a,b.ts", "backend/x y.ts", 'db/say "hi".sql']);
    const bad = cli("--config", CONFIG_FILE, "--event", "pull-request", "--ref", "feature/x", "--changed", 'frontend/"a".ts');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^changed: "frontend\/\\"a\\".ts": parse error: bare " in non-quoted field/);
  });

  it("exits 2 naming the input for bad arguments, a bad config and a missing file", () => {
    const bad = cli("--config", CONFIG_FILE, "--event", "push");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^ref: a push event needs the branch name/);
    const unknown = cli("--config", CONFIG_FILE, "--event", "push", "--ref", "main", "--colour", "red");
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Unknown option '--colour'/);
    const badConfig = cli("--config", "test/fixtures/ten-mistakes.pipeline.yaml", "--event", "push", "--ref", "main");
    assert.equal(badConfig.status, 2);
    assert.match(badConfig.stderr, /^test\/fixtures\/ten-mistakes\.pipeline\.yaml: 11 problems\n/);
    const missing = cli("--config", "nowhere.yaml", "--event", "push", "--ref", "main");
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, 'config: cannot read "nowhere.yaml": ENOENT\n');
    assert.equal(missing.stdout, "");
  });
});

describe("plan: promotions in order", () => {
  it("an environment promoted on push after another one promoted on push comes after it, whatever the order in pipeline.yaml (found by the engine model: qa before dev was refused)", () => {
    const text = readFileSync(join(ROOT, CONFIG_FILE), "utf8").replace("environments:\n", "environments:\n  qa:\n    on: push\n    after: dev\n    path: environments/qa\n    format: kustomize\n");
    const p = plan(parseConfig(text), toEvent({ event: "push", ref: "main" }));
    assert.deepEqual(p.stages.at(-1), {
      name: "promote",
      jobs: [
        { step: "promote", environment: "dev" },
        { step: "promote", environment: "qa" },
      ],
    });
  });
});
