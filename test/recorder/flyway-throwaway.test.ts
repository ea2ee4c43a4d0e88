// Issue 14 item 11: the Flyway module's throwaway database is started explicitly before migrate and
// info, and stopped after them, so both meet the same database by design rather than thanks to
// the engine keeping an unbound service up for its grace period.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Flyway } from "../../modules/flyway/src/index.js";
import { recordedFlyway } from "../harness/recorded-flyway.js";
import { record } from "./record.js";

describe("flyway throwaway (item 11)", () => {
  it("item 11: the throwaway server is started before migrate and stopped after info", async () => {
    const { graph } = await record(
      async () =>
        new Flyway("registry.local/flyway/flyway:11.20.3").throwaway(
          dag.directory().withNewFile("V1_0_0__a.sql", "create table a (id int);\n").withNewFile("V1_1_0__b.sql", "create table b (id int);\n"),
          "registry.local/library/postgres:15",
        ),
      (leaf) => recordedFlyway(leaf) ?? (leaf.endsWith(".entries") ? ["V1_0_0__a.sql", "V1_1_0__b.sql"] : leaf.endsWith(".plaintext") ? "postgresql://flyway:pw@db:5432/flyway" : undefined),
    );
    const at = (re: RegExp) => graph.leaves.findIndex((l) => re.test(l));
    const start = at(/postgres:15"\).*\.asService\(useEntrypoint: true\)\.start$/);
    const migrate = at(/withExec\(args: \["-outputType=json", "migrate"\].*\.stdout$/);
    const info = at(/withExec\(args: \["-outputType=json", "info"\].*\.stdout$/);
    const stop = at(/postgres:15"\).*\.asService\(useEntrypoint: true\)\.stop$/);
    assert.ok(start >= 0, `the server is started explicitly (leaves: ${graph.leaves.join("\n")})`);
    assert.ok(start < migrate && migrate < info && info < stop, `start ${start} < migrate ${migrate} < info ${info} < stop ${stop}`);
  });
});
