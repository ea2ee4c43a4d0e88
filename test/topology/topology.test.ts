// The topology of a release (services, order, wiring) and its Compose file, engine-free.
// The Compose file runs for real on a Docker engine in test/e2e/compose.integration.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { ConfigError, formatProblem } from "../../.dagger/src/config/problems.js";
import { InputError } from "../../.dagger/src/errors.js";
import { composeFile } from "../../.dagger/src/topology/compose.js";
import { parseTemplate, TemplateError } from "../../.dagger/src/topology/template.js";
import { resolveValue } from "../../.dagger/src/topology/values.js";
import { ROOT } from "../tiers/modules.js";
import { COMPOSE_GOLDEN, EXAMPLE_RELEASE, exampleCompose, exampleConfig, topologyFor } from "./fixture.js";

const BASE = `name: shop
registry: { address: registry.local/shop }
components:
  db: { kind: database, toolchain: flyway, path: db }
`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems.map((p) => formatProblem("pipeline.yaml", p));
  }
  assert.fail("the config was accepted");
}

describe("env templates", () => {
  it("split text and references; doubled braces are literal", () => {
    assert.deepEqual(parseTemplate("postgresql://{db.user}@{db.host}/x{{y}}"), [
      { text: "postgresql://" },
      { component: "db", attribute: "user" },
      { text: "@" },
      { component: "db", attribute: "host" },
      { text: "/x{y}" },
    ]);
  });

  it("refuse malformed references, naming what is valid", () => {
    assert.throws(
      () => parseTemplate("{db.url"),
      (e: Error) => e instanceof TemplateError && /never closed/.test(e.message),
    );
    assert.throws(() => parseTemplate("a}b"), /lone '}'/);
    assert.throws(() => parseTemplate("{db}"), /\{db\} is not a reference; references look like \{component.attribute\}/);
  });

  it("pipeline.yaml reports unknown components, attributes, self references and circles with their lines", () => {
    const text = `${BASE}  api:
    kind: backend
    toolchain: node
    path: api
    env:
      A: "{cache.url}"
      B: "{db.colour}"
      C: "{api.url}"
      D: "{web.url}"
      E: "{db.url"
  web:
    kind: frontend
    toolchain: node
    path: web
    env: { API: "{api.url}" }
    database: { name: web }
e2e: { path: e2e, env: { X: "{nothing.version}" } }
`;
    assert.deepEqual(problemsOf(text), [
      "pipeline.yaml:9:5 components.api.env: components refer to each other in a circle, so none could start first: api -> web -> api",
      'pipeline.yaml:10:7 components.api.env.A: {cache.url} names no component; components are: db, api, web (got "{cache.url}")',
      'pipeline.yaml:11:7 components.api.env.B: {db.colour}: a database component has no attribute colour; it has host, version, port, name, user, password, url, jdbcUrl (got "{db.colour}")',
      'pipeline.yaml:12:7 components.api.env.C: {api.url}: a component cannot refer to itself (got "{api.url}")',
      "pipeline.yaml:14:7 components.api.env.E: '{' at character 1 is never closed; references look like {db.url}, write '{{' for a literal brace (got \"{db.url\")",
      'pipeline.yaml:20:5 components.web.database: only a database component (kind: database) has a database server (got {"name":"web"})',
      'pipeline.yaml:21:26 e2e.env.X: {nothing.version} names no component; components are: db, api, web (got "{nothing.version}")',
    ]);
  });
});

