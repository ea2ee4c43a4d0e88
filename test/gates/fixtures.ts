// Real Trivy reports copied from the shared corpus (test/fixtures/gates/trivy), and the digests the gate tests use.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tiers/modules.js";

/** The fixtures folder. */
export const TRIVY_FIXTURES = join(ROOT, "test/fixtures/gates/trivy");

/** The fixture files, in name order. */
export const trivyFiles = (): string[] =>
  readdirSync(TRIVY_FIXTURES)
    .filter((f) => f.endsWith(".json.golden"))
    .sort();

/** A report's text by its short name (alpine-39 for trivy__integration__testdata__alpine-39.json.golden). */
export const trivyText = (name: string): string => readFileSync(join(TRIVY_FIXTURES, `trivy__integration__testdata__${name}.json.golden`), "utf8");

/** A report's text after changing a parsed copy, e.g. to add the RepoDigests a registry pull would give. */
export function trivyEdited(name: string, edit: (report: Record<string, any>) => void): string {
  const report = JSON.parse(trivyText(name)) as Record<string, any>;
  edit(report);
  return JSON.stringify(report, null, 2);
}

/** The config digest (Trivy's ImageID) of a fixture, read straight from the file. */
export const imageIdOf = (name: string): string => (JSON.parse(trivyText(name)) as { Metadata: { ImageID: string } }).Metadata.ImageID;

/** Manifest digests of the release's images. */
export const DIGEST_BACKEND = `sha256:${"b".repeat(64)}`;
export const DIGEST_DB = `sha256:${"d".repeat(64)}`;
export const DIGEST_OTHER = `sha256:${"0".repeat(64)}`;

/** An image reference as a release records it. */
export const imageRef = (component: string, digest: string): string => `registry.example.com/acme/webshop/${component}:${"a".repeat(40)}@${digest}`;
