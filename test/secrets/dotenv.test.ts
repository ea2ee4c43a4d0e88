/**
 * `.env` for local runs: git ignores it wherever it is, and the committed `.env.example` files
 * name real secret arguments of the module (as Dagger's local defaults spell them) with provider
 * references only, never a value. Every secret argument is listed in the root example, except the
 * database URLs, which are per environment on purpose (see .env.example).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";

/** The provider schemes of Dagger 0.21's CLI (engine/client/secretprovider at v0.21.8). */
const SCHEMES = ["env", "file", "cmd", "op", "vault", "libsecret", "gcp", "aws+sm", "aws+ps"];
/** Secret arguments left out of .env on purpose: one default would serve every environment. */
const PER_ENVIRONMENT = ["PROMOTE_DATABASE_URL", "ROLLBACK_DATABASE_URL", "RELEASE_DATABASE_URL", "DEPLOY_DATABASE_URL", "DATABASE_VERSION_URL"];
/** Secret arguments left out of .env on purpose: a default would let a local run push the working tree under HEAD's SHA. */
const NO_LOCAL_DEFAULT = ["CI_REGISTRY_TOKEN", "PUBLISH_REGISTRY_TOKEN"];
/** Keyless signing's identity: it exists only on a CI runner, so .env.example explains it instead of a default. */
const RUNNER_ONLY = ["CI_SIGNING_TOKEN", "CI_GITHUB_OIDC_URL", "CI_GITHUB_OIDC_TOKEN", "PUBLISH_SIGNING_TOKEN", "PUBLISH_GITHUB_OIDC_URL", "PUBLISH_GITHUB_OIDC_TOKEN"];

/** camelCase to SNAKE_CASE, as Dagger matches .env names to arguments. */
const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

