import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../.dagger/src/config/load.js";
import { ConfigError, formatProblem } from "../.dagger/src/config/problems.js";
import { configJsonSchema } from "../.dagger/src/config/json-schema.js";
import { withCurrentReference } from "../scripts/reference.js";
import { ROOT } from "./tiers/modules.js";

const read = (p: string) => readFileSync(join(ROOT, p), "utf8");

/** The problems a config text raises, formatted as users see them. */
function problemsOf(text: string, file = "pipeline.yaml"): string[] {
  try {
    parseConfig(text, file);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    return e.problems.map((p) => formatProblem(file, p));
  }
  assert.fail("the config was accepted");
}

describe("pipeline.yaml loading", () => {
  it("loads the example application's config with defaults applied", () => {
    const config = parseConfig(read("examples/webshop/pipeline.yaml"));
    assert.deepEqual(Object.keys(config.components), ["db", "backend", "frontend"]);
    assert.deepEqual(config.components.backend.requires, { db: ">=1.1.0" });
    assert.deepEqual(config.components.db.requires, {});
    assert.equal(config.environments.dev.writeBack, "commit");
    assert.equal(config.environments.prod.approvals, 1);
    assert.deepEqual(config.ignore, ["**/*.md", "docs/**"]);
  });

  it("reports every one of eleven mistakes in one run, each with line, path, message and value", () => {
    assert.deepEqual(problemsOf(read("test/fixtures/ten-mistakes.pipeline.yaml"), "bad.yaml"), [
      `bad.yaml:1:1 name: must be lowercase letters, digits and '-', starting with a letter, at most 40 characters (got "Web Shop")`,
      `bad.yaml:5:5 components.db.toolchain: a database component is migrated with Flyway: use toolchain flyway (got "node")`,
      `bad.yaml:10:5 components.backend.path: must be a relative path inside the repository (no leading '/', no '..') (got "/srv/backend")`,
      `bad.yaml:12:7 components.backend.requires.db: must be a semver range such as >=1.4.0 or ^2.1.0 (got ">=one")`,
      `bad.yaml:13:7 components.backend.requires.cache: names no component; components are: db, backend, frontend (got "cache")`,
      `bad.yaml:15:5 components.frontend.kind: Invalid option: expected one of "database"|"backend"|"frontend"|"service" (got "website")`,
      `bad.yaml:18:5 components.frontend.colour: is not a known key here; known keys: kind, toolchain, path, migrations, migrationNaming, dockerfile, image, database, env, requires (got "blue")`,
      `bad.yaml:20:3 registry.address: must be a registry host with an optional port and path, without scheme or tag, e.g. ghcr.io/acme/webshop (got "https://registry.example.com/acme")`,
      `bad.yaml:22:3 mirror.npm: must be an http:// or https:// URL (got "nexus.example.com/npm")`,
      `bad.yaml:26:5 environments.prod.after: names no environment; environments are: prod (got "stagin")`,
      `bad.yaml:27:5 environments.prod.approvals: approvals need writeBack: pull-request (a direct commit has no one to approve it) (got 1)`,
    ]);
  });

  it("reports missing required keys and environments without a GitOps repository", () => {
    assert.deepEqual(problemsOf("name: shop\nenvironments:\n  dev: { on: push, path: envs/dev, format: helm }\n"), [
      "pipeline.yaml components: is required",
      "pipeline.yaml gitops: is required when environments are defined: promotion writes to the GitOps repository",
      "pipeline.yaml registry: is required",
    ]);
  });

  it("reports YAML syntax errors and duplicate keys with their position", () => {
    assert.deepEqual(problemsOf("name: shop\nname: again\n"), ["pipeline.yaml:2:1 (document): YAML: Map keys must be unique"]);
    assert.match(problemsOf("name: [shop\n")[0], /^pipeline\.yaml:\d+:\d+ \(document\): YAML: /);
  });

  it("keeps component paths inside the repository, and still accepts names that merely start with dots", () => {
    const text = (path: string) => `name: shop\ncomponents: { api: { kind: backend, toolchain: node, path: "${path}" } }\nregistry: { address: registry.local/shop }\n`;
    for (const bad of ["../api", "api/../../etc", "/api", "api/.."]) assert.match(problemsOf(text(bad))[0], /components\.api\.path: must be a relative path inside the repository/, bad);
    for (const good of ["api", "services/api", "..api", "api/..hidden"]) assert.equal(parseConfig(text(good)).components.api.path, good);
  });

  it("reads registry addresses, the mirror prefix and base images with the one image-reference grammar", () => {
    const text = (address: string, base: string, mirror = "nexus.example:8443/docker-group") =>
      `name: shop\ncomponents: { api: { kind: backend, toolchain: node, path: api, image: { base: "${base}" } } }\nregistry: { address: "${address}" }\nmirror: { images: "${mirror}" }\n`;
    for (const address of ["registry.local/shop", "ghcr.io/acme/webshop", "127.0.0.1:5000/shop", "localhost/shop", "[::1]:5000/shop", "Registry.Example.com/acme"])
      assert.equal(parseConfig(text(address, "node:22")).registry.address, address);
    for (const base of ["node:22-bookworm-slim", "bitnami/node:22", `node:22@sha256:${"a".repeat(64)}`, `node@sha256:${"a".repeat(64)}`, "ghcr.io/acme/node:T_22"])
      assert.equal(parseConfig(text("registry.local/shop", base)).components.api.image.base, base);
    // A first part without a dot or a port is a Docker Hub path to docker, never a registry of ours.
    const problems = (t: string) => problemsOf(t).map((p) => p.replace(/^\S+ /, ""));
    assert.deepEqual(problems(text("registry/shop", "node:22")), [
      'registry.address: must be a registry host with an optional port and path, without scheme or tag, e.g. ghcr.io/acme/webshop (got "registry/shop")',
    ]);
    assert.deepEqual(problems(text("registry.local/shop", "node:22", "nexus")), [
      'mirror.images: must be a registry host and path, without scheme, e.g. nexus.example:8443/docker-group (got "nexus")',
    ]);
    // md5 passes the grammar's pattern; go-digest knows no such algorithm.
    for (const base of ["Node:22", "node:22:1", `node@md5:${"a".repeat(32)}`])
      assert.deepEqual(
        problems(text("registry.local/shop", base)),
        [`components.api.image.base: must be an image reference such as node:22-bookworm-slim or node:22-bookworm-slim@sha256:<digest> (got "${base}")`],
        base,
      );
    for (const base of ["node", "node:latest", "ghcr.io/acme/node:latest"])
      assert.deepEqual(
        problems(text("registry.local/shop", base)),
        [`components.api.image.base: must name a tag or digest other than latest: images are addressed by version and digest (got "${base}")`],
        base,
      );
  });

  it("rejects an empty file and a document that is not a mapping", () => {
    assert.deepEqual(problemsOf(""), ["pipeline.yaml (document): is empty; it needs at least name, components and registry"]);
    assert.deepEqual(problemsOf("- a\n- b\n"), ['pipeline.yaml (document): Invalid input: expected object, received array (got ["a","b"])']);
  });

  it("finds circles in the environment chain and pull requests without a provider", () => {
    const text = `name: shop
components: { api: { kind: backend, toolchain: node, path: api } }
registry: { address: registry.local/shop }
gitops: { repository: "file:///srv/gitops.git" }
environments:
  staging: { on: tag, after: prod, path: s, format: helm }
  prod: { on: manual, after: staging, writeBack: pull-request, path: p, format: helm }
`;
    assert.deepEqual(problemsOf(text), [
      "pipeline.yaml:6:23 environments.staging.after: environments follow each other in a circle: staging -> prod -> staging",
      'pipeline.yaml:7:39 environments.prod.writeBack: pull requests need gitops.provider github or gitea (got "pull-request")',
    ]);
  });
});

