/**
 * The compatibility gate (R-GATE-2): after a promotion, every component in the environment must
 * find the versions it requires of the others — a backend its minimum database version, a
 * frontend its minimum backend version. The environment after the promotion is what the
 * environment runs now (its GitOps state, with the requirements recorded for those versions)
 * with the promoted components replaced by the release's (with the release's requirements), so
 * both directions are checked: a new backend against the deployed database, and an older
 * database against the deployed backend. A requirement neither side of which is promoted is
 * checked too and marked as already broken: the promotion would leave a broken environment.
 *
 * There is deliberately no emergency or force option: a version mismatch is not a risk a team can
 * accept, it is an outage (R-GATE-2).
 *
 * Versions compare by semver precedence, prereleases included (`includePrerelease`): 1.5.0-rc.1
 * satisfies >=1.4.0 and 1.4.0-rc.1 does not, exactly as they sort. semver's default would refuse
 * every prerelease against a range without one, which would make a release candidate
 * undeployable anywhere.
 */
import semver from "./vendor/semver.js";
import { GateInputError } from "./errors.js";

/** A component's version and what it requires of the others, as semver ranges by component name. */
export interface VersionedComponent {
  version: string;
  requires?: Record<string, string>;
}

/** Everything the compatibility gate judges. */
export interface CompatibilityInput {
  /** The target environment's name, for messages (prod). */
  environment: string;
  /** What the environment runs now, from its GitOps files: versions and the requirements recorded for them. May lack components. */
  deployed: Record<string, VersionedComponent>;
  /** The components this promotion moves, with the release's versions and requirements. */
  promoted: Record<string, VersionedComponent>;
  /** The schema version a live database reports; it replaces the GitOps-recorded version of that component (null: an empty schema). */
  liveDatabase?: { component: string; version: string | null };
}

/** Where a version in the environment after the promotion comes from. */
export type VersionSource = "release" | "gitops" | "live database";

/** A component's version after the promotion; null when the live database has no schema yet. */
export interface EffectiveVersion {
  version: string | null;
  source: VersionSource;
}

/** One requirement the environment would not meet. */
export interface CompatibilityViolation {
  /** The component that requires. */
  component: string;
  version: string;
  /** The component it requires, and the range. */
  requires: string;
  range: string;
  /** What the environment would have instead; absent when the required component is not there at all. */
  found?: EffectiveVersion;
  /** Neither side is promoted: the environment is already in this state. */
  preexisting: boolean;
  message: string;
}

/** The compatibility gate's verdict. No emergency waives it, so waivedByEmergency is always false. */
export interface CompatibilityVerdict {
  gate: "compatibility";
  environment: string;
  passed: boolean;
  waivedByEmergency: false;
  /** Every component's version after the promotion, and where it comes from. */
  versions: Record<string, EffectiveVersion>;
  violations: CompatibilityViolation[];
  /** Set when a live database version was given: which component, what it reported, and whether it counted. */
  liveDatabase?: { component: string; version: string | null; gitops?: string; used: boolean };
  summary: string;
  details: string[];
}

const OPTIONS = { includePrerelease: true } as const;

