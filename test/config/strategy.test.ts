// environments.<name>.strategy (issue 17, "Kubernetes strategies"): rolling stays the default,
// canary and blue-green get documented defaults, and every setting that could not roll out is
// refused at load time naming the field, the value and what is valid.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { DEFAULT_CANARY_STEPS, progressiveStrategy, workloadOf } from "../../.dagger/src/config/strategy.js";
import { HEAD, problemsOf } from "./refusals.js";

const COMPONENTS = "components: { api: { kind: backend, toolchain: node, path: api }, web: { kind: frontend, toolchain: node, path: web }, db: { kind: database, toolchain: flyway, path: db } }\n";
const GITOPS = 'gitops: { repository: "file:///srv/gitops.git" }\n';

/** A config whose dev environment has this strategy (raw YAML flow text) and format. */
const withStrategy = (strategy: string | undefined, format = "kustomize") =>
  `${HEAD}${COMPONENTS}${GITOPS}environments:\n  dev: { on: push, path: environments/dev, format: ${format}${strategy === undefined ? "" : `, strategy: ${strategy}`} }\n`;
const strategyOf = (strategy: string | undefined, format?: string) => parseConfig(withStrategy(strategy, format)).environments.dev.strategy;

describe("strategy: what loads", () => {
  it("no strategy is rolling, and so is `rolling`: the Deployment is edited as before", () => {
    assert.equal(strategyOf(undefined), "rolling");
    assert.equal(strategyOf("rolling"), "rolling");
    assert.deepEqual(strategyOf("{ kind: rolling }"), { kind: "rolling" });
    assert.equal(strategyOf(undefined, "compose"), "rolling", "compose environments keep the default");
    for (const rolling of [undefined, "rolling", "{ kind: rolling }"]) assert.equal(progressiveStrategy(strategyOf(rolling)), undefined);
  });

  it("canary alone gets the documented defaults: 20 % for 1m, 50 % for 2m, 100 %, the version checked at /health's version field", () => {
    assert.deepEqual(progressiveStrategy(strategyOf("canary")), { kind: "canary", steps: DEFAULT_CANARY_STEPS, analysis: { versionField: "version", errorRate: 0.01 }, workloads: {} });
    assert.deepEqual(progressiveStrategy(strategyOf("{ kind: canary }")), progressiveStrategy(strategyOf("canary")));
    assert.deepEqual(DEFAULT_CANARY_STEPS, [{ weight: 20, pause: "1m" }, { weight: 50, pause: "2m" }, { weight: 100 }]);
  });

  it("blue-green alone promotes automatically once the analysis passed", () => {
    assert.deepEqual(progressiveStrategy(strategyOf("blue-green")), { kind: "blue-green", autoPromote: true, analysis: { versionField: "version", errorRate: 0.01 }, workloads: {} });
  });

  it("the object forms as the README shows them, workloads by name or object, on helm and manifests too", () => {
    const canary = strategyOf(
      "{ kind: canary, steps: [{ weight: 10, pause: 30s }, { weight: 40, pause: 1h30m }, { weight: 80, pause: 45 }, { weight: 100, pause: manual }], analysis: { versionPath: /healthz, prometheus: http://prometheus.monitoring:9090, errorRate: 0.05 }, workloads: { api: api-server, web: { deployment: shop-web, service: shop, selector: { app.kubernetes.io/name: shop-web }, replicas: 3 } } }",
      "helm",
    );
    assert.deepEqual(canary, {
      kind: "canary",
      steps: [
        { weight: 10, pause: "30s" },
        { weight: 40, pause: "1h30m" },
        { weight: 80, pause: 45 },
        { weight: 100, pause: "manual" },
      ],
      analysis: { versionPath: "/healthz", versionField: "version", prometheus: "http://prometheus.monitoring:9090", errorRate: 0.05 },
      workloads: { api: "api-server", web: { deployment: "shop-web", service: "shop", selector: { "app.kubernetes.io/name": "shop-web" }, replicas: 3 } },
    });
    assert.deepEqual(workloadOf("api-server"), { deployment: "api-server", replicas: 1 }, "a name alone is the Deployment's, one replica");
    assert.deepEqual(workloadOf(undefined), { replicas: 1 });
    assert.deepEqual(strategyOf("{ kind: blue-green, autoPromote: false, analysis: { versionField: build.version } }", "manifests"), {
      kind: "blue-green",
      autoPromote: false,
      analysis: { versionField: "build.version", errorRate: 0.01 },
      workloads: {},
    });
  });
});

