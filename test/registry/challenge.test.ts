import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseChallenges } from "../../.dagger/src/registry/challenge.js";

describe("WWW-Authenticate challenges", () => {
  it("reads the Bearer challenge of distribution (a comma inside a quoted scope)", () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"'), [
      { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:samalba/my-app:pull,push" } },
    ]);
  });

  it("reads Basic, bare values, escapes, several challenges in one header", () => {
    assert.deepEqual(parseChallenges('Basic realm="registry-integration-test"'), [{ scheme: "basic", params: { realm: "registry-integration-test" } }]);
    assert.deepEqual(parseChallenges('Basic realm="a \\"quoted\\" realm", charset=UTF-8, Bearer realm="https://t.example/token", error="insufficient_scope"'), [
      { scheme: "basic", params: { realm: 'a "quoted" realm', charset: "UTF-8" } },
      { scheme: "bearer", params: { realm: "https://t.example/token", error: "insufficient_scope" } },
    ]);
    assert.deepEqual(parseChallenges("BEARER Realm=https://t.example/token"), [{ scheme: "bearer", params: { realm: "https://t.example/token" } }]);
  });

  it("gives nothing for an empty or garbled header", () => {
    assert.deepEqual(parseChallenges(""), []);
    assert.deepEqual(parseChallenges('realm="x"'), []);
  });
});
