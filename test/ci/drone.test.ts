/** The Drone pipelines we ship are valid by Drone's documented format; a broken one is refused, naming each mistake. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../tiers/modules.js";
import { parseDroneFile } from "./drone-format.js";
import { droneEvents, droneSubstitute, substitutionParams } from "./drone-host.js";

const SHIPPED = "ci/drone/.drone.yml";

test("ci/drone/.drone.yml: every document is a valid docker pipeline, with the triggers of every event we map", () => {
  const { pipelines, problems } = parseDroneFile(readFileSync(join(ROOT, SHIPPED), "utf8"), SHIPPED);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    pipelines.map((p) => [p.name, p.trigger?.event]),
    [
      ["pull-request", ["pull_request"]],
      ["push-main", ["push"]],
      ["push", ["push"]],
      ["release-tag", ["tag"]],
      ["promote", ["promote"]],
      ["rollback", ["rollback"]],
      ["prune-previews", ["cron"]],
    ],
  );
  // Secrets only through from_secret, never written in the file.
  const secretLike = pipelines.flatMap((p) =>
    p.steps.flatMap((s) =>
      Object.entries(s.environment ?? {})
        .filter(([k]) => /TOKEN|PASSWORD|SECRET|WEBHOOK|DATABASE_URL/.test(k))
        .map(([k, v]) => ({ at: `${p.name}.${s.name}: ${k}`, fromSecret: typeof v === "object" })),
    ),
  );
  assert.ok(secretLike.length >= 8, `secrets found: ${secretLike.length}`);
  assert.deepEqual(
    secretLike.filter((x) => !x.fromSecret).map((x) => x.at),
    [],
    "every secret comes from a Drone secret",
  );
  // Promotions write the GitOps repository: one at a time (Drone's concurrency is per pipeline).
  assert.deepEqual(
    pipelines.filter((p) => p.concurrency?.limit === 1).map((p) => p.name),
    ["release-tag", "promote", "rollback", "prune-previews"],
  );
});

test("a broken Drone file fails, naming the misspelt key, the unknown event and the missing volume", () => {
  const { problems } = parseDroneFile(readFileSync(join(ROOT, "test/fixtures/ci/broken.drone.yml"), "utf8"), "broken.drone.yml");
  assert.ok(
    problems.some((p) => /steps\.0: Unrecognized key: "comands"/.test(p)),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => /trigger\.event/.test(p)),
    problems.join("\n"),
  );
  const fixed = readFileSync(join(ROOT, "test/fixtures/ci/broken.drone.yml"), "utf8").replace("comands", "commands").replace(", delete", "");
  assert.deepEqual(parseDroneFile(fixed, "fixed.drone.yml").problems, ["fixed.drone.yml: broken.ci: volume dockersock is not a volume of the pipeline"]);
});

test("real Drone files (drone/drone's and drone-cache's, docker pipelines) are valid: the schema is not stricter than Drone", () => {
  const dir = join(ROOT, "test/fixtures/ci/drone-corpus");
  // The copies are pinned to the corpus files (../shared/corpora/workflows/drone, SOURCES.tsv beside them).
  for (const line of readFileSync(join(dir, "SHA256SUMS"), "utf8").trim().split("\n")) {
    const [sum, name] = line.split(/\s+/);
    assert.equal(
      createHash("sha256")
        .update(readFileSync(join(dir, name)))
        .digest("hex"),
      sum,
      name,
    );
  }
  for (const name of ["drone__.drone.yml", "drone-cache__.drone-local.yml"]) {
    const { problems } = parseDroneFile(readFileSync(join(dir, name), "utf8"), name);
    assert.deepEqual(problems, [], name);
  }
});

test("Drone's substitution, which runs over the whole file (comments included) before it is parsed, accepts it and leaves every shell expansion to the shell", () => {
  const text = readFileSync(join(ROOT, SHIPPED), "utf8");
  const substituted = droneSubstitute(text, substitutionParams(droneEvents.push("main", "0".repeat(40))));
  // Every dollar-brace of the file is escaped for the shell, so substitution only undoubles them.
  assert.equal(substituted, text.replaceAll("$$", "$"));
  assert.deepEqual(parseDroneFile(substituted, SHIPPED).problems, []);
});

test("the substitution model: parameters, defaults, the :+ form that always yields its text, escapes, and the forms that fail the file", () => {
  const params = { DRONE_BRANCH: "main" };
  assert.equal(droneSubstitute("${DRONE_BRANCH} ${DRONE_TAG} $DRONE_BRANCH", params), "main  $DRONE_BRANCH");
  assert.equal(droneSubstitute('${DRONE_TAG:-none} ${SECRET:+"--flag"} ${DRONE_BRANCH:+x} ${SECRET:-}', params), 'none "--flag" main ');
  assert.equal(droneSubstitute('$${SECRET:+"--flag"} $$', params), '${SECRET:+"--flag"} $');
  assert.throws(() => droneSubstitute("${SECRET+x}", params), /bad substitution/);
  assert.throws(() => droneSubstitute("${SECRET-x}", params), /bad substitution/);
  assert.throws(() => droneSubstitute("${DRONE_BRANCH///-}", params), /does not evaluate/);
});

test("duplicate step or service names in a pipeline fail the check, as Drone's linter refuses them (steps and services share one namespace, with clone)", () => {
  const pipeline = (body: string) => `kind: pipeline\ntype: docker\nname: p\n${body}`;
  const step = (name: string) => `  - name: ${name}\n    image: alpine:3.22\n    commands: ["true"]\n`;
  const cases: [string, string][] = [
    [`steps:\n${step("test")}${step("test")}`, 'steps.1: name "test" is already used by steps.0'],
    [`steps:\n${step("test")}services:\n${step("db")}${step("db")}`, 'services.1: name "db" is already used by services.0'],
    // drone-runner-docker's own case (engine/linter/testdata/duplicate_step_service.yml).
    [`steps:\n${step("test")}services:\n${step("test")}`, 'steps.0: name "test" is already used by services.0'],
    [`steps:\n${step("clone")}`, `steps.0: name "clone" is already used by Drone's clone step`],
  ];
  for (const [body, problem] of cases)
    assert.deepEqual(parseDroneFile(pipeline(body), "dup.drone.yml").problems, [`dup.drone.yml: p: ${problem}; step and service names must be unique in a pipeline`]);
  // With the clone disabled, `clone` is a free name; distinct names pass.
  assert.deepEqual(parseDroneFile(pipeline(`clone:\n  disable: true\nsteps:\n${step("clone")}services:\n${step("db")}`), "ok.drone.yml").problems, []);
  // The same name in two pipelines is fine: the namespace is per pipeline.
  assert.deepEqual(parseDroneFile(`${pipeline(`steps:\n${step("test")}`)}---\n${pipeline(`steps:\n${step("test")}`).replace("name: p", "name: q")}`, "two.drone.yml").problems, []);
});

test("the pull-request pipeline gets no secret, no Docker socket and no host volume; other branches' pushes no socket either; only main's push gets the registry and GitOps tokens", () => {
  const { pipelines } = parseDroneFile(readFileSync(join(ROOT, SHIPPED), "utf8"), SHIPPED);
  const secretsOf = (p: (typeof pipelines)[number]) => p.steps.flatMap((s) => Object.values({ ...p.environment, ...s.environment }).flatMap((v) => (typeof v === "object" ? [v.from_secret] : [])));
  const pr = pipelines.filter((p) => p.trigger?.event === undefined || JSON.stringify(p.trigger.event).includes("pull_request"));
  assert.deepEqual(
    pr.map((p) => p.name),
    ["pull-request"],
    "only one pipeline runs for pull requests, and every other names its events",
  );
  for (const p of pr) {
    assert.deepEqual(secretsOf(p), [], `${p.name}: no from_secret`);
    assert.deepEqual(p.volumes ?? [], [], `${p.name}: no host volume`);
    assert.ok(
      [...p.steps, ...(p.services ?? [])].every((s) => !s.privileged && (s.volumes ?? []).length === 0),
      `${p.name}: no privileged step, no mounted volume`,
    );
    assert.ok(
      p.steps.every((s) => s.environment?._EXPERIMENTAL_DAGGER_RUNNER_HOST !== undefined),
      `${p.name}: its dagger calls go to an engine apart from the runner`,
    );
  }
  const push = pipelines.filter((p) => JSON.stringify(p.trigger?.event) === JSON.stringify(["push"]));
  assert.deepEqual(
    push.map((p) => [p.name, p.trigger?.branch]),
    [
      ["push-main", ["main"]],
      ["push", { exclude: ["main"] }],
    ],
  );
  assert.deepEqual(secretsOf(push[1]), ["nexus_token"], "other branches: the mirror's read token only");
  // A branch's code is its author's: no Docker socket of the runner, the untrusted engine instead.
  assert.deepEqual(push[1].volumes ?? [], [], "other branches: no host volume");
  assert.ok(
    push[1].steps.every((s) => (s.volumes ?? []).length === 0 && s.environment?._EXPERIMENTAL_DAGGER_RUNNER_HOST !== undefined),
    "other branches: the engine apart from the runner",
  );
  assert.ok(secretsOf(push[0]).includes("gitops_token") && secretsOf(push[0]).includes("registry_token"));
});

test("every step image is pinned by digest, and nothing downloaded is piped into a shell", () => {
  const text = readFileSync(join(ROOT, SHIPPED), "utf8");
  const { pipelines } = parseDroneFile(text, SHIPPED);
  for (const p of pipelines)
    for (const s of [...p.steps, ...(p.services ?? [])]) {
      assert.match(s.image, /@sha256:[0-9a-f]{64}$/, `${p.name}.${s.name}: ${s.image}`);
      for (const c of s.commands ?? []) assert.doesNotMatch(c, /\|\s*(ba|da)?sh\b/, `${p.name}.${s.name}: ${c}`);
      assert.ok((s.commands ?? []).includes("sh ci/install-dagger.sh"), `${p.name}.${s.name}: installs the CLI with ci/install-dagger.sh`);
    }
});
