// The one mask for credentials in text (lib/credentials.ts, issue 16 "Secrets in messages and
// arguments"), and the producers that go through it: config problems, InputError, RegistryError,
// the Git host clients, Flyway's database URL and the plain build arguments of the toolchains.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { InputError } from "../../.dagger/src/errors.js";
import { RegistryError, errorDetail } from "../../.dagger/src/registry/errors.js";
import { credentialFree, credentialProblem, holdsCredentials, maskCredentials } from "../../lib/credentials.js";
import { hostError } from "../../modules/gitops/src/git/pull-requests.js";
import { forgeRepository } from "../../modules/gitops/src/git/repository.js";
import { hostFor, releaseHostFor } from "../../modules/gitops/src/hosts.js";
import { npmEnvironment } from "../../modules/node-toolchain/src/install.js";
import { ROOT } from "../tiers/modules.js";

/** A message must name where the credential was and never hold it. */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  return assert.fail("accepted");
}

describe("maskCredentials", () => {
  const cases: [string, string][] = [
    ["postgresql://app:s3cret@db:5432/shop", "postgresql://app:***@db:5432/shop"],
    ["postgresql://app:p@ss@db/shop", "postgresql://app:***@db/shop"],
    ["https://u:p/ss@host/x", "https://u:***@host/x"],
    ["https://ghp_0123abc@github.com/acme/gitops.git", "https://***@github.com/acme/gitops.git"],
    ['got "admin:hunter2@db.example:5432/app"', 'got "admin:***@db.example:5432/app"'],
    ["postgresql:app:s3cret@db/shop", "postgresql:***@db/shop"],
    ["https://nexus.example/npm/?access_token=t0k&x=1", "https://nexus.example/npm/?access_token=***&x=1"],
    ["https://api.example/v1?apikey=abc#frag", "https://api.example/v1?apikey=***#frag"],
    ["postgresql://db/shop?user=app&password=s3cret&sslpassword=k3y", "postgresql://db/shop?user=app&password=***&sslpassword=***"],
    ["host=db user=app password='a b\\' c' sslpassword=k3y dbname=shop", "host=db user=app password=*** sslpassword=*** dbname=shop"],
    ["Server=db;User Id=app;Password=s3cret;", "Server=db;User Id=app;Password=***;"],
  ];
  for (const [text, masked] of cases) it(`masks ${text}`, () => assert.equal(maskCredentials(text), masked));

  it("leaves text without credentials as it is: image references with digests, npm scopes in a path, ports, ssh users", () => {
    for (const text of [
      "nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      "ghcr.io/acme/app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      "https://nexus.example:8443/repository/npm/@acme/ui",
      "ssh://git@github.com/acme/gitops.git",
      "git@github.com:acme/gitops.git",
      "components.db.url: must be a URL (got 3)",
      "token: required",
      "password=",
      "pass the token as --release-token=env://RELEASE_TOKEN",
      "node:22-bookworm-slim@sha256:<digest>",
    ])
      assert.equal(maskCredentials(text), text);
  });

  it("is idempotent, and hides every password it is given in any of the forms (property)", () => {
    const password = fc.stringMatching(/^[A-Za-z0-9!$%()*+,.=_~-]{3,24}$/).map((s) => `Zq${s}`);
    const forms = [
      (p: string) => `postgresql://app:${p}@db:5432/shop`,
      (p: string) => `postgresql://app:${p}@x@db:5432/shop`,
      (p: string) => `app:${p}@db.example:5432`,
      (p: string) => `https://mirror.example/npm/?access_token=${p}&x=1`,
      (p: string) => `jdbc:postgresql://db/shop?ssl=true&sslpassword=${p}`,
      (p: string) => `host=db sslpassword='${p} with space' dbname=x`,
      (p: string) => `error: ${JSON.stringify(`postgres://u:${p}@h/db`)} refused`,
    ];
    fc.assert(
      fc.property(password, fc.integer({ min: 0, max: forms.length - 1 }), (p, i) => {
        const masked = maskCredentials(forms[i](p));
        assert.ok(!masked.includes(p), `${forms[i](p)} -> ${masked}`);
        assert.equal(maskCredentials(masked), masked);
        assert.ok(holdsCredentials(forms[i](p)));
      }),
      { seed: 16, numRuns: 500 },
    );
  });

  it("refuses a credential-bearing value for a plain setting, naming it and masking the value", () => {
    assert.equal(credentialFree("registry", "https://nexus.example/npm/"), "https://nexus.example/npm/");
    assert.equal(credentialProblem("registry", "https://nexus.example/npm/"), undefined);
    const err = thrown(() => credentialFree("registry", "https://nexus.example/npm/?access_token=t0k"));
    assert.match(err.message, /^registry: "https:\/\/nexus\.example\/npm\/\?access_token=\*\*\*" carries credentials, and registry is passed on in plain text/);
    assert.ok(!err.message.includes("t0k"));
  });
});

describe("producers mask through it", () => {
  it("config problems: user:password@host without a scheme is masked in the message (it was printed)", () => {
    const yaml = readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8");
    const err = thrown(() => parseConfig(yaml.replace(/npm: \S+/, 'npm: "admin:hunter2@nexus.example/npm"')));
    assert.match(err.message, /mirror\.npm: .*admin:\*\*\*@nexus\.example/);
    assert.ok(!err.message.includes("hunter2"));
  });

  it("InputError and RegistryError never carry a credential their message quotes", () => {
    assert.equal(new InputError('source-url: "https://ci:t0k@git.example/a" is not …').message, 'source-url: "https://ci:***@git.example/a" is not …');
    assert.ok(!new RegistryError("registry r.example: GET /token?access_token=t0k: 401").message.includes("t0k"));
    // Masked before it is cut: a cut credential would not be recognised.
    assert.ok(!errorDetail(`${"x".repeat(190)} https://u:${"s".repeat(40)}@h`)?.includes("ssssssssss"));
  });

  it("the Git host clients refuse an API base with credentials, masked, and mask their errors", () => {
    for (const make of [
      () => releaseHostFor("github", "https://github.com/acme/shop", "tok", "https://ci:hunter2@ghe.example/api/v3"),
      () => hostFor("gitea", "https://gitea.example/acme/gitops.git", "tok", "https://gitea.example/?token=hunter2"),
    ]) {
      const err = thrown(make);
      assert.match(err.message, /^(releases\.)?apiUrl: ".*\*\*\*.*" carries credentials; give the API base without them/);
      assert.ok(!err.message.includes("hunter2"));
    }
    assert.ok(!hostError("GitHub", "listing", 401, "Request cannot be constructed from a URL that includes credentials: https://ci:hunter2@ghe.example/api", "tok").message.includes("hunter2"));
    assert.ok(!thrown(() => forgeRepository("ci:hunter2@git.example/acme/gitops")).message.includes("hunter2"));
  });

  it("the node toolchain refuses a registry with credentials for npm's plain environment", () => {
    const err = thrown(() => npmEnvironment("https://nexus.example/npm/?access_token=hunter2"));
    assert.match(err.message, /^registry: .*access_token=\*\*\*/);
    assert.ok(!err.message.includes("hunter2"));
    assert.deepEqual(npmEnvironment("https://nexus.example/npm/").at(-1), ["npm_config_registry", "https://nexus.example/npm/"]);
  });
});
