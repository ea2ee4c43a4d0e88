// The GitOps repository's deploy wrappers (ci/github/gitops-deploy.yml, ci/drone/gitops-deploy.drone.yml):
// which pushes start them, and the dagger line their shell really runs (bash for GitHub, sh for
// Drone's alpine image), with a stand-in dagger and git that record their arguments.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ROOT } from "../tiers/modules.js";
import { parseDroneFile } from "./drone-format.js";
import { droneEvents, droneStepsFor } from "./drone-host.js";
import { githubEvents, githubStepsFor } from "./github-host.js";
import { type RecordedCall, runWrapperCalls } from "./wrapper-run.js";

const SHA = "1".repeat(40);
const APP_REV = "a".repeat(40);
const DEPLOY = ["-m", `github.com/acme/webshop@${APP_REV}`, "call", "deploy", "--env", "prod", "--ssh-key=env://DEPLOY_SSH_KEY", "--gitops-token=env://GITOPS_TOKEN"];

/** git: ls-remote answers the application's main; diff --quiet exits $FAKE_DIFF (1: the folder changed). */
const GIT = `#!/bin/sh
echo "git $*" >>"$FAKE_DAGGER_LOG.git"
case "$1" in
  ls-remote) printf '%s\\trefs/heads/main\\n' "${APP_REV}" ;;
  diff) exit "\${FAKE_DIFF:-1}" ;;
esac
`;

describe("ci/github/gitops-deploy.yml (the GitOps repository's workflow)", () => {
  const workflows = { "gitops-deploy.yml": readFileSync(join(ROOT, "ci/github/gitops-deploy.yml"), "utf8") };
  const run = (changed: string[], vars: Record<string, string> = { APP_REPOSITORY: "github.com/acme/webshop" }): RecordedCall[] => {
    const jobs = githubStepsFor(workflows, { ...githubEvents.push("main", SHA, changed), vars, secrets: { DEPLOY_SSH_KEY: "key", GITOPS_TOKEN: "token" } });
    if (jobs.length === 0) return [];
    assert.equal(jobs.length, 1);
    return jobs[0].steps.flatMap((s) => runWrapperCalls(["set -o pipefail", s.script], { ...s.env, GITHUB_STEP_SUMMARY: "/dev/null" }, { stubs: { git: GIT } }));
  };

  test("a push to main changing environments/prod runs deploy --env prod of the application's main, with the key and token as env:// secrets", () => {
    const calls = run(["environments/prod/compose.yaml"]);
    assert.deepEqual(
      calls.map((c) => c.args),
      [DEPLOY],
    );
    assert.deepEqual(calls[0].secrets, { DEPLOY_SSH_KEY: "key", GITOPS_TOKEN: "token" });
  });

  test("a push changing only another environment, or another branch, starts nothing", () => {
    assert.deepEqual(run(["environments/staging/kustomization.yaml", "README.md"]), []);
    assert.deepEqual(githubStepsFor(workflows, githubEvents.push("promote/prod/abc", SHA, ["environments/prod/compose.yaml"])), []);
  });

  test("without the APP_REPOSITORY variable the step fails naming it, and dagger is not called", () => {
    assert.throws(
      () => run(["environments/prod/compose.yaml"], {}),
      (e: Error & { calls?: RecordedCall[] }) => /APP_REPOSITORY: "" is not a repository/.test(e.message) && e.calls?.length === 0,
    );
  });
});

describe("ci/drone/gitops-deploy.drone.yml (the GitOps repository's pipeline)", () => {
  const text = readFileSync(join(ROOT, "ci/drone/gitops-deploy.drone.yml"), "utf8");
  const { pipelines, problems } = parseDroneFile(text, "gitops-deploy.drone.yml");

  test("a valid docker pipeline, started by a push to main only", () => {
    assert.deepEqual(problems, []);
    assert.equal(droneStepsFor(pipelines, droneEvents.push("feature/x", SHA)).length, 0);
    assert.equal(droneStepsFor(pipelines, droneEvents.tag("v1.0.0", SHA)).length, 0);
  });

  const run = (before: string, diff: number) => {
    const env = { ...droneEvents.push("main", SHA), DRONE_COMMIT_BEFORE: before, FAKE_DIFF: String(diff) };
    const steps = droneStepsFor(pipelines, env, { prod_deploy_ssh_key: "key", gitops_token: "token" });
    assert.equal(steps.length, 1);
    return runWrapperCalls(steps[0].commands, { ...env, ...steps[0].environment }, { shell: "sh", stubs: { git: GIT } });
  };

  test("a push that changed environments/prod/ deploys prod (the same dagger line as GitHub's, with gitea's repository)", () => {
    const calls = run("2".repeat(40), 1);
    assert.deepEqual(
      calls.map((c) => c.args),
      [DEPLOY.map((a) => a.replace("github.com/acme/webshop", "gitea.example.com/acme/webshop"))],
    );
    assert.deepEqual(calls[0].secrets, { DEPLOY_SSH_KEY: "key", GITOPS_TOKEN: "token" });
  });

  test("a push that left environments/prod/ as it was deploys nothing; a first push (before all zeros or empty) deploys", () => {
    assert.deepEqual(run("2".repeat(40), 0), []);
    assert.equal(run("0".repeat(40), 0).length, 1);
    assert.equal(run("", 0).length, 1);
  });
});
