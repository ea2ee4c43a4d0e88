// The Aspire manifests the tests read: copies of the shared corpus (test/fixtures/aspire, pinned by
// SHA256SUMS) and small hand-written ones for pre-GA shapes and bad input.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseManifest, type AspireManifest } from "../../modules/aspire/src/manifest.js";
import { ROOT } from "../tiers/modules.js";

/** The fixtures folder. */
export const ASPIRE_FIXTURES = join(ROOT, "test/fixtures/aspire");

/** The corpus copies, in name order. */
export const corpusFiles = (): string[] =>
  readdirSync(ASPIRE_FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .sort();

/** A corpus file's short name: redis for aspire__playground__redis__aspire-manifest.json, postgresendtoend@2024-05-02 for the older one. */
export const shortName = (file: string): string =>
  file
    .replace(/^aspire__(playground|tests)__/, "")
    .replace(/__aspire-manifest__at-(\d{4}-\d{2}-\d{2})-[0-9a-f]+\.json$/, "@$1")
    .replace(/__aspire-manifest\.json$/, "");

/** The corpus file of a short name. */
export const corpusFile = (short: string): string => {
  const f = corpusFiles().find((c) => shortName(c) === short);
  if (!f) throw new Error(`no corpus manifest ${short}`);
  return f;
};

/** A manifest's text: a corpus copy by short name, or a hand-written fixture by path under test/fixtures/aspire. */
export const manifestText = (name: string): string => readFileSync(join(ASPIRE_FIXTURES, name.endsWith(".json") ? name : corpusFile(name)), "utf8");

/** A corpus manifest parsed, by short name. */
export const corpusManifest = (short: string): AspireManifest => parseManifest(manifestText(short), corpusFile(short));

/** A deterministic "random" for generated non-secret values: always the first character of each set. */
export const firstChoice = (): number => 0;
