// ci's own arguments go through the same checks as the plan's (issue 16): changed files, the
// branch and the source URL are refused before anything is built, naming the argument; a
// credential in the source URL (a build argument and an image label) is never echoed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { dag } from "@dagger.io/dagger";
import { Pipeline } from "../../.dagger/src/index.js";
import { bindDependency } from "../tiers/bindings.js";
import { currentApi } from "../tiers/golden.js";
import { readModule, ROOT } from "../tiers/modules.js";
import { exampleEngine } from "./example-engine.js";
import { record } from "./record.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("ci arguments", () => {
  before(() => {
    for (const m of ["node-toolchain", "flyway", "aspire"]) bindDependency(m, currentApi(readModule(join(ROOT, "modules", m))));
  });

  const refused = async (call: () => Promise<unknown>, pattern: RegExp, secret?: string) => {
    await assert.rejects(record(call, exampleEngine()), (e: Error) => {
      assert.equal(e.name, "InputError", e.stack);
      assert.match(e.message, pattern);
      if (secret) assert.ok(!e.message.includes(secret), e.message);
      return true;
    });
  };

  it("refuses a changed path outside the repository, and a branch git would not create", async () => {
    await refused(
      () => new Pipeline(dag.directory()).ci(SHA, undefined, "", "", undefined, undefined, "main", "", undefined, undefined, "push", ["../x"]),
      /^changed: "\.\.\/x" is outside the repository/,
    );
    await refused(() => new Pipeline(dag.directory()).ci(SHA, undefined, "", "", undefined, undefined, "main\nFlow: main"), /^ref: "main\\nFlow: main" is not a valid branch name/);
  });

  it("refuses a source URL that carries credentials, masked", async () => {
    await refused(
      () => new Pipeline(dag.directory()).ci(SHA, undefined, "", "https://ci:hunter2@git.example/acme/shop"),
      /^source-url: "https:\/\/ci:\*\*\*@git\.example\/acme\/shop" carries credentials/,
      "hunter2",
    );
  });
});