describe("topology of the example", () => {
  it("starts the database, then the migration job, then the backend, then the frontend", () => {
    const t = topologyFor(exampleConfig());
    assert.deepEqual(
      t.services.map((s) => `${s.name}(${s.role}) after ${s.dependsOn.map((d) => `${d.service}:${d.condition}`).join(",") || "-"}`),
      ["db(database) after -", "db-migrate(migration) after db:healthy", "backend(app) after db:healthy,db-migrate:completed", "frontend(app) after backend:healthy"],
    );
    assert.deepEqual(
      t.services.filter((s) => s.published).map((s) => s.name),
      ["frontend"],
    );
  });

  it("resolves references for Dagger with the run's password, URL-encoded inside URLs", () => {
    const config = exampleConfig();
    const backend = topologyFor(config).services.find((s) => s.name === "backend");
    const spell = { password: (_: string, inUrl: boolean) => (inUrl ? encodeURIComponent("p@ss/w") : "p@ss/w"), version: () => "1.1.0", text: (t: string) => t };
    assert.equal(resolveValue(config, backend?.env.DATABASE_URL ?? [], spell), "postgresql://webshop:p%40ss%2Fw@db:5432/webshop");
    assert.equal(resolveValue(config, parseTemplate("{db.jdbcUrl} {backend.url} v{db.version}"), spell), "jdbc:postgresql://db:5432/webshop http://backend:8080 v1.1.0");
  });

  it("the database name and user default to the application name", () => {
    const config = parseConfig(`${BASE.replace("name: shop", "name: web-shop")}  api: { kind: backend, toolchain: node, path: api, env: { U: "{db.url}" } }\n`);
    const api = topologyFor(config).services.find((s) => s.name === "api");
    const spell = { password: () => "pw", version: () => "", text: (t: string) => t };
    assert.equal(resolveValue(config, api?.env.U ?? [], spell), "postgresql://web_shop:pw@db:5432/web_shop");
  });
});

describe("Compose export", () => {
  it("equals the committed golden (npm run generate rewrites it)", () => {
    assert.equal(readFileSync(join(ROOT, COMPOSE_GOLDEN), "utf8"), exampleCompose());
  });

  it("addresses every built image by digest, orders start-up with conditions and keeps secrets as references", () => {
    const text = exampleCompose();
    const doc = parse(text, { version: "1.1" }) as { services: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(doc.services), ["db", "db-migrate", "backend", "frontend"]);
    for (const name of ["db", "backend", "frontend"]) assert.equal(doc.services[name === "db" ? "db-migrate" : name].image, EXAMPLE_RELEASE.images[name]);
    assert.deepEqual(doc.services.backend.depends_on, { db: { condition: "service_healthy" }, "db-migrate": { condition: "service_completed_successfully" } });
    assert.deepEqual(doc.services["db-migrate"].command, ["migrate"]);
    assert.equal(doc.services["db-migrate"].restart, "no", "PyYAML (docker-compose v1) must read a string, not false");
    assert.deepEqual(doc.services.frontend.ports, ["${FRONTEND_PORT:-8080}:8080"]);
    const env = doc.services.backend.environment as Record<string, string>;
    assert.equal(env.DATABASE_URL, "postgresql://webshop:${DB_PASSWORD:?set DB_PASSWORD to the db database password}@db:5432/webshop");
    assert.doesNotMatch(text, /:latest\b/);
  });

  it("doubles '$' in literal values so Compose does not interpolate them", () => {
    const config = parseConfig(`${BASE}  api: { kind: backend, toolchain: node, path: api, env: { PRICE: "5$ {db.host}" } }\n`);
    const release = { ...EXAMPLE_RELEASE, images: { db: EXAMPLE_RELEASE.images.db, api: EXAMPLE_RELEASE.images.backend } };
    const doc = parse(composeFile(config, topologyFor(config), release)) as { services: { api: { environment: Record<string, string> } } };
    assert.equal(doc.services.api.environment.PRICE, "5$$ db");
  });

  it("refuses images that are not addressed by digest, naming each", () => {
    const config = exampleConfig();
    const release = { ...EXAMPLE_RELEASE, images: { ...EXAMPLE_RELEASE.images, backend: "registry.example.com/acme/webshop/backend:1.2.0" } };
    delete (release.images as Record<string, string>).frontend;
    assert.throws(
      () => composeFile(config, topologyFor(config), release),
      (e: Error) =>
        e instanceof InputError &&
        e.message.includes('images.backend: "registry.example.com/acme/webshop/backend:1.2.0" is not an image addressed by digest') &&
        e.message.includes("images.frontend: null is not an image addressed by digest"),
    );
  });
});
