/** Database components migrated with Flyway, through the flyway module. */
import { dag } from "@dagger.io/dagger";
import type { Component } from "../config/schema.js";
import { baseImage } from "../stages/context.js";
import type { Toolchain } from "./toolchain.js";

const migrations = (c: Component) => c.migrations ?? "migrations";

/** The flyway adapter. */
export const flyway: Toolchain = {
  requiredFiles: (c) => [{ file: migrations(c) }],
  async check(_ctx, c, dir, step) {
    if (step !== "lint") return { notRun: "migrating a throwaway database comes with the flyway module's migrate (issue 4)" };
    const problems = await dag.flyway().lint(dir.directory(migrations(c)));
    return { passed: problems === "", output: problems };
  },
  dockerfile: (ctx, c) => dag.flyway({ image: baseImage(ctx, c) }).dockerfile(migrations(c)),
  build: async (ctx, c, dir, stamp) => dag.flyway({ image: baseImage(ctx, c) }).build(dir, migrations(c), stamp.revision, stamp.created, { sourceUrl: stamp.sourceUrl }),
};
