// The release page's notes, from a release record alone: the whole text for the example, and
// the parts that come and go (migrations, scans, a source link).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { releaseNotes } from "../../.dagger/src/release/notes.js";
import { exampleRelease, REV_A } from "./fixture.js";

const D = "1".repeat(64);

describe("release notes of a tag", () => {
  it("the example's release: title, commit link, components by digest with their requirements, evidence, files", () => {
    const notes = releaseNotes(exampleRelease(REV_A, "1"), "v1.4.0");
    assert.equal(notes.name, "webshop v1.4.0");
    assert.equal(
      notes.body,
      `Release **v1.4.0** of webshop: commit [aaaaaaaaaaaa](https://github.com/acme/webshop/commit/${REV_A}), built 2026-11-22T08:00:00Z by https://ci.example.com/run/1. Every image is addressed by digest; promotion moves exactly these.

| component | version | image | requires |
|---|---|---|---|
| backend | 1.2.0 | \`registry.example.com/acme/webshop/backend:${REV_A}@sha256:${D}\` | db >=1.1.0 |
| db | 1.1.0 | \`registry.example.com/acme/webshop/db:${REV_A}@sha256:${D}\` | – |
| frontend | 1.2.0 | \`registry.example.com/acme/webshop/frontend:${REV_A}@sha256:${D}\` | backend >=1.0.0 |

### Evidence

- checks: passed
- end-to-end tests: passed

### Files

- \`release.json\`: the release record, as promotion reads it from the GitOps repository
- \`compose.yaml\`: the release on one host with Docker Compose (each database password from the environment, e.g. \`DB_PASSWORD=… docker compose up\`)
`,
    );
  });

  it("migrations are listed per database component, scan counts when there are any, a bare commit without a source", () => {
    const record = exampleRelease(REV_A, "1");
    record.source = "";
    record.evidence.builtBy = "";
    record.components.db.migrations = [
      { script: "V1_0_0__create_products.sql", version: "1.0.0", checksum: 1 },
      { script: "R__views.sql", checksum: 2 },
    ];
    record.evidence.scans = { backend: { CRITICAL: 0, HIGH: 2 }, frontend: {} };
    const { body } = releaseNotes(record, "v2.0.0-rc.1");
    assert.match(body, /^Release \*\*v2\.0\.0-rc\.1\*\* of webshop: commit `aaaaaaaaaaaa`, built 2026-11-22T08:00:00Z\. /);
    assert.match(body, /### Database migrations \(db\)\n\n- `V1_0_0__create_products\.sql` \(version 1\.0\.0\)\n- `R__views\.sql`\n/);
    assert.match(body, /- scans: backend: CRITICAL 0, HIGH 2\n/);
  });
});
