/**
 * Previews on GitHub without a GitOps token in the branch's hands: a preview branch's push job
 * (its workflow file is the branch's) publishes and uploads the images it published; preview.yml,
 * a workflow_run that GitHub runs from main, reads them as hostile data and writes the preview.
 * Both run for real through their shell, with a recording `dagger` and a stand-in `gh`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { parseImageArguments } from "../../.dagger/src/stages/compose.js";
import { ROOT } from "../tiers/modules.js";
import { githubEvents, githubStepsFor } from "./github-host.js";
import { listFlag, parseDaggerCall, type RecordedCall, runWrapperCalls } from "./wrapper-run.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const IMAGES = [`backend=registry.example.com/acme/webshop-backend:${SHA}@${digest("a")}`, `frontend=registry.example.com/acme/webshop-frontend:${SHA}@${digest("b")}`];
const workflow = (name: string) => readFileSync(join(ROOT, "ci/github", name), "utf8");
const components = Object.keys(parseConfig(readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8"), "pipeline.yaml").components);

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
const jobOf = (file: string, name: string) => (parse(workflow(file)) as { jobs: Record<string, { environment?: string; steps: Step[] }> }).jobs[name];

/** Run the jobs an event starts in push.yml and preview.yml, every step in one working folder; the calls, and the folder. */
function run(event: ReturnType<typeof githubEvents.push>, env: Record<string, string> = {}, stubs: Record<string, string> = {}) {
  const jobs = githubStepsFor({ "push.yml": workflow("push.yml"), "preview.yml": workflow("preview.yml") }, event);
  assert.equal(jobs.length, 1, jobs.map((j) => j.job).join(", "));
  const cwd = mkdtempSync(join(tmpdir(), "preview-job-"));
  const base = { GITHUB_STEP_SUMMARY: join(cwd, "summary.md"), RUNNER_TEMP: join(cwd, "runner-temp"), ...env };
  const calls = jobs[0].steps.flatMap((s) => runWrapperCalls(["set -o pipefail", s.script], { ...s.env, ...base }, { cwd, stubs }));
  return { job: jobs[0].job, calls, cwd };
}
const parsed = (calls: RecordedCall[]) => calls.map((c) => ({ ...parseDaggerCall(c.args), secrets: c.secrets }));

/** A gh that serves `images` (the file's text) as the triggering run's artifact preview-images, checking it is asked for exactly that. */
const gh = (images: string) => {
  const file = join(mkdtempSync(join(tmpdir(), "artifact-")), "images.txt");
  writeFileSync(file, images);
  return {
    gh: `#!/bin/sh
[ "$1 $2 $3 $4 $5 $6 $7" = "run download 777 --repo acme/webshop --name preview-images" ] || { echo "gh: unexpected $*" >&2; exit 1; }
[ "$GH_TOKEN" = github-token ] || { echo "gh: no token" >&2; exit 1; }
mkdir -p "$9" && cp "${file}" "$9/images.txt"
`,
  };
};

describe("a preview branch's push: publishes and uploads the images, writes no GitOps state", () => {
  const result = JSON.stringify({
    passed: true,
    failed: [],
    components: { backend: { version: "1.0.0", image: IMAGES[0].slice(8) }, frontend: { image: IMAGES[1].slice(9) }, db: { version: "1.1.0" } },
  });
  const r = run(githubEvents.push("feature/login", SHA), { FAKE_DAGGER_RESULT: result });

  test("the branches job's ci call publishes (registry token) and has no GitOps token; nothing else is called", () => {
    assert.equal(r.job, "push.yml:branches");
    const calls = parsed(r.calls);
    assert.deepEqual(
      calls.map((c) => c.fn),
      ["plan", "ci"],
    );
    assert.equal(calls[1].flags["registry-token"], "env://REGISTRY_TOKEN");
    assert.equal(calls[1].flags["gitops-token"], undefined);
    // Every secret is set in this event (github-host), so the optional signing key shows too; never a GitOps token.
    assert.deepEqual(Object.keys(calls[1].secrets).sort(), ["COSIGN_KEY", "COSIGN_PASSWORD", "NEXUS_TOKEN", "REGISTRY_TOKEN"]);
    for (const step of jobOf("push.yml", "branches").steps) assert.doesNotMatch(JSON.stringify(step.env ?? {}), /GITOPS/);
  });

  test("it writes the published images (by digest, none for the unpublished database) and uploads that file as preview-images", () => {
    assert.equal(readFileSync(join(r.cwd, "preview-images/images.txt"), "utf8"), `${IMAGES.join("\n")}\n`);
    const upload = jobOf("push.yml", "branches").steps.find((s) => s.with?.name === "preview-images");
    assert.ok(upload?.uses?.startsWith("actions/upload-artifact@"), "an upload-artifact step named preview-images");
    assert.equal(upload?.with?.path, "preview-images/images.txt");
  });

  test("main's push still gets both tokens, records and promotes in one ci call, in the environment main", () => {
    const main = parsed(run(githubEvents.push("main", SHA)).calls);
    assert.deepEqual(
      main.map((c) => c.fn),
      ["plan", "ci"],
    );
    assert.equal(main[1].flags["registry-token"], "env://REGISTRY_TOKEN");
    assert.equal(main[1].flags["gitops-token"], "env://GITOPS_TOKEN");
    assert.equal(jobOf("push.yml", "main").environment, "main");
  });
});

