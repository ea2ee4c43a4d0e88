/** The Drone pipelines we ship are valid by Drone's documented format; a broken one is refused, naming each mistake. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../tiers/modules.js";
import { parseDroneFile } from "./drone-format.js";

const SHIPPED = "ci/drone/.drone.yml";

test("ci/drone/.drone.yml: every document is a valid docker pipeline, with the triggers of every event we map", () => {
  const { pipelines, problems } = parseDroneFile(readFileSync(join(ROOT, SHIPPED), "utf8"), SHIPPED);
  assert.deepEqual(problems, []);
  assert.deepEqual(pipelines.map((p) => [p.name, p.trigger?.event]), [
    ["pull-request", ["pull_request"]],
    ["push", ["push"]],
    ["release-tag", ["tag"]],
    ["promote", ["promote"]],
    ["prune-previews", ["cron"]],
  ]);
  // Secrets only through from_secret, never written in the file.
  for (const p of pipelines) for (const s of p.steps) for (const [k, v] of Object.entries(s.environment ?? {})) if (/TOKEN|PASSWORD|SECRET/.test(k)) assert.ok(typeof v === "object", `${p.name}.${s.name}: ${k} comes from a Drone secret`);
});

test("a broken Drone file fails, naming the misspelt key, the unknown event and the missing volume", () => {
  const { problems } = parseDroneFile(readFileSync(join(ROOT, "test/fixtures/ci/broken.drone.yml"), "utf8"), "broken.drone.yml");
  assert.ok(problems.some((p) => /steps\.0: Unrecognized key: "comands"/.test(p)), problems.join("\n"));
  assert.ok(problems.some((p) => /trigger\.event/.test(p)), problems.join("\n"));
  const fixed = readFileSync(join(ROOT, "test/fixtures/ci/broken.drone.yml"), "utf8").replace("comands", "commands").replace(", delete", "");
  assert.deepEqual(parseDroneFile(fixed, "fixed.drone.yml").problems, ["fixed.drone.yml: broken.ci: volume dockersock is not a volume of the pipeline"]);
});

test("real Drone files (drone/drone's and drone-cache's, docker pipelines) are valid: the schema is not stricter than Drone", () => {
  const dir = join(ROOT, "test/fixtures/ci/drone-corpus");
  // The copies are pinned to the corpus files (../shared/corpora/workflows/drone, SOURCES.tsv beside them).
  for (const line of readFileSync(join(dir, "SHA256SUMS"), "utf8").trim().split("\n")) {
    const [sum, name] = line.split(/\s+/);
    assert.equal(createHash("sha256").update(readFileSync(join(dir, name))).digest("hex"), sum, name);
  }
  for (const name of ["drone__.drone.yml", "drone-cache__.drone-local.yml"]) {
    const { problems } = parseDroneFile(readFileSync(join(dir, name), "utf8"), name);
    assert.deepEqual(problems, [], name);
  }
});
