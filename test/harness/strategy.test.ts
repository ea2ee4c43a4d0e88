// A promotion to a canary environment through the engine model (issue 17, "Kubernetes strategies"):
// the Rollouts, their Services and the AnalysisTemplate land in the promotion's one commit with the
// release's versions, listed in the kustomization; a rolling environment gets none of it.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { renderReleaseRecord } from "../../.dagger/src/release/record.js";
import { emptyState, promoted, renderEnvironmentState } from "../../.dagger/src/release/state.js";
import { mintId } from "../recorder/ids.js";
import { git, history } from "../gitops/git/git-fixture.js";
import { exampleRelease, REV_A } from "../release/fixture.js";
import { GITOPS_SEED, harnessApp, type HarnessApp } from "./app.js";
import { Harness } from "./harness.js";
import { releaseScans } from "./stand-ins.js";

const A = exampleRelease(REV_A, "1", { backend: "1.4.0", frontend: "1.5.0" });
const STAGED = {
  ...GITOPS_SEED,
  [`releases/${REV_A}.json`]: renderReleaseRecord(A),
  "environments/dev/.pipeline/state.json": renderEnvironmentState(promoted(emptyState("dev"), A, ["db", "backend", "frontend"], "2026-11-22T08:00:00Z")),
};

describe("harness: promotion writes the Argo Rollouts objects of an environment with strategy: canary", () => {
  const apps: HarnessApp[] = [];
  after(async () => {
    for (const a of apps) await a.close();
  });
  /** The example with `strategy` on staging (none: rolling). */
  const setUp = async (strategy?: string) => {
    const app = await harnessApp("registry.example.com", STAGED);
    apps.push(app);
    const file = join(app.root, "pipeline.yaml");
    if (strategy) {
      const config = readFileSync(file, "utf8").replace(/(\n {2}staging:\n(?: {4}.*\n)*?)( {4}format: kustomize\n)/, `$1$2    strategy: ${strategy}\n`);
      assert.match(config, new RegExp(`format: kustomize\\n {4}strategy: ${strategy}\\n {2}prod:`), "staging got the strategy");
      writeFileSync(file, config);
    }
    const h = new Harness({ root: app.root, remotes: app.remotes });
    h.engine.setSecret("gitops-token", "gitops-token-canary");
    const promote = (args: Record<string, unknown>) =>
      h.call("pipeline", {}, "promote", { gitopsToken: mintId([{ field: "setSecret", args: { name: "gitops-token" } }]), ...args }).then(String, (e: Error) => `failed: ${e.message}`);
    return { app, promote };
  };

  it("canary: rollouts.yaml and its kustomize configuration, listed in the kustomization, in the promotion's one commit, with the release's versions", async () => {
    const { app, promote } = await setUp("canary");
    const out = await promote({ env: "staging", scans: releaseScans(A) });
    assert.match(out, /Pushed [0-9a-f]{12} to main/);
    assert.deepEqual(
      history(app.gitops).map((c) => c.subject.split(":")[0]),
      ["promote aaaaaaaaaaaa to staging", "seed"],
    );
    assert.deepEqual(git(app.gitops, "show", "--name-only", "--format=", "main").trim().split("\n").sort(), [
      "environments/staging/.pipeline/state.json",
      "environments/staging/kustomization.yaml",
      "environments/staging/rollouts-kustomizeconfig.yaml",
      "environments/staging/rollouts.yaml",
    ]);
    const kustomization = parse(git(app.gitops, "show", "main:environments/staging/kustomization.yaml"));
    assert.deepEqual(kustomization.resources, ["../../base", "rollouts.yaml"]);
    assert.deepEqual(kustomization.configurations, ["rollouts-kustomizeconfig.yaml"]);
    const docs = parseAllDocuments(git(app.gitops, "show", "main:environments/staging/rollouts.yaml")).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { strategy?: { canary: { steps: { analysis?: { args: { name: string; value?: string }[] } }[] } } } },
    );
    assert.deepEqual(
      docs.map((d) => `${d.kind}/${d.metadata.name}`),
      ["AnalysisTemplate/webshop-staging-release-analysis", "Rollout/backend", "Service/backend-canary", "Rollout/frontend", "Service/frontend-canary"],
    );
    const version = (name: string) =>
      docs
        .find((d) => d.metadata.name === name)
        ?.spec.strategy?.canary.steps.find((s) => s.analysis)
        ?.analysis?.args.find((a) => a.name === "version")?.value;
    assert.deepEqual([version("backend"), version("frontend")], ["1.4.0", "1.5.0"]);
  });

  it("rolling (no strategy): the commit holds the kustomization and the state only, no Rollout", async () => {
    const { app, promote } = await setUp();
    const out = await promote({ env: "staging", scans: releaseScans(A) });
    assert.match(out, /Pushed [0-9a-f]{12} to main/);
    assert.deepEqual(git(app.gitops, "show", "--name-only", "--format=", "main").trim().split("\n").sort(), ["environments/staging/.pipeline/state.json", "environments/staging/kustomization.yaml"]);
    assert.doesNotMatch(git(app.gitops, "show", "main:environments/staging/kustomization.yaml"), /rollouts/);
  });
});