describe("strategy: refusals", () => {
  it("canary or blue-green on a compose environment: Argo Rollouts needs Kubernetes", () => {
    for (const kind of ["canary", "blue-green", "{ kind: canary }"])
      assert.deepEqual(problemsOf(withStrategy(kind, "compose")), [
        `environments.dev.strategy: is a Kubernetes rollout strategy (Argo Rollouts): it needs format kustomize, helm or manifests; a compose environment is updated in place (leave strategy out or use rolling) (got ${JSON.stringify(kind.startsWith("{") ? "canary" : kind)})`,
      ]);
    assert.equal(strategyOf("rolling", "compose"), "rolling");
  });

  it("weights that do not increase, or fall outside 1..100, each named by its step", () => {
    assert.deepEqual(problemsOf(withStrategy("{ kind: canary, steps: [{ weight: 50 }, { weight: 50 }, { weight: 20 }] }")), [
      "environments.dev.strategy.steps[1].weight: must be above the previous step's weight 50: weights increase step by step (got 50)",
      "environments.dev.strategy.steps[2].weight: must be above the previous step's weight 50: weights increase step by step (got 20)",
    ]);
    for (const weight of ["0", "101", "12.5", "-5"])
      assert.deepEqual(problemsOf(withStrategy(`{ kind: canary, steps: [{ weight: ${weight} }] }`)), [
        `environments.dev.strategy.steps[0].weight: must be a whole percentage from 1 to 100 (got ${Number(weight)})`,
      ]);
    // A wrong type fails every branch of the union: its message still names the field inside.
    assert.deepEqual(problemsOf(withStrategy('{ kind: canary, steps: [{ weight: "20" }] }')), [
      'environments.dev.strategy: steps[0].weight: must be a whole percentage from 1 to 100 (got {"kind":"canary","steps":[{"weight":"20"}]})',
    ]);
    assert.deepEqual(problemsOf(withStrategy("{ kind: canary, steps: [] }")), [
      "environments.dev.strategy.steps: must hold at least one step, e.g. [{ weight: 20, pause: 1m }, { weight: 100 }] (got [])",
    ]);
  });

  it("pauses Argo would not read as the duration meant: sub-second units, zero, fractions, spaces, other orders", () => {
    for (const pause of ["2ms", "0s", "0", "1.5", "1.5m", "5 m", "m5", "1m1h", "1d", "-1m", '""', "forever"])
      assert.deepEqual(problemsOf(withStrategy(`{ kind: canary, steps: [{ weight: 20, pause: ${pause} }] }`)), [
        `environments.dev.strategy.steps[0].pause: must be a duration such as 30s, 5m or 1h30m (units h, m, s, in that order), a whole number of seconds, or manual (got ${/^-?[0-9.]+$/.test(pause) ? Number(pause) : JSON.stringify(pause.replace(/^"|"$/g, ""))})`,
      ]);
  });

  it("a workload for an unknown component or for the database component, each with the components that run as Deployments", () => {
    assert.deepEqual(problemsOf(withStrategy("{ kind: blue-green, workloads: { apii: api, db: db } }")), [
      'environments.dev.strategy.workloads.apii: names no component; components that run as a Deployment: api, web (got "apii")',
      'environments.dev.strategy.workloads.db: db is a database component: its migrations run as a job, not a Deployment a Rollout could take over; components that run as a Deployment: api, web (got "db")',
    ]);
  });

  it("an unknown kind, a wrong type inside the object, a name Kubernetes refuses", () => {
    assert.deepEqual(problemsOf(withStrategy("canery")), ['environments.dev.strategy: must be rolling, canary, blue-green, or a mapping { kind: canary | blue-green, … } (got "canery")']);
    assert.deepEqual(problemsOf(withStrategy("{ kind: linear }")), ['environments.dev.strategy: kind: must be rolling, canary or blue-green (got {"kind":"linear"})']);
    assert.deepEqual(problemsOf(withStrategy("{ kind: blue-green, autoPromote: yes-please }")), [
      'environments.dev.strategy: autoPromote: Invalid input: expected boolean, received string (got {"kind":"blue-green","autoPromote":"yes-please"})',
    ]);
    const [tooLong] = problemsOf(withStrategy(`{ kind: canary, workloads: { api: ${"a".repeat(56)} } }`));
    assert.match(tooLong, /^environments\.dev\.strategy\.workloads\.api: must be a Kubernetes name: .* at most 55 characters \(so <name>-preview fits 63\)/);
    assert.deepEqual(problemsOf(withStrategy("{ kind: canary, analysis: { errorRate: 5 } }")), [
      "environments.dev.strategy.analysis.errorRate: must be a fraction from 0 to 1, e.g. 0.01 for 1 % (got 5)",
    ]);
  });

  it("a Prometheus URL with credentials is refused, the password masked", () => {
    const [problem, ...rest] = problemsOf(withStrategy('{ kind: canary, analysis: { prometheus: "http://admin:s3cr3t-pw@prometheus:9090" } }'));
    assert.deepEqual(rest, []);
    assert.match(problem, /^environments\.dev\.strategy\.analysis\.prometheus: must be an http:\/\/ or https:\/\/ URL without credentials/);
    assert.doesNotMatch(problem, /s3cr3t-pw/);
  });
});

describe("strategy: property", () => {
  it("any pause either loads as written or is refused with the rule, naming its step, never a stack trace", () => {
    const pauseText = fc.oneof(
      fc.stringMatching(/^[0-9]{1,3}(h|m|s|ms|d|us)?([0-9]{1,2}(h|m|s))?$/),
      fc.string({ maxLength: 8 }).filter((s) => !/[{}[\],:#&*!|>'"%@`\n\r\\]/.test(s) && s.trim() === s && s !== ""),
    );
    fc.assert(
      fc.property(pauseText, (pause) => {
        let loaded: unknown;
        try {
          loaded = strategyOf(`{ kind: canary, steps: [{ weight: 20, pause: "${pause}" }] }`);
        } catch (e) {
          const message = (e as Error).message;
          assert.doesNotMatch(message, /\n\s+at /, "no stack trace");
          assert.match(message, /environments\.dev\.strategy\.steps\[0\]\.pause: must be a duration such as 30s/);
          return;
        }
        const valid = pause === "manual" || (/^(?=\d)(?:\d+h)?(?:\d+m)?(?:\d+s)?$/.test(pause) && /[1-9]/.test(pause));
        assert.ok(valid, `accepted ${JSON.stringify(pause)}`);
        assert.equal((loaded as { steps: { pause: unknown }[] }).steps[0].pause, pause);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