/** Judge whether promoting `promoted` into the environment leaves every requirement met. Throws GateInputError on a version or range that is not semver. */
export function compatibilityGate(input: CompatibilityInput): CompatibilityVerdict {
  const { environment, deployed, promoted, liveDatabase: live } = input;
  assertSemver(input);

  // The environment after the promotion: promoted components replace deployed ones, requirements included.
  const after: Record<string, VersionedComponent & { source: VersionSource }> = {};
  for (const [name, c] of Object.entries(deployed)) after[name] = { ...c, source: "gitops" };
  for (const [name, c] of Object.entries(promoted)) after[name] = { ...c, source: "release" };
  const versions: Record<string, EffectiveVersion> = Object.fromEntries(Object.entries(after).map(([n, c]) => [n, { version: c.version, source: c.source }]));
  const notes: string[] = [];
  let liveDatabase: CompatibilityVerdict["liveDatabase"];
  if (live) {
    const gitops = deployed[live.component]?.version;
    const reported = live.version ?? "no schema version (empty schema)";
    if (promoted[live.component]) {
      // Promoting the database migrates it to the release's version; the live one is what it starts from.
      liveDatabase = { component: live.component, version: live.version, ...(gitops ? { gitops } : {}), used: false };
      notes.push(`${live.component}: this release's ${promoted[live.component].version} counts; the live database reports ${reported} before the promotion migrates it`);
    } else {
      liveDatabase = { component: live.component, version: live.version, ...(gitops ? { gitops } : {}), used: true };
      versions[live.component] = { version: live.version, source: "live database" };
      notes.push(`${live.component}: the live database's version ${reported} was used${gitops ? ` (the GitOps files record ${gitops})` : " (the GitOps files record none)"}`);
    }
  }

  const violations: CompatibilityViolation[] = [];
  for (const [name, c] of Object.entries(after).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [needed, range] of Object.entries(c.requires ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      if (needed === name) continue;
      const found = versions[needed];
      if (found?.version != null && semver.satisfies(found.version, range, OPTIONS)) continue;
      const preexisting = c.source !== "release" && found?.source !== "release";
      const who = c.source === "release" ? `${name} ${c.version}` : `${environment}'s ${name} ${c.version}`;
      const what = !found
        ? `${environment} has no ${needed}`
        : found.version === null
          ? `${environment}'s ${needed} has no schema version (live database)`
          : found.source === "release"
            ? `this release promotes ${needed} ${found.version}`
            : `${environment}'s ${needed} is ${found.version} (${found.source === "live database" ? "live database" : "deployed"})`;
      violations.push({
        component: name,
        version: c.version,
        requires: needed,
        range,
        ...(found ? { found } : {}),
        preexisting,
        message: `${who} requires ${needed} ${range}, but ${what}${preexisting ? " (already so before this promotion)" : ""}`,
      });
    }
  }

  const moving = Object.keys(promoted).sort();
  const summary =
    violations.length === 0
      ? `${moving.map((n) => `${n} ${promoted[n].version}`).join(", ") || "nothing"} fits ${environment}: every requirement is met`
      : `refused: ${violations.map((v) => v.message).join("; ")}`;
  return {
    gate: "compatibility",
    environment,
    passed: violations.length === 0,
    waivedByEmergency: false,
    versions,
    violations,
    ...(liveDatabase ? { liveDatabase } : {}),
    summary,
    details: [...violations.map((v) => v.message), ...notes],
  };
}

/** Every version and range of the input must be semver; all bad ones are named at once. */
function assertSemver(input: CompatibilityInput): void {
  const problems: string[] = [];
  const check = (where: string, c: VersionedComponent) => {
    if (semver.valid(c.version) === null) problems.push(`${where}.version: must be MAJOR.MINOR.PATCH (got ${JSON.stringify(c.version)})`);
    for (const [needed, range] of Object.entries(c.requires ?? {})) {
      if (range.trim() === "" || semver.validRange(range, OPTIONS) === null) problems.push(`${where}.requires.${needed}: must be a semver range such as >=1.4.0 (got ${JSON.stringify(range)})`);
    }
  };
  for (const [name, c] of Object.entries(input.deployed)) check(`deployed.${name}`, c);
  for (const [name, c] of Object.entries(input.promoted)) check(`promoted.${name}`, c);
  const live = input.liveDatabase;
  if (live && live.version !== null && semver.valid(live.version) === null)
    problems.push(`liveDatabase.version: must be MAJOR.MINOR.PATCH as the database reports its schema version (got ${JSON.stringify(live.version)})`);
  if (problems.length > 0) throw new GateInputError(`compatibility gate input for ${input.environment}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
}
