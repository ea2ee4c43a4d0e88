// The Argo Rollouts objects promotion writes for a canary or blue-green environment (issue 17,
// "Kubernetes strategies"): what each object says, where the files go per format, and the
// kustomization edit. kustomize, helm and the CRD schemas judge them in
// test/gitops/rollouts-render.integration.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { parseConfig } from "../../.dagger/src/config/load.js";
import type { PipelineConfig } from "../../.dagger/src/config/schema.js";
import { DEFAULT_ERROR_RATE_QUERY } from "../../.dagger/src/release/analysis-template.js";
import { deploymentFiles } from "../../.dagger/src/release/files.js";
import { asHelmTemplate, ROLLOUTS_KUSTOMIZE_CONFIG, ROLLOUTS_MANIFEST, rolloutFiles, rolloutsInput, rolloutsManifest, withRolloutResources } from "../../.dagger/src/release/rollouts.js";
import { emptyState, promoted } from "../../.dagger/src/release/state.js";
import { exampleRelease, REV_A } from "./fixture.js";

type Obj = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, any> };

/** The example's components, with dev in `format` and this strategy (raw YAML flow text). */
function configWith(strategy: string, format = "kustomize", extra = ""): PipelineConfig {
  return parseConfig(`name: webshop
registry: { address: registry.example.com/acme/webshop }
components:
  db: { kind: database, toolchain: flyway, path: db }
  backend: { kind: backend, toolchain: node, path: backend }
  frontend: { kind: frontend, toolchain: node, path: frontend, image: { health: /healthz, port: 3000 } }
gitops: { repository: "file:///srv/gitops.git" }
environments:
  dev: { on: push, path: environments/dev/, format: ${format}, strategy: ${strategy}${extra} }
`);
}

/** dev after release A (db 1.1.0, backend 1.2.0, frontend 1.3.0) of all three components. */
const STATE = promoted(emptyState("dev"), exampleRelease(REV_A, "1", { frontend: "1.3.0" }), ["db", "backend", "frontend"], "2026-11-22T08:00:00Z");

const objects = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Obj);
const byId = (text: string) => new Map(objects(text).map((o) => [`${o.kind}/${o.metadata.name}`, o]));
const manifestOf = (config: PipelineConfig, state = STATE) => rolloutsManifest(rolloutsInput(config, "dev", state));