describe("preview.yml: the trusted side", () => {
  test("it runs from main's checkout in the environment previews, checks out nothing of the branch and keeps no token", () => {
    const job = jobOf("preview.yml", "preview");
    assert.equal(job.environment, "previews");
    const checkout = job.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    assert.equal(checkout?.with?.ref, "${{ github.event.repository.default_branch }}");
    assert.equal(checkout?.with?.["persist-credentials"], false);
    // No ref of the triggering run is checked out or fetched: its branch and revision only reach env: as data.
    assert.doesNotMatch(workflow("preview.yml"), /ref:\s*\$\{\{\s*github\.event\.workflow_run/);
  });

  test("a successful branch run: preview is called with exactly the run's images and the GitOps token", () => {
    const r = run(githubEvents.workflowRun("feature/login", SHA), { GITOPS_TOKEN: "gitops" }, gh(`${IMAGES.join("\n")}\n`));
    const calls = parsed(r.calls);
    assert.deepEqual(
      calls.map((c) => c.fn),
      ["preview"],
    );
    assert.equal(calls[0].flags.branch, "feature/login");
    assert.deepEqual(listFlag(calls[0], "images"), IMAGES);
    assert.equal(calls[0].flags["gitops-token"], "env://GITOPS_TOKEN");
    // The module checks the components against main's pipeline.yaml: these pass, an unknown one does not.
    assert.deepEqual(Object.keys(parseImageArguments(listFlag(calls[0], "images"), components)), ["backend", "frontend"]);
    assert.throws(() => parseImageArguments([IMAGES[0].replace("backend=", "evil=")], components), /images: "evil" is not a component; components: db, backend, frontend/);
  });

  test("a failed run, a pull request's run, or main's own run starts nothing", () => {
    for (const event of [githubEvents.workflowRun("feature/login", SHA, "failure"), githubEvents.workflowRun("feature/login", SHA, "success", "pull_request"), githubEvents.workflowRun("main", SHA)])
      assert.deepEqual(githubStepsFor({ "preview.yml": workflow("preview.yml") }, event), []);
  });

  test("a run that published nothing (not a preview branch): no preview call, and the job passes", () => {
    const r = run(githubEvents.workflowRun("dev", SHA), { GITOPS_TOKEN: "gitops" }, gh(""));
    assert.deepEqual(r.calls, []);
    assert.match(readFileSync(join(r.cwd, "summary.md"), "utf8"), /published no images/);
  });

  const malformed: [string, string, RegExp][] = [
    ["a command instead of an image", `${IMAGES[0]}\n$(id)\n`, /line 2: .* is not component=registry\/name:<40-hex revision>@sha256:<64 hex digest>/],
    ["another revision's image", `${IMAGES[0].replace(SHA, "f".repeat(40))}\n`, /line 1: .* is tagged f{40}, not the revision the run built/],
    ["a tag without a digest", `backend=registry.example.com/acme/webshop-backend:${SHA}\n`, /line 1: .* is not component=/],
    ["a short digest", `${IMAGES[0].slice(0, -1)}\n`, /line 1: .* is not component=/],
    ["a component twice", `${IMAGES[0]}\n${IMAGES[0]}\n`, /line 2: component backend is named twice \(first on line 1\)/],
    ["a flag smuggled in", `--remove\n`, /line 1: .*--remove is not component=/],
    ["a carriage return", `${IMAGES[0]}\r\n`, /holds a carriage return/],
    ["an extra field", `${IMAGES[0]} --remove\n`, /line 1: .* is not component=/],
  ];
  for (const [name, text, message] of malformed)
    test(`a malformed artifact is refused, nothing is called: ${name}`, () => {
      assert.throws(
        () => run(githubEvents.workflowRun("feature/login", SHA), { GITOPS_TOKEN: "gitops" }, gh(text)),
        (e: Error & { calls?: RecordedCall[] }) => {
          assert.match(e.message, message);
          assert.deepEqual(e.calls, []);
          return true;
        },
      );
    });
});