describe("generated files are current", () => {
  it("schema/pipeline.schema.json equals the schema generated from the zod schema (npm run generate)", () => {
    assert.deepEqual(JSON.parse(read("schema/pipeline.schema.json")), configJsonSchema());
  });

  it("the README's pipeline.yaml reference equals the one generated from the schema (npm run generate)", () => {
    const readme = read("README.md");
    assert.equal(readme, withCurrentReference(readme));
  });

  it("the JSON Schema rejects what the loader rejects: unknown keys and bad enum values are closed", () => {
    const schema = configJsonSchema() as { additionalProperties: boolean; properties: Record<string, { additionalProperties?: { additionalProperties: boolean } }> };
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.properties.components.additionalProperties?.additionalProperties, false);
  });
});

describe("environment settings for promotion", () => {
  it("flags must be declared features, Helm paths need format helm and a real component", () => {
    const text = `name: shop
components: { api: { kind: backend, toolchain: node, path: api } }
registry: { address: registry.local/shop }
gitops: { repository: "file:///srv/gitops.git" }
features: { newCheckout: { description: "one-page checkout" } }
environments:
  dev:
    on: push
    path: d
    format: kustomize
    flags: { newCheckout: true, darkMode: false }
    helm: { api: { repository: api.image.repository, tag: api.image.tag } }
  prod:
    on: manual
    path: p
    format: helm
    helm: { web: { repository: web.image.repository, tag: web.image.tag }, api: { repository: "api image", tag: api.image.tag } }
`;
    assert.deepEqual(problemsOf(text), [
      'pipeline.yaml:11:33 environments.dev.flags.darkMode: is not declared under features; features: newCheckout (got "darkMode")',
      'pipeline.yaml:12:13 environments.dev.helm.api: Helm values paths need format: helm (got "kustomize")',
      'pipeline.yaml:17:83 environments.prod.helm.api.repository: must be a dotted values path such as backend.image.repository (got "api image")',
      'pipeline.yaml:17:13 environments.prod.helm.web: names no component; components are: api (got "web")',
    ]);
    assert.equal(
      parseConfig(
        text
          .replace(", darkMode: false", "")
          .replace("    helm: { api: { repository: api.image.repository, tag: api.image.tag } }\n  prod", "  prod")
          .replace('"api image"', "api.image.repository")
          .replace("web: { repository: web.image.repository, tag: web.image.tag }, ", ""),
      ).features.newCheckout.default,
      false,
    );
  });
});
