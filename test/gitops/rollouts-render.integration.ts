/**
 * The Argo Rollouts objects promotion writes for strategy canary / blue-green, checked by real
 * tools: `kustomize build` of environments that list them (an overlay over a base with namePrefix,
 * namespace and commonLabels, and a real-world kustomization from the corpus), `helm template` of a
 * chart holding them, and kubeconform -strict against the Rollout and AnalysisTemplate CRDs of the
 * argo-rollouts Go module. Run by scripts/integration/gitops-render.sh.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { parseConfig } from "../../.dagger/src/config/load.js";
import type { PipelineConfig } from "../../.dagger/src/config/schema.js";
import { rolloutFiles, rolloutsInput, rolloutsManifest, withRolloutResources } from "../../.dagger/src/release/rollouts.js";
import { emptyState, promoted } from "../../.dagger/src/release/state.js";
import { exampleRelease, REV_A } from "../release/fixture.js";
import { ROOT } from "../tiers/modules.js";
import { backendDeployment, stubTree } from "./render-stubs.js";
import { helmTemplate, kustomizeBuild, TOOLS } from "./render-tools.js";

const KUBECONFORM = process.env.KUBECONFORM_BIN ?? "";
/** The folder of the CRDs' schemas (<kind>_<version>.json), from the script. */
const SCHEMAS = process.env.ARGO_ROLLOUTS_SCHEMAS ?? "";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec: Record<string, any> };
const objects = (manifests: string) => parseAllDocuments(manifests).map((d) => d.toJS() as Obj);
const ids = (manifests: string) => objects(manifests).map((o) => `${o.kind}/${o.metadata.name}`);

