/** Database components migrated with Flyway, through the flyway module. */
import type { Component } from "../config/schema.js";
import { flywayModule } from "../mirror/flyway.js";
import { mirrorImage } from "../mirror/images.js";
import { pinnedBase } from "../stages/context.js";
import type { Toolchain } from "./toolchain.js";

const migrations = (c: Component) => c.migrations ?? "migrations";

/** The flyway adapter. */
export const flyway: Toolchain = {
  requiredFiles: (c) => [{ file: migrations(c) }],
  async check(ctx, c, dir, step) {
    if (step === "lint") {
      const problems = await flywayModule(ctx.config, c).lint(dir.directory(migrations(c)));
      return { passed: problems === "", output: problems };
    }
    // The unit test of a database: every migration applied to a fresh server of the configured image.
    const result = flywayModule(ctx.config, c).throwaway(dir.directory(migrations(c)), { serverImage: mirrorImage(c.database.image, ctx.config.mirror?.images) });
    // throwaway is never cached: one field read, one run (two reads would start two databases).
    const verdict = JSON.parse(await result.json()) as { succeeded: boolean; message: string };
    return { passed: verdict.succeeded, output: verdict.message };
  },
  version: (ctx, c, dir) => flywayModule(ctx.config, c).version(dir.directory(migrations(c))),
  // The migration image is a job, not a service; the database server has its own probe (topology).
  healthProbe: () => [],
  dockerfile: (ctx, c) => flywayModule(ctx.config, c).dockerfile(migrations(c)),
  // On the Flyway image pinned by digest that the input hash names (item 16).
  build: async (ctx, c, dir, stamp) => flywayModule(ctx.config, c, await pinnedBase(ctx, c)).build(dir, migrations(c), stamp.revision, stamp.created, { sourceUrl: stamp.sourceUrl }),
};
