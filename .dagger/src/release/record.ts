/**
 * The release record: the set of component images that move together, each with its version,
 * address, digest, requirements and migration checksums, and the evidence gathered for it. One
 * immutable JSON document per release in the GitOps repository (releases/<git sha>.json);
 * promotion never rebuilds, it moves exactly these digests.
 */
import { z } from "../vendor/zod.js";
import { InputError } from "../errors.js";
import { isSha256Digest, parseImageReference, SHA256_DIGEST_PATTERN, tryParseImageReferenceStrict } from "../vendor/image-reference.js";

const SHA = /^[0-9a-f]{40}$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** One migration as recorded in a release (the flyway module's checksums). */
const ReleasedMigration = z.strictObject({ script: z.string().min(1), version: z.string().optional(), checksum: z.number().int() });

/** One of our published images as a release holds it: registry first, tagged with a git SHA, by sha256 digest. */
function isReleaseImage(image: string): boolean {
  const ref = tryParseImageReferenceStrict(image);
  return ref?.tag !== undefined && SHA.test(ref.tag) && ref.digest !== undefined;
}

/** One component of a release. */
export const ReleaseComponent = z.strictObject({
  version: z.string().regex(SEMVER, { error: "must be MAJOR.MINOR.PATCH" }),
  image: z.string().refine(isReleaseImage, { error: "must be <registry>/<name>:<git sha>@sha256:<digest>" }),
  digest: z.string().regex(SHA256_DIGEST_PATTERN, { error: "must be sha256:<64 hex>" }),
  requires: z.record(z.string(), z.string()).default({}),
  migrations: z.array(ReleasedMigration).optional(),
});

/** Evidence gathered for a release before it may be promoted. */
export const Evidence = z.strictObject({
  checks: z.enum(["passed", "failed"]),
  e2e: z.enum(["passed", "failed", "not-run"]),
  /** The Aspire integration run's verdict (absent in records made before it was recorded). */
  integration: z.enum(["passed", "failed", "not-run"]).optional(),
  /** Finding counts by severity per component, from the scan reports. */
  scans: z.record(z.string(), z.record(z.string(), z.number().int().min(0))).default({}),
  /** Per component: the digest that was scanned, the SHA-256 of the report judged for it and of its CycloneDX SBOM (the one attested). */
  reports: z
    .record(z.string(), z.strictObject({ digest: z.string().regex(SHA256_DIGEST_PATTERN), report: z.string().regex(SHA256_DIGEST_PATTERN), sbom: z.string().regex(SHA256_DIGEST_PATTERN).optional() }))
    .optional(),
  /** Who or what built it: the CI run's URL, the runner, the user. */
  builtBy: z.string().default(""),
});

/** The whole release record. */
export const ReleaseRecord = z.strictObject({
  kind: z.literal("pipeline-as-code/release/v1"),
  application: z.string().min(1),
  revision: z.string().regex(SHA, { error: "must be the full git SHA" }),
  created: z.string().min(1),
  source: z.string().default(""),
  components: z.record(z.string(), ReleaseComponent).refine((c) => Object.keys(c).length > 0, { error: "must hold at least one component" }),
  evidence: Evidence,
});

/** A validated release record. */
export type ReleaseRecord = z.output<typeof ReleaseRecord>;
/** One component of a release record. */
export type ReleaseComponent = z.output<typeof ReleaseComponent>;

/** Where a release's record lives in the GitOps repository. */
export const releasePath = (revision: string) => `releases/${revision}.json`;

/** Parse and validate a release record; every problem is named with its JSON path. */
export function parseReleaseRecord(text: string, file: string): ReleaseRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: is not JSON (${(e as Error).message})`);
  }
  const parsed = ReleaseRecord.safeParse(json);
  if (!parsed.success) throw new InputError(`${file}: not a release record:\n${parsed.error.issues.map((i) => `  ${i.path.join(".") || "(document)"}: ${i.message}`).join("\n")}`);
  for (const [name, c] of Object.entries(parsed.data.components)) {
    if (!c.image.endsWith(`@${c.digest}`)) throw new InputError(`${file}: components.${name}: image ${c.image} does not carry its digest ${c.digest}`);
    if (!c.image.includes(`:${parsed.data.revision}@`)) throw new InputError(`${file}: components.${name}: image ${c.image} is not tagged with the release's revision ${parsed.data.revision}`);
  }
  return parsed.data;
}

/** The record as written: stable key order and a final newline, so the same release writes the same bytes. */
export function renderReleaseRecord(record: ReleaseRecord): string {
  const sorted = { ...record, components: Object.fromEntries(Object.entries(record.components).sort(([a], [b]) => a.localeCompare(b))) };
  return `${JSON.stringify(ReleaseRecord.parse(sorted), null, 2)}\n`;
}

/** What ci knows about a release when it records it. */
export interface NewRelease {
  application: string;
  revision: string;
  created: string;
  source: string;
  /** Each component's published image (registry/name:sha@sha256:…), version and requires. */
  components: Record<string, { image: string; version: string; requires: Record<string, string>; migrations?: { script: string; version?: string; checksum: number }[] }>;
  evidence: z.input<typeof Evidence>;
}

/** A validated record of a release that ci just published. */
export function newReleaseRecord(r: NewRelease): ReleaseRecord {
  const components = Object.fromEntries(
    Object.entries(r.components).map(([name, c]) => {
      const digest = parseImageReference(c.image)?.digest;
      if (digest === undefined || !isSha256Digest(digest)) throw new InputError(`components.${name}: image ${c.image} carries no digest; only published images are recorded`);
      return [name, { ...c, digest }];
    }),
  );
  const text = JSON.stringify({ kind: "pipeline-as-code/release/v1", application: r.application, revision: r.revision, created: r.created, source: r.source, components, evidence: r.evidence });
  return parseReleaseRecord(text, releasePath(r.revision));
}