describe("canary", () => {
  const all = byId(manifestOf(configWith("canary")));

  it("one AnalysisTemplate, and a Rollout and a canary Service per non-database component; no Deployment is touched", () => {
    assert.deepEqual([...all.keys()], ["AnalysisTemplate/webshop-dev-release-analysis", "Rollout/backend", "Service/backend-canary", "Rollout/frontend", "Service/frontend-canary"]);
  });

  it("the Rollout takes the Deployment's pod template and selector through workloadRef and scales it down progressively", () => {
    const rollout = all.get("Rollout/backend") as Obj;
    assert.equal(rollout.apiVersion, "argoproj.io/v1alpha1");
    assert.deepEqual(rollout.spec.workloadRef, { apiVersion: "apps/v1", kind: "Deployment", name: "backend", scaleDown: "progressively" });
    assert.equal(rollout.spec.template, undefined, "Argo refuses a template beside workloadRef");
    assert.equal(rollout.spec.selector, undefined, "the Deployment's selector is taken, so the two cannot disagree");
    assert.equal(rollout.spec.replicas, 1);
  });

  it("steps: setWeight, pause, then the analysis with the release's version, for each configured step", () => {
    const { canary } = (all.get("Rollout/frontend") as Obj).spec.strategy;
    assert.equal(canary.canaryService, "frontend-canary");
    assert.equal(canary.stableService, undefined, "the component's own Service keeps serving both versions by weight");
    const shape = canary.steps.map((s: Record<string, any>) => Object.keys(s)[0] + (s.setWeight ? `=${s.setWeight}` : s.pause ? `=${s.pause.duration}` : ""));
    assert.deepEqual(shape, ["setWeight=20", "pause=1m", "analysis", "setWeight=50", "pause=2m", "analysis", "setWeight=100", "analysis"]);
    const analysis = canary.steps[2].analysis;
    assert.deepEqual(analysis.templates, [{ templateName: "webshop-dev-release-analysis" }]);
    assert.deepEqual(analysis.args, [
      { name: "version", value: "1.3.0" },
      { name: "service", valueFrom: { fieldRef: { fieldPath: "spec.strategy.canary.canaryService" } } },
      { name: "namespace", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "port", value: "3000" },
      { name: "path", value: "/healthz" },
    ]);
    const backendArgs = (all.get("Rollout/backend") as Obj).spec.strategy.canary.steps[2].analysis.args;
    assert.deepEqual(
      backendArgs.filter((a: { value?: string }) => a.value !== undefined),
      [
        { name: "version", value: "1.2.0" },
        { name: "port", value: "8080" },
        { name: "path", value: "/health" },
      ],
    );
  });

  it("pauses: whole seconds and durations as written, manual as an endless pause; steps without a pause go straight to the analysis", () => {
    const config = configWith("{ kind: canary, steps: [{ weight: 10, pause: 90 }, { weight: 30, pause: manual }, { weight: 60 }, { weight: 90, pause: 1h30m }] }");
    const steps = (byId(manifestOf(config)).get("Rollout/backend") as Obj).spec.strategy.canary.steps;
    assert.deepEqual(
      steps.filter((s: Record<string, unknown>) => !("analysis" in s)),
      [{ setWeight: 10 }, { pause: { duration: 90 } }, { setWeight: 30 }, { pause: {} }, { setWeight: 60 }, { setWeight: 90 }, { pause: { duration: "1h30m" } }],
    );
    assert.equal(steps.filter((s: Record<string, unknown>) => "analysis" in s).length, 4);
  });

  it("the canary Service selects the component's pods (default app: <deployment>) on its container port", () => {
    assert.deepEqual((all.get("Service/frontend-canary") as Obj).spec, { selector: { app: "frontend" }, ports: [{ name: "http", port: 3000, targetPort: 3000, protocol: "TCP" }] });
  });

  it("the YAML has no anchors: every step spells out its analysis", () => {
    assert.doesNotMatch(manifestOf(configWith("canary")), /[&*]a\d/);
  });
});

describe("the AnalysisTemplate", () => {
  it("the version metric: the web provider at the new pods' Service, the configured JSON field equal to the version argument", () => {
    const template = byId(manifestOf(configWith("{ kind: canary, analysis: { versionField: build.version } }"))).get("AnalysisTemplate/webshop-dev-release-analysis") as Obj;
    assert.deepEqual(
      template.spec.args.map((a: { name: string }) => a.name),
      ["version", "service", "namespace", "port", "path"],
    );
    assert.deepEqual(template.spec.metrics, [
      {
        name: "version",
        count: 3,
        interval: "10s",
        failureLimit: 0,
        successCondition: "result == '{{args.version}}'",
        provider: { web: { url: "http://{{args.service}}.{{args.namespace}}.svc:{{args.port}}{{args.path}}", timeoutSeconds: 10, jsonPath: "{$.build.version}" } },
      },
    ]);
  });

  it("with prometheus, an error-rate metric at the threshold, and the Rollouts pass the two arguments its query reads", () => {
    const all = byId(manifestOf(configWith("{ kind: blue-green, analysis: { prometheus: http://prometheus.monitoring:9090, errorRate: 0.02 } }")));
    const template = all.get("AnalysisTemplate/webshop-dev-release-analysis") as Obj;
    assert.deepEqual(template.spec.metrics[1], {
      name: "error-rate",
      failureLimit: 0,
      successCondition: "len(result) == 0 || isNaN(result[0]) || result[0] <= 0.02",
      provider: { prometheus: { address: "http://prometheus.monitoring:9090", query: DEFAULT_ERROR_RATE_QUERY } },
    });
    assert.match(DEFAULT_ERROR_RATE_QUERY, /pod=~"\{\{args\.rollout\}\}-\{\{args\.pod-hash\}\}-\.\*"/);
    // Every argument the template declares, each Rollout passes, and nothing else.
    const declared = template.spec.args.map((a: { name: string }) => a.name);
    for (const name of ["backend", "frontend"]) {
      const passed = (all.get(`Rollout/${name}`) as Obj).spec.strategy.blueGreen.prePromotionAnalysis.args.map((a: { name: string }) => a.name);
      assert.deepEqual(passed, declared);
    }
    const custom = byId(manifestOf(configWith('{ kind: canary, analysis: { prometheus: "http://p:9090", errorRateQuery: "sum(my_errors{pod=~\\"{{args.rollout}}-.*\\"})" } }'))).get(
      "AnalysisTemplate/webshop-dev-release-analysis",
    ) as Obj;
    assert.equal(custom.spec.metrics[1].provider.prometheus.query, 'sum(my_errors{pod=~"{{args.rollout}}-.*"})');
  });
});