/** Every assignment in an .env file, commented-out ones too (a comment must not hold a value either). */
function assignments(file: string): { name: string; value: string; line: string }[] {
  return readFileSync(join(ROOT, file), "utf8")
    .split("\n")
    .map((line) => ({ line, m: /^#?\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line) }))
    .filter((x): x is { line: string; m: RegExpExecArray } => x.m !== null)
    .map(({ line, m }) => ({ name: m[1], value: m[2], line }));
}

/** A value is acceptable only as a provider reference: scheme://something without spaces outside quotes. */
function isReference(value: string): boolean {
  const m = /^([a-z0-9+]+):\/\/(.+)$/.exec(value);
  return m !== null && SCHEMES.includes(m[1]) && (m[1] === "cmd" ? /^"[^"]+"$/.test(m[2]) : /^\S+$/.test(m[2]));
}

describe(".env and .env.example", () => {
  let secretArguments: Set<string>;
  before(() => {
    // The module's real functions and their Secret arguments, from the SDK's own introspection.
    type Arg = { type: { kind: string; name?: string } };
    type Fn = { arguments: Record<string, Arg> };
    const api = currentApi(readModule(ROOT)) as unknown as { objects: Record<string, { constructor?: Fn; methods?: Record<string, Fn> }> };
    const main = api.objects.Pipeline;
    const isSecret = (a: Arg) => a.type.kind === "OBJECT_KIND" && a.type.name === "Secret";
    secretArguments = new Set([
      ...Object.entries(main.constructor?.arguments ?? {})
        .filter(([, a]) => isSecret(a))
        .map(([n]) => snake(n)),
      ...Object.entries(main.methods ?? {}).flatMap(([fn, f]) =>
        Object.entries(f.arguments)
          .filter(([, a]) => isSecret(a))
          .map(([n]) => `${snake(fn)}_${snake(n)}`),
      ),
    ]);
    assert.ok(secretArguments.has("MIRROR_TOKEN") && secretArguments.has("CI_REGISTRY_TOKEN"), `introspection found the secret arguments: ${[...secretArguments].join(", ")}`);
  });

  test(".env is ignored by git at the root, in the example and in any folder; .env.example is not", () => {
    for (const path of [".env", "examples/webshop/.env", "some/folder/.env"])
      assert.match(execFileSync("git", ["check-ignore", "-v", path], { cwd: ROOT, encoding: "utf8" }), /\.gitignore:\d+:\.env\t/, path);
    for (const path of [".env.example", "examples/webshop/.env.example"]) assert.equal(spawnSync("git", ["check-ignore", "-q", path], { cwd: ROOT }).status, 1, `${path} must be committable`);
    assert.equal(execFileSync("git", ["ls-files", "--", ".env", "**/.env"], { cwd: ROOT, encoding: "utf8" }), "", "no .env is committed");
  });

  test("the check can fail: values, unknown schemes and bare words are not references", () => {
    for (const bad of ["ghp_0123456789abcdefABCDEF0123456789abcd", "hunter2", "https://user:pw@nexus/", "env://", "env://A B", "plain://X", "cmd://az keyvault secret show"])
      assert.equal(isReference(bad), false, bad);
    for (const good of [
      "env://NEXUS_TOKEN",
      "op://ops/webshop-prod-db/url",
      "vault://webshop/prod.database_url",
      'cmd://"az keyvault secret show --name x --query value -o tsv"',
      "aws+sm://prod/db?field=url",
    ])
      assert.equal(isReference(good), true, good);
  });

  for (const [file, prefix] of [
    [".env.example", ""],
    ["examples/webshop/.env.example", "PIPELINE_"],
  ] as const)
    test(`${file}: provider references only, each naming a real secret argument${prefix ? ` with the module prefix ${prefix}` : ""}`, () => {
      const entries = assignments(file);
      assert.ok(entries.length > 0, `${file} lists variables`);
      for (const e of entries) {
        assert.ok(isReference(e.value), `${file}: ${e.line}: must be a provider reference (${SCHEMES.join("://, ")}://), never a value`);
        assert.ok(e.name.startsWith(prefix), `${file}: ${e.name} must start with ${prefix} (a .env outside the module's folder)`);
        assert.ok(secretArguments.has(e.name.slice(prefix.length)), `${file}: ${e.name} names no secret argument of the module; known: ${[...secretArguments].sort().join(", ")}`);
        assert.ok(!PER_ENVIRONMENT.includes(e.name.slice(prefix.length)) || e.line.startsWith("#"), `${file}: ${e.name} must not be a default: it is per environment`);
        assert.ok(!NO_LOCAL_DEFAULT.includes(e.name.slice(prefix.length)) || e.line.startsWith("#"), `${file}: ${e.name} must not be a default: a local run would publish`);
      }
    });

  test(".env.example lists every secret argument but the per-environment database URLs, which it explains", () => {
    const listed = new Set(
      assignments(".env.example")
        .filter((e) => !e.line.startsWith("#"))
        .map((e) => e.name),
    );
    const missing = [...secretArguments].filter((n) => !listed.has(n) && !PER_ENVIRONMENT.includes(n) && !NO_LOCAL_DEFAULT.includes(n) && !RUNNER_ONLY.includes(n));
    assert.deepEqual(missing, [], "secret arguments without a line in .env.example");
    assert.match(readFileSync(join(ROOT, ".env.example"), "utf8"), /no default for promote\/rollback\/deploy --database-url/);
    assert.match(readFileSync(join(ROOT, ".env.example"), "utf8"), /Keyless signing \(signing.keyless\) has no local default/);
  });

  for (const [file, prefix] of [
    [".env.example", ""],
    ["examples/webshop/.env.example", "PIPELINE_"],
  ] as const)
    test(`item 18: ${file} sets no registry token (a local ci or publish would push the working tree under HEAD's SHA), and says why`, () => {
      const set = assignments(file).filter((e) => !e.line.startsWith("#") && NO_LOCAL_DEFAULT.includes(e.name.slice(prefix.length)));
      assert.deepEqual(
        set.map((e) => e.name),
        [],
        `${file} must not default the registry token`,
      );
      assert.match(readFileSync(join(ROOT, file), "utf8"), /Deliberately no registry token/);
    });
});
