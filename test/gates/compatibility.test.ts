// The compatibility gate: every component finds the versions it requires, after the promotion, with no way around it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CompatibilityInput, compatibilityGate } from "../../modules/gates/src/compatibility.js";
import { GateInputError } from "../../modules/gates/src/errors.js";

/** prod as its GitOps files record it: db 1.3.2, backend 2.0.0 needing db >=1.3.0, frontend 1.5.0 needing backend >=2.0.0. */
const PROD = {
  db: { version: "1.3.2" },
  backend: { version: "2.0.0", requires: { db: ">=1.3.0" } },
  frontend: { version: "1.5.0", requires: { backend: ">=2.0.0" } },
};
const gate = (over: Partial<CompatibilityInput>) => compatibilityGate({ environment: "prod", deployed: PROD, promoted: {}, ...over });

describe("compatibility gate", () => {
  it("passes when every requirement is met, the release's and the deployed ones", () => {
    const v = gate({ promoted: { db: { version: "1.4.0" }, backend: { version: "2.1.0", requires: { db: ">=1.4.0" } } } });
    assert.deepEqual([v.passed, v.violations], [true, []]);
    assert.equal(v.summary, "backend 2.1.0, db 1.4.0 fits prod: every requirement is met");
    assert.deepEqual(v.versions, { db: { version: "1.4.0", source: "release" }, backend: { version: "2.1.0", source: "release" }, frontend: { version: "1.5.0", source: "gitops" } });
  });

  it("refuses a backend that needs a newer database than the target runs, naming both sides and versions", () => {
    const v = gate({ promoted: { backend: { version: "2.1.0", requires: { db: ">=1.4.0" } } } });
    assert.equal(v.passed, false);
    assert.deepEqual(
      v.violations.map((x) => x.message),
      ["backend 2.1.0 requires db >=1.4.0, but prod's db is 1.3.2 (deployed)"],
    );
    assert.deepEqual(v.violations[0], {
      component: "backend",
      version: "2.1.0",
      requires: "db",
      range: ">=1.4.0",
      found: { version: "1.3.2", source: "gitops" },
      preexisting: false,
      message: v.violations[0].message,
    });
    assert.equal(v.summary, "refused: backend 2.1.0 requires db >=1.4.0, but prod's db is 1.3.2 (deployed)");
  });

  it("refuses when only untouched components conflict: an older database under the deployed backend", () => {
    const deployed = { ...PROD, db: { version: "1.4.0" }, backend: { version: "2.1.0", requires: { db: ">=1.4.0" } } };
    const v = gate({ deployed, promoted: { db: { version: "1.3.0" } } });
    assert.equal(v.passed, false);
    assert.deepEqual(
      v.violations.map((x) => x.message),
      ["prod's backend 2.1.0 requires db >=1.4.0, but this release promotes db 1.3.0"],
    );
    assert.equal(v.violations[0].preexisting, false);
  });

  it("uses the live database's version over the GitOps one, and says so", () => {
    const promoted = { backend: { version: "2.1.0", requires: { db: ">=1.4.0" } } };
    const deployed = { ...PROD, db: { version: "1.4.0" } };
    const refused = gate({ deployed, promoted, liveDatabase: { component: "db", version: "1.3.2" } });
    assert.equal(refused.passed, false);
    assert.deepEqual(
      refused.violations.map((x) => x.message),
      ["backend 2.1.0 requires db >=1.4.0, but prod's db is 1.3.2 (live database)"],
    );
    assert.deepEqual(refused.liveDatabase, { component: "db", version: "1.3.2", gitops: "1.4.0", used: true });
    assert.ok(refused.details.includes("db: the live database's version 1.3.2 was used (the GitOps files record 1.4.0)"), refused.details.join("\n"));
    // The other way round: GitOps lags behind a database that was migrated.
    const passed = gate({ promoted, liveDatabase: { component: "db", version: "1.4.1" } });
    assert.equal(passed.passed, true);
    assert.deepEqual(passed.versions.db, { version: "1.4.1", source: "live database" });
    assert.ok(passed.details.includes("db: the live database's version 1.4.1 was used (the GitOps files record 1.3.2)"), passed.details.join("\n"));
  });

  it("a live database with an empty schema meets no requirement", () => {
    const v = gate({ promoted: { backend: { version: "2.1.0", requires: { db: ">=1.0.0" } } }, liveDatabase: { component: "db", version: null } });
    assert.deepEqual(
      v.violations.map((x) => x.message),
      ["backend 2.1.0 requires db >=1.0.0, but prod's db has no schema version (live database)"],
    );
  });

  it("when the release promotes the database itself, its version counts and the live one is noted", () => {
    const v = gate({ promoted: { db: { version: "1.4.0" }, backend: { version: "2.1.0", requires: { db: ">=1.4.0" } } }, liveDatabase: { component: "db", version: "1.3.2" } });
    assert.equal(v.passed, true);
    assert.deepEqual(v.liveDatabase, { component: "db", version: "1.3.2", gitops: "1.3.2", used: false });
    assert.ok(v.details.includes("db: this release's 1.4.0 counts; the live database reports 1.3.2 before the promotion migrates it"), v.details.join("\n"));
  });

  it("a required component that is not deployed at all is a violation", () => {
    const v = compatibilityGate({ environment: "staging", deployed: {}, promoted: { frontend: { version: "1.6.0", requires: { backend: ">=2.0.0" } } } });
    assert.deepEqual(
      v.violations.map((x) => x.message),
      ["frontend 1.6.0 requires backend >=2.0.0, but staging has no backend"],
    );
    assert.equal(v.violations[0].found, undefined);
  });

  it("lists every violation, both directions, and marks one the environment already had", () => {
    const deployed = { db: { version: "1.3.2" }, backend: { version: "2.0.0", requires: { db: ">=1.5.0" } }, frontend: { version: "1.5.0", requires: { backend: ">=2.0.0" } } };
    const v = gate({ deployed, promoted: { frontend: { version: "1.6.0", requires: { backend: ">=2.2.0" } } } });
    assert.deepEqual(
      v.violations.map((x) => x.message),
      [
        "prod's backend 2.0.0 requires db >=1.5.0, but prod's db is 1.3.2 (deployed) (already so before this promotion)",
        "frontend 1.6.0 requires backend >=2.2.0, but prod's backend is 2.0.0 (deployed)",
      ],
    );
    assert.deepEqual(
      v.violations.map((x) => x.preexisting),
      [true, false],
    );
  });

  it("the deployed version's requirements give way to the release's for a promoted component", () => {
    // Deployed backend 2.0.0 needed db >=1.3.0; the promoted 1.9.0 (a rollback) needs less and fits db 1.2.0.
    const v = gate({ deployed: { ...PROD, db: { version: "1.2.0" } }, promoted: { backend: { version: "1.9.0", requires: { db: ">=1.2.0" } } } });
    assert.deepEqual(
      v.violations.map((x) => x.message),
      ["prod's frontend 1.5.0 requires backend >=2.0.0, but this release promotes backend 1.9.0"],
    );
  });

  it("orders prereleases by semver precedence: 1.5.0-rc.1 meets >=1.4.0, 1.4.0-rc.1 does not", () => {
    const backend = { backend: { version: "2.1.0", requires: { db: ">=1.4.0" } } };
    assert.equal(gate({ promoted: { ...backend, db: { version: "1.5.0-rc.1" } } }).passed, true);
    assert.deepEqual(
      gate({ promoted: { ...backend, db: { version: "1.4.0-rc.1" } } }).violations.map((x) => x.message),
      ["backend 2.1.0 requires db >=1.4.0, but this release promotes db 1.4.0-rc.1"],
    );
    // A prerelease requirer is judged like any other.
    assert.equal(gate({ promoted: { backend: { version: "3.0.0-beta.2", requires: { db: "^1.3.0" } } } }).passed, true);
  });

  it("has no override: the input takes no emergency, and one passed anyway changes nothing", () => {
    const input: CompatibilityInput = { environment: "prod", deployed: PROD, promoted: { backend: { version: "2.1.0", requires: { db: ">=1.4.0" } } } };
    // @ts-expect-error the type refuses an emergency (tsc fails here if someone adds one)
    const forced = compatibilityGate({ ...input, emergency: { reason: "INC-1" } });
    assert.deepEqual([forced.passed, forced.waivedByEmergency], [false, false]);
    assert.deepEqual(forced, compatibilityGate(input));
    assert.deepEqual(compatibilityGate({ ...input, force: true, override: true } as CompatibilityInput), compatibilityGate(input));
  });

  it("refuses versions and ranges that are not semver, naming each", () => {
    assert.throws(
      () => gate({ deployed: { db: { version: "1.4" } }, promoted: { backend: { version: "2.1.0", requires: { db: ">=one", frontend: "" } } }, liveDatabase: { component: "db", version: "V1_4_0" } }),
      (e: Error) =>
        e instanceof GateInputError &&
        e.message ===
          [
            "compatibility gate input for prod:",
            '  deployed.db.version: must be MAJOR.MINOR.PATCH (got "1.4")',
            '  promoted.backend.requires.db: must be a semver range such as >=1.4.0 (got ">=one")',
            '  promoted.backend.requires.frontend: must be a semver range such as >=1.4.0 (got "")',
            '  liveDatabase.version: must be MAJOR.MINOR.PATCH as the database reports its schema version (got "V1_4_0")',
          ].join("\n"),
    );
  });
});