describe("blue-green", () => {
  it("activeService is the component's Service, previewService <workload>-preview (rendered), promotion after the pre-promotion analysis", () => {
    const all = byId(manifestOf(configWith("blue-green")));
    assert.deepEqual([...all.keys()].slice(1), ["Rollout/backend", "Service/backend-preview", "Rollout/frontend", "Service/frontend-preview"]);
    const { blueGreen } = (all.get("Rollout/backend") as Obj).spec.strategy;
    assert.equal(blueGreen.activeService, "backend");
    assert.equal(blueGreen.previewService, "backend-preview");
    assert.equal(blueGreen.autoPromotionEnabled, true);
    assert.deepEqual(blueGreen.prePromotionAnalysis.templates, [{ templateName: "webshop-dev-release-analysis" }]);
    assert.deepEqual(blueGreen.prePromotionAnalysis.args[1], { name: "service", valueFrom: { fieldRef: { fieldPath: "spec.strategy.blueGreen.previewService" } } });
  });

  it("workloads rename the Deployment, the Service and the pod labels; autoPromote: false waits for a person", () => {
    const config = configWith(
      "{ kind: blue-green, autoPromote: false, workloads: { backend: shop-api, frontend: { deployment: shop-web, service: shop, selector: { app.kubernetes.io/name: web }, replicas: 4 } } }",
    );
    const all = byId(manifestOf(config));
    assert.deepEqual([...all.keys()].slice(1), ["Rollout/shop-api", "Service/shop-api-preview", "Rollout/shop-web", "Service/shop-web-preview"]);
    const web = all.get("Rollout/shop-web") as Obj;
    assert.equal(web.spec.workloadRef.name, "shop-web");
    assert.equal(web.spec.replicas, 4);
    assert.equal(web.spec.strategy.blueGreen.activeService, "shop");
    assert.equal(web.spec.strategy.blueGreen.autoPromotionEnabled, false);
    assert.deepEqual((all.get("Service/shop-web-preview") as Obj).spec.selector, { "app.kubernetes.io/name": "web" });
    assert.equal((all.get("Rollout/shop-api") as Obj).spec.strategy.blueGreen.activeService, "shop-api");
    assert.deepEqual((all.get("Service/shop-api-preview") as Obj).spec.selector, { app: "shop-api" });
  });
});

describe("which components, which versions", () => {
  it("each promotion writes the versions the environment runs after it; a component not yet deployed gets no Rollout", () => {
    const onlyBackend = promoted(emptyState("dev"), exampleRelease(REV_A, "2", { backend: "2.0.0" }), ["backend"], "2026-11-23T08:00:00Z");
    const all = byId(manifestOf(configWith("canary"), onlyBackend));
    assert.deepEqual([...all.keys()], ["AnalysisTemplate/webshop-dev-release-analysis", "Rollout/backend", "Service/backend-canary"]);
    assert.equal((all.get("Rollout/backend") as Obj).spec.strategy.canary.steps[2].analysis.args[0].value, "2.0.0");
  });

  it("a rolling environment has no Rollouts to render: asking is refused, naming the setting", () => {
    assert.throws(() => rolloutsInput(configWith("rolling"), "dev", STATE), /^InputError: environments\.dev\.strategy: is rolling; there are no Rollouts to render$/);
  });
});

