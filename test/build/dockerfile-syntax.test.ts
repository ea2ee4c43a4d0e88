// A component's own Dockerfile may start with a `# syntax=` parser directive. Dagger 0.21's
// dockerBuild runs Dockerfiles with the frontend built into the engine: it accepts a directive
// naming docker/dockerfile (or -upstream, or moby/dockerfile) and refuses any other frontend with
// "dockerBuild syntax frontend … is unsupported in hard-cutover path" (dagger/dagger core/container.go,
// isKnownDockerfileSyntaxFrontend and Container.Build, read at v0.21.8). preflight must say so
// before any work starts, naming the file, the value and what is valid; the known ones pass.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { preflight } from "../../.dagger/src/stages/context.js";
import { exampleConfig } from "../topology/fixture.js";
import { exampleEngine } from "../recorder/example-engine.js";
import { record } from "../recorder/record.js";

/** preflight of the example with backend building from its own backend/Dockerfile of this text; the error message, or "" when it passes. */
async function preflightWith(dockerfile: string): Promise<string> {
  const config = exampleConfig();
  config.components.backend.dockerfile = "Dockerfile";
  const { result } = await record(
    async () =>
      preflight({ config, source: dag.directory(), runId: "run-1" }, ["db", "backend", "frontend"]).then(
        () => "",
        (e: Error) => e.message,
      ),
    exampleEngine((leaf) => (leaf === 'directory.directory(path: "backend").file(path: "Dockerfile").contents' ? dockerfile : undefined)),
  );
  return result;
}

describe("a component's own Dockerfile with a syntax directive", () => {
  it("item 17: a frontend the engine cannot run is refused before any work, naming the file, the value and what is valid; docker/dockerfile ones pass", async () => {
    const refused = await preflightWith("# syntax=ghcr.io/acme/dockerfile-frontend:2.1\nFROM node:22\n");
    assert.match(refused, /components\.backend: backend\/Dockerfile line 1: # syntax=ghcr\.io\/acme\/dockerfile-frontend:2\.1 names a BuildKit frontend Dagger's dockerBuild cannot run/);
    assert.match(refused, /docker\/dockerfile/, "says what is valid");
    for (const ok of [
      "# syntax=docker/dockerfile:1.7\nFROM node:22\n",
      "#syntax = docker/dockerfile:1\nFROM node:22\n",
      `# escape=\`\n# syntax=docker.io/docker/dockerfile-upstream@sha256:${"a".repeat(64)}\nFROM node:22\n`,
      "FROM node:22\n# syntax=acme/late:1 is a comment after an instruction\n",
    ])
      assert.equal(await preflightWith(ok), "", ok);
  });
});
