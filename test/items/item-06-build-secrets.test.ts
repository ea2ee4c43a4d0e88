// Issue 14, item 6: Directory.dockerBuild keeps the build's secrets mounted (engine rule (d)), so
// the .npmrc with the mirror token was readable inside the E2E and Aspire services built from the
// image. The container that becomes a service must carry no build secret.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { nodeDockerfile } from "../../modules/node-toolchain/src/dockerfile.js";
import { NodeToolchain } from "../../modules/node-toolchain/src/index.js";
import { imageSpec } from "../../modules/node-toolchain/src/package-spec.js";
import { applySecretOps, dockerBuildSecrets, type SecretOp } from "../harness/engine/docker-build-secrets.js";
import { record } from "../recorder/record.js";
import { ROOT } from "../tiers/modules.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const PKG = readFileSync(join(ROOT, "examples/webshop/backend/package.json"), "utf8");
const OWN_DOCKERFILE = `FROM node:22 AS app
WORKDIR /app
COPY . .
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
CMD ["node", "dist/server.js"]
`;

/** The secrets the engine leaves on the service's container: rule (d) applied to the recorded ops. */
async function serviceSecrets(ownDockerfile: string) {
  const { graph } = await record(
    async () =>
      (
        await new NodeToolchain("mirror.local/library/node:22-bookworm-slim", "http://npm.mirror.local/", dag.setSecret("npmrc-in", "//npm.mirror.local/:_authToken=tok")).build(
          dag.directory(),
          SHA,
          "2026-11-22T00:00:00Z",
          "",
          ownDockerfile,
        )
      )
        .withExposedPort(8080)
        .asService()
        .id(),
    (leaf) =>
      leaf.endsWith('file(path: "package.json").contents')
        ? PKG
        : leaf.endsWith('file(path: "Dockerfile").contents')
          ? OWN_DOCKERFILE
          : leaf.endsWith(".plaintext")
            ? "//npm.mirror.local/:_authToken=tok"
            : undefined,
  );
  const service = graph.containers.find((c) => c.asService);
  assert.ok(service, "a container becomes the service");
  const [build, ...rest] = service.ops as (SecretOp & Record<string, unknown>)[];
  assert.equal(build.op, "dockerBuild");
  const names = (build.secrets as string[]) ?? [];
  assert.ok(names.length > 0, "the build gets the .npmrc secret");
  const dockerfile = ownDockerfile ? OWN_DOCKERFILE : nodeDockerfile(imageSpec(PKG, { files: ["dist"], port: 8080, healthPath: "/health", systemPackages: [] }).spec);
  return applySecretOps(dockerBuildSecrets(names, dockerfile), rest);
}

describe("issue 14 items", () => {
  it("item 6: the built image that becomes a service carries no build secret (generated Dockerfile)", async () => {
    assert.deepEqual(await serviceSecrets(""), []);
  });
  it("item 6: the built image that becomes a service carries no build secret (own Dockerfile mounting it in its final stage)", async () => {
    assert.deepEqual(await serviceSecrets("Dockerfile"), []);
  });
});