describe("files by format", () => {
  it("kustomize: the manifest and the name-reference configuration beside the kustomization (env.file's folder)", () => {
    assert.deepEqual(Object.keys(rolloutFiles(configWith("canary"), "dev", STATE, false)), [`environments/dev/${ROLLOUTS_MANIFEST}`, `environments/dev/${ROLLOUTS_KUSTOMIZE_CONFIG}`]);
    assert.deepEqual(Object.keys(rolloutFiles(configWith("canary", "kustomize", ", file: overlay/kustomization.yaml"), "dev", STATE, false)), [
      "environments/dev/overlay/rollouts.yaml",
      "environments/dev/overlay/rollouts-kustomizeconfig.yaml",
    ]);
  });

  it("helm: a chart folder gets templates/rollouts.yaml with Argo's placeholders escaped from Helm; a values-only folder gets the plain file", () => {
    const config = configWith("canary", "helm");
    const files = rolloutFiles(config, "dev", STATE, true);
    assert.deepEqual(Object.keys(files), ["environments/dev/templates/rollouts.yaml"]);
    const text = files["environments/dev/templates/rollouts.yaml"];
    // What Helm would print: each {{ "{{" }} and {{ "}}" }} back to the braces, the rest as written.
    assert.equal(text.replace(/\{\{ "(\{\{|\}\})" \}\}/g, "$1"), manifestOf(config));
    assert.doesNotMatch(text.replace(/\{\{ "(\{\{|\}\})" \}\}/g, ""), /\{\{|\}\}/, "no brace pair left for Helm to read as its own");
    assert.equal(asHelmTemplate("a {{x}} b"), 'a {{ "{{" }}x{{ "}}" }} b');
    assert.deepEqual(Object.keys(rolloutFiles(config, "dev", STATE, false)), ["environments/dev/rollouts.yaml"]);
  });

  it("manifests: the folder's rollouts.yaml, which promotion does not take for a deployment file to edit", () => {
    const config = configWith("blue-green", "manifests");
    assert.deepEqual(Object.keys(rolloutFiles(config, "dev", STATE, false)), ["environments/dev/rollouts.yaml"]);
    assert.deepEqual(deploymentFiles(config.environments.dev, ["deployment.yaml", ROLLOUTS_MANIFEST, "service.yml"]), ["environments/dev/deployment.yaml", "environments/dev/service.yml"]);
  });
});

describe("the kustomization edit", () => {
  const KUSTOMIZATION = "# dev overlay\nnamespace: shop-dev # the namespace\nresources:\n  - ../../base # shared\nimages: []\n";

  it("lists the manifest in resources and the configuration in configurations, comments kept", () => {
    const edited = withRolloutResources(KUSTOMIZATION, "environments/dev/kustomization.yaml");
    assert.equal(
      edited,
      "# dev overlay\nnamespace: shop-dev # the namespace\nresources:\n  - ../../base # shared\n  - rollouts.yaml\nimages: []\nconfigurations:\n  - rollouts-kustomizeconfig.yaml\n",
    );
  });

  it("is idempotent: the next promotion adds nothing", () => {
    const once = withRolloutResources(KUSTOMIZATION, "k.yaml");
    assert.equal(withRolloutResources(once, "k.yaml"), once);
  });

  it("a kustomization whose configurations is not a list is refused naming the file", () => {
    assert.throws(
      () => withRolloutResources("resources: []\nconfigurations: x.yaml\n", "environments/dev/kustomization.yaml"),
      /^InputError: environments\/dev\/kustomization\.yaml: configurations must be a list$/,
    );
  });
});