/** kubeconform -strict of the Argo Rollouts documents of rendered manifests, against the CRD schemas only (no network). */
function kubeconform(manifests: string): { ok: boolean; output: string; count: number } {
  assert.ok(KUBECONFORM && SCHEMAS && TOOLS.tmp, "run through scripts/integration/gitops-render.sh (KUBECONFORM_BIN, ARGO_ROLLOUTS_SCHEMAS, GITOPS_RENDER_TMP)");
  const docs = parseAllDocuments(manifests).filter((d) => ["Rollout", "AnalysisTemplate"].includes((d.toJS() as Obj | null)?.kind ?? ""));
  const file = join(mkdtempSync(join(TOOLS.tmp, "rollouts-kubeconform-")), "manifests.yaml");
  writeFileSync(file, docs.map((d) => d.toString()).join("---\n"));
  const r = spawnSync(KUBECONFORM, ["-strict", "-summary", "-schema-location", `${SCHEMAS}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`, file], { encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim(), count: docs.length };
}

/** Assert every Rollout and AnalysisTemplate of the manifests is valid. */
function assertValid(manifests: string, expected: number): void {
  const r = kubeconform(manifests);
  assert.ok(r.ok, r.output);
  assert.equal(r.count, expected);
  assert.match(r.output, new RegExp(`Valid: ${expected}, Invalid: 0, Errors: 0, Skipped: 0`));
}

/** The example's components with dev as `format` and this strategy. */
function configWith(strategy: string, format = "kustomize"): PipelineConfig {
  return parseConfig(`name: webshop
registry: { address: registry.example.com/acme/webshop }
components:
  db: { kind: database, toolchain: flyway, path: db }
  backend: { kind: backend, toolchain: node, path: backend }
gitops: { repository: "file:///srv/gitops.git" }
environments:
  dev: { on: push, path: environments/dev, format: ${format}, strategy: ${strategy} }
`);
}

const STATE = promoted(emptyState("dev"), exampleRelease(REV_A, "1", { backend: "1.4.2" }), ["db", "backend"], "2026-11-22T08:00:00Z");
const IMAGE = `registry.example.com/acme/webshop/backend:${REV_A}@sha256:${"1".repeat(64)}`;

const BASE = {
  "base/deployment.yaml": backendDeployment(IMAGE, "          ports: [{ containerPort: 8080 }]\n"),
  "base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: backend\nspec:\n  selector: { app: backend }\n  ports: [{ port: 80, targetPort: 8080 }]\n",
  "base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - service.yaml\n",
};
const DEV_KUSTOMIZATION = "# dev\nnamespace: shop-dev\nnamePrefix: shop-\ncommonLabels:\n  team: payments\nresources:\n  - ../../base\n";

/** Write files under a fresh folder of the run's temp dir. */
function tree(files: Record<string, string>): string {
  assert.ok(TOOLS.tmp, "run through scripts/integration/gitops-render.sh (GITOPS_RENDER_TMP)");
  const root = mkdtempSync(join(TOOLS.tmp, "rollouts-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** The dev overlay as promotion leaves it for `strategy`: its kustomization edited, the rollout files beside it. */
function promotedOverlay(strategy: string): string {
  const config = configWith(strategy);
  return tree({
    ...BASE,
    "environments/dev/kustomization.yaml": withRolloutResources(DEV_KUSTOMIZATION, "environments/dev/kustomization.yaml"),
    ...rolloutFiles(config, "dev", STATE, false),
  });
}

describe("kustomize: an overlay with namePrefix, namespace and commonLabels over a base, as promotion leaves it", () => {
  it("canary: the Rollout follows the renamed Deployment, canary Service and template; every Argo object is valid against its CRD", () => {
    const rendered = kustomizeBuild(join(promotedOverlay("canary"), "environments/dev"));
    assert.ok(rendered.ok, rendered.ok ? "" : rendered.error);
    const all = objects(rendered.manifests);
    assert.deepEqual(ids(rendered.manifests).sort(), [
      "AnalysisTemplate/shop-webshop-dev-release-analysis",
      "Deployment/shop-backend",
      "Rollout/shop-backend",
      "Service/shop-backend",
      "Service/shop-backend-canary",
    ]);
    assert.ok(
      all.every((o) => o.metadata.namespace === "shop-dev"),
      "everything in the overlay's namespace",
    );
    const rollout = all.find((o) => o.kind === "Rollout") as Obj;
    assert.equal(rollout.spec.workloadRef.name, "shop-backend", "the configuration's name reference followed namePrefix into the base's Deployment");
    assert.equal(rollout.spec.strategy.canary.canaryService, "shop-backend-canary");
    const analysis = rollout.spec.strategy.canary.steps.find((s: Record<string, any>) => s.analysis).analysis;
    assert.equal(analysis.templates[0].templateName, "shop-webshop-dev-release-analysis");
    assert.deepEqual(analysis.args[0], { name: "version", value: "1.4.2" });
    assert.equal(rollout.spec.selector, undefined, "commonLabels do not give the Rollout a selector of its own");
    const canary = all.find((o) => o.metadata.name === "shop-backend-canary") as Obj;
    assert.deepEqual(canary.spec.selector, { app: "backend", team: "payments" }, "the canary Service selects the Deployment's pods, common labels included");
    const deployment = all.find((o) => o.kind === "Deployment") as Obj;
    assert.equal(deployment.spec.template.spec.containers[0].image, IMAGE, "the Deployment still carries the release's image");
    assertValid(rendered.manifests, 2);
  });

  it("blue-green: active Service the component's own, the preview Service rendered; valid", () => {
    const rendered = kustomizeBuild(join(promotedOverlay("{ kind: blue-green, autoPromote: false, analysis: { prometheus: http://prometheus.monitoring:9090 } }"), "environments/dev"));
    assert.ok(rendered.ok, rendered.ok ? "" : rendered.error);
    const rollout = objects(rendered.manifests).find((o) => o.kind === "Rollout") as Obj;
    assert.deepEqual(
      { active: rollout.spec.strategy.blueGreen.activeService, preview: rollout.spec.strategy.blueGreen.previewService, auto: rollout.spec.strategy.blueGreen.autoPromotionEnabled },
      { active: "shop-backend", preview: "shop-backend-preview", auto: false },
    );
    assert.ok(ids(rendered.manifests).includes("Service/shop-backend-preview"));
    assertValid(rendered.manifests, 2);
  });

  it("rolling: promotion adds nothing, the environment stays a Deployment with no Rollout", () => {
    const config = configWith("rolling");
    assert.equal(config.environments.dev.strategy, "rolling");
    const root = tree({ ...BASE, "environments/dev/kustomization.yaml": DEV_KUSTOMIZATION });
    const rendered = kustomizeBuild(join(root, "environments/dev"));
    assert.ok(rendered.ok, rendered.ok ? "" : rendered.error);
    assert.deepEqual(ids(rendered.manifests).sort(), ["Deployment/shop-backend", "Service/shop-backend"]);
  });

  it("the validator bites: a misspelled step field, a wrong type and an unknown workloadRef field are invalid", () => {
    const manifest = rolloutsManifest(rolloutsInput(configWith("canary"), "dev", STATE));
    for (const [from, to, why] of [
      ["- setWeight: 20", "- setWeigth: 20", /additional properties 'setWeigth' not allowed/],
      ["replicas: 1", "replicas: one", /at '\/spec\/replicas': got string, want integer/],
      ["    scaleDown: progressively", "    scaleDown: progressively\n    sideways: true", /additional properties 'sideways' not allowed/],
    ] as const) {
      const broken = manifest.replace(from, to);
      assert.notEqual(broken, manifest, `${from} is in the manifest`);
      const r = kubeconform(broken);
      assert.ok(!r.ok, r.output);
      assert.match(r.output, why);
    }
  });
});

describe("a real-world kustomization (argo-rollouts' own docs example, from the corpus) with the rollouts added", () => {
  it("namePrefix, commonLabels, generators, vars and its own configurations build beside ours; the names follow the prefix", () => {
    const corpus = readFileSync(join(ROOT, "test/fixtures/gitops/corpus/kustomize/argo-rollouts__docs__features__kustomize__example__kustomization.yaml"), "utf8");
    const root = mkdtempSync(join(TOOLS.tmp, "rollouts-corpus-"));
    // The stub tree's Deployment is stub-app: the component's workload says so.
    const dir = stubTree(root, withRolloutResources(corpus, "kustomization.yaml"), ["argoproj/rollouts-demo"]);
    const config = configWith("{ kind: canary, workloads: { backend: stub-app } }");
    const files = rolloutFiles(config, "dev", STATE, false);
    for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path.replace(/^environments\/dev\//, "")), text);
    const rendered = kustomizeBuild(dir, ["--load-restrictor", "LoadRestrictionsNone"]);
    assert.ok(rendered.ok, rendered.ok ? "" : rendered.error);
    const rollout = objects(rendered.manifests).find((o) => o.kind === "Rollout") as Obj;
    assert.equal(rollout.metadata.name, "my-stub-app");
    assert.equal(rollout.spec.workloadRef.name, "my-stub-app");
    assert.equal(rollout.spec.strategy.canary.canaryService, "my-stub-app-canary");
    assert.equal(rollout.metadata.labels?.foo, "bar");
    assertValid(rendered.manifests, 2);
  });
});

describe("helm: a chart folder holding templates/rollouts.yaml", () => {
  it("helm template renders the objects exactly as written (Argo's {{args.x}} kept), valid against the CRDs", () => {
    const config = configWith(
      "{ kind: canary, analysis: { prometheus: http://prometheus.monitoring:9090 }, workloads: { backend: { deployment: webshop-backend, selector: { app.kubernetes.io/name: backend } } } }",
      "helm",
    );
    const root = mkdtempSync(join(TOOLS.tmp, "rollouts-chart-"));
    const chart = join(root, "environments/dev");
    cpSync(join(ROOT, "test/fixtures/gitops/chart"), chart, { recursive: true });
    const files = rolloutFiles(config, "dev", STATE, true);
    assert.deepEqual(Object.keys(files), ["environments/dev/templates/rollouts.yaml"]);
    for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
    const rendered = helmTemplate("webshop", chart, join(chart, "values.yaml"));
    assert.ok(rendered.ok, rendered.ok ? "" : rendered.error);
    const fromHelm = objects(rendered.manifests).filter((o) => o.apiVersion === "argoproj.io/v1alpha1" || o.metadata.name.endsWith("-canary"));
    const written = objects(rolloutsManifest(rolloutsInput(config, "dev", STATE)));
    // Helm prints objects sorted by kind.
    const byId = (list: Obj[]) => [...list].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    assert.deepEqual(byId(fromHelm), byId(written), "helm printed the objects as the pipeline rendered them");
    assert.match(JSON.stringify(fromHelm), /\{\{args\.version\}\}/);
    assert.ok(ids(rendered.manifests).includes("Deployment/webshop-backend"), "the chart's own Deployment, which the Rollout references");
    assertValid(rendered.manifests, 2);
  });
});
