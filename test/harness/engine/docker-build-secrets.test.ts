import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applySecretOps, type DockerBuildMutant, dockerBuildSecrets } from "./docker-build-secrets.js";

const MULTI_STAGE = `FROM node AS base
FROM base AS deps
RUN --mount=type=cache,target=/root/.npm \\
    --mount=type=secret,id=npmrc,target=/root/.npmrc \\
    npm ci
FROM deps AS build
RUN --mount=type=secret,id=token,env=NPM_TOKEN npm run build
FROM base AS runtime
CMD ["node"]
`;

/** The rule's properties over a model variant. */
const properties = (model: typeof dockerBuildSecrets) => ({
  buildSecretStaysMounted() {
    assert.deepEqual(model(["npmrc"], MULTI_STAGE), [{ secret: "npmrc", path: "/run/secrets/npmrc" }], "the final stage (runtime, FROM base) has only Build's /run/secrets/<name>");
  },
  finalStageRunMountsStay() {
    assert.deepEqual(model(["npmrc", "token"], MULTI_STAGE, "build"), [
      { secret: "npmrc", path: "/root/.npmrc" },
      { secret: "token", env: "NPM_TOKEN" },
      { secret: "npmrc", path: "/run/secrets/npmrc" },
      { secret: "token", path: "/run/secrets/token" },
    ]);
  },
});

describe("engine rule (d): dockerBuild keeps the build's secrets (core/container.go Build, util/llbtodagger/exec.go)", () => {
  const p = properties(dockerBuildSecrets);
  it("every secret passed is mounted at /run/secrets/<name> in the result, used or not", p.buildSecretStaysMounted);
  it("RUN secret mounts and secret env of the target stage's chain stay too", p.finalStageRunMountsStay);
  it("a secret mount whose id was not passed is skipped (optional by default)", () => {
    assert.deepEqual(dockerBuildSecrets([], MULTI_STAGE, "deps"), []);
  });
  it("withoutMount and withoutSecretVariable remove them; nothing else does", () => {
    const mounted = dockerBuildSecrets(["npmrc", "token"], MULTI_STAGE, "build");
    assert.equal(applySecretOps(mounted, [{ op: "withExposedPort" }, { op: "withEnvVariable" }]).length, 4);
    assert.deepEqual(
      applySecretOps(mounted, [
        { op: "withoutMount", path: "/root/.npmrc" },
        { op: "withoutSecretVariable", name: "NPM_TOKEN" },
        { op: "withoutMount", path: "/run/secrets/npmrc" },
        { op: "withoutMount", path: "/run/secrets/token" },
      ]),
      [],
    );
  });

  describe("mutant is caught", () => {
    const mutant: DockerBuildMutant = "secrets-dropped-after-build";
    const m = properties((s, d, t) => dockerBuildSecrets(s, d, t, mutant));
    it(`${mutant} fails both properties`, () => {
      assert.throws(m.buildSecretStaysMounted, assert.AssertionError);
      assert.throws(m.finalStageRunMountsStay, assert.AssertionError);
    });
  });
});
