/**
 * The example's committed Aspire manifest is in step with its AppHost: every resource AppHost.cs
 * adds is in the manifest with the image and endpoint it gives, and the manifest turns into a
 * complete service graph (nothing skipped) whose services match pipeline.yaml's components.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { aspireResources } from "../../.dagger/src/stages/aspire.js";
import { serviceGraph } from "../../modules/aspire/src/graph.js";
import { parseManifest } from "../../modules/aspire/src/manifest.js";
import { ROOT } from "../tiers/modules.js";

const DIR = "examples/webshop/aspire";
const appHost = readFileSync(join(ROOT, DIR, "Webshop.AppHost/AppHost.cs"), "utf8");
const manifestText = readFileSync(join(ROOT, DIR, "aspire-manifest.json"), "utf8");
const manifest = parseManifest(manifestText, "aspire-manifest.json");

test("every resource AppHost.cs adds is in the manifest, and nothing else", () => {
  const added = [...appHost.matchAll(/\.Add(?:Parameter|Postgres|Container)\("([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(added.sort(), Object.keys(manifest.resources).sort());
});

test("the containers' images and endpoints are the ones AppHost.cs gives", () => {
  const release = /DevRelease = "([0-9a-f]{40})"/.exec(appHost)?.[1];
  assert.ok(release, "AppHost.cs pins the dev release by git SHA");
  const graph = serviceGraph(manifest, { file: "aspire-manifest.json", secrets: ["db-password"] });
  const images = Object.fromEntries(graph.services.map((s) => [s.name, "image" in s.source ? s.source.image : ""]));
  assert.deepEqual(images, {
    db: `docker.io/library/postgres:${/WithImageTag\("([^"]+)"\)/.exec(appHost)?.[1]}`,
    "db-migrate": `registry.example.com/acme/webshop/db:${release}`,
    backend: `registry.example.com/acme/webshop/backend:${release}`,
    frontend: `registry.example.com/acme/webshop/frontend:${release}`,
  });
  const ports = Object.fromEntries(graph.services.map((s) => [s.name, s.endpoints.map((e) => `${e.name}:${e.targetPort}${e.external ? " external" : ""}`)]));
  assert.deepEqual(ports, { db: ["tcp:5432"], "db-migrate": [], backend: ["http:8080"], frontend: ["http:8080 external"] });
  assert.deepEqual(graph.skipped, []);
});

test("pipeline.yaml's components map onto the manifest's services, and its database image is the manifest's", () => {
  const config = parseConfig(readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8"));
  const graph = serviceGraph(manifest, { file: "aspire-manifest.json", secrets: ["db-password"] });
  const services = graph.services.map((s) => s.name);
  for (const resource of Object.values(aspireResources(config))) assert.ok(services.includes(resource), `${resource} is a service of the manifest`);
  for (const job of config.aspire?.jobs ?? []) assert.ok(services.includes(job), `job ${job} is a service of the manifest`);
  const db = graph.services.find((s) => s.name === "db");
  assert.ok(
    db && "image" in db.source && db.source.image.endsWith(`/${config.components.db.database?.image.replace(/^(?!.*\/)/, "library/")}`),
    "same PostgreSQL image as pipeline.yaml's database.image",
  );
});
