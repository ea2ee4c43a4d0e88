/**
 * Our own deployment files for the editors (test/fixtures/gitops/edit): comments everywhere,
 * every quoting style, flow and block collections, anchors and merge keys, document markers,
 * lists indented differently, empty values. Each has a reviewed expected result next to it
 * (<name>.expected.yaml); `npx tsx test/gitops/fixture-cases.ts --write` regenerates them for review.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyImageUpdates, type ApplyOptions, type EditFormat, type ImageUpdate } from "../../modules/gitops/src/edit/index.js";
import { update } from "./edit-assert.js";

/** Where the fixtures live. */
export const FIXTURES = join(import.meta.dirname, "../fixtures/gitops/edit");

/** The webshop's repositories. */
export const REPO = {
  backend: "registry.example.com/acme/webshop/backend",
  frontend: "registry.example.com/acme/webshop/frontend",
  db: "registry.example.com/acme/webshop/db",
  worker: "localhost:5000/acme/webshop/worker",
} as const;

/** One fixture and what to apply to it. */
export interface FixtureCase {
  file: string;
  format: EditFormat;
  updates: ImageUpdate[];
  options?: ApplyOptions;
}

/** The fixtures and their updates. */
export const FIXTURE_CASES: FixtureCase[] = [
  { file: "styles.kustomization.yaml", format: "kustomize", updates: [update(REPO.backend), update(REPO.frontend), update(REPO.db), update(REPO.worker)] },
  { file: "flow.kustomization.yaml", format: "kustomize", updates: [update(REPO.backend), update(REPO.frontend)] },
  { file: "documents.kustomization.yaml", format: "kustomize", updates: [update(REPO.backend), update(REPO.frontend)] },
  { file: "empty-images.kustomization.yaml", format: "kustomize", updates: [update(REPO.backend), update(REPO.frontend)] },
  {
    file: "values.yaml",
    format: "helm",
    updates: [update(REPO.backend, { component: "backend" }), update(REPO.frontend, { component: "frontend" }), update(REPO.db, { component: "db" })],
    options: {
      helm: {
        paths: {
          backend: { repository: "backend.image.repository", tag: "backend.image.tag", digest: "backend.image.digest" },
          frontend: { repository: "frontend.image.repository", tag: "frontend.image.tag", digest: "frontend.image.digest" },
          db: { repository: "db.migrations.image.repository", tag: "db.migrations.image.tag", digest: "db.migrations.image.digest" },
        },
      },
    },
  },
  { file: "compose.yaml", format: "compose", updates: [update(REPO.backend), update("localhost:5000/acme/webshop/frontend"), update(REPO.db), update(REPO.worker)] },
  { file: "workloads.yaml", format: "manifests", updates: [update(REPO.backend), update(REPO.frontend), update(REPO.db), update("localhost:5000/acme/webshop/backend")] },
];

/** The fixture's text. */
export const fixtureText = (file: string) => readFileSync(join(FIXTURES, file), "utf8");

/** The name of a fixture's expected result. */
export const expectedFile = (file: string) => file.replace(/\.ya?ml$/, ".expected.yaml");

// Regenerate the expected results (for review before committing) when run directly with --write.
if (process.argv[1] === import.meta.filename && process.argv.includes("--write")) {
  for (const c of FIXTURE_CASES) {
    const result = applyImageUpdates(c.format, fixtureText(c.file), c.file, c.updates, c.options);
    writeFileSync(join(FIXTURES, expectedFile(c.file)), result.text);
    console.log(`wrote ${expectedFile(c.file)}: ${result.changes.length} changes`);
  }
}
