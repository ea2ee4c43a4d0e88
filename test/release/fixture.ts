/** A release record of the example and environment states built from it, shared by the release tests. */
import type { ReleaseRecord } from "../../.dagger/src/release/record.js";

/** A revision of the example. */
export const REV_A = "a".repeat(40);
/** A later revision. */
export const REV_B = "b".repeat(40);

/** A release of the example at `revision` with versions and digests derived from `seed`. */
export function exampleRelease(revision: string, seed: string, versions: Partial<Record<"db" | "backend" | "frontend", string>> = {}): ReleaseRecord {
  const component = (name: string, version: string, requires: Record<string, string>) => {
    const digest = `sha256:${seed.repeat(64).slice(0, 64)}`;
    return { version, image: `registry.example.com/acme/webshop/${name}:${revision}@${digest}`, digest, requires };
  };
  return {
    kind: "pipeline-as-code/release/v1",
    application: "webshop",
    revision,
    created: "2026-11-22T08:00:00Z",
    source: "https://github.com/acme/webshop",
    components: {
      db: component("db", versions.db ?? "1.1.0", {}),
      backend: component("backend", versions.backend ?? "1.2.0", { db: ">=1.1.0" }),
      frontend: component("frontend", versions.frontend ?? "1.2.0", { backend: ">=1.0.0" }),
    },
    evidence: { checks: "passed", e2e: "passed", scans: {}, builtBy: "https://ci.example.com/run/1" },
  };
}
