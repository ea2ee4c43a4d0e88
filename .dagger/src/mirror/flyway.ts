/** The flyway module, always with its Flyway image through the mirror (never Docker Hub's default). */
import { dag } from "@dagger.io/dagger";
import type { Component, PipelineConfig } from "../config/schema.js";
import { DEFAULT_BASE_IMAGES, mirrorImage } from "./images.js";

/**
 * dag.flyway() with the image a database component builds on (its image.base, else Flyway's
 * default), rewritten to the image mirror. Without a component: the first Flyway component's.
 * `pinnedImage` is that image pinned by digest (the build's, see stages/context.ts pinnedBase).
 * The component's migrationNaming policy goes with it, so lint, version and build agree.
 * Every construction of the module goes through here: a run that reads a live database
 * (promote --database-url, database-version) pulls the same mirrored image as the build.
 */
export function flywayModule(config: PipelineConfig, component?: Component, pinnedImage?: string) {
  const c = component ?? firstFlyway(config);
  return dag.flyway({ image: pinnedImage ?? flywayImage(config, component), ...(c?.migrationNaming ? { naming: c.migrationNaming } : {}) });
}

/** The first Flyway component: the one a call without a component is about. */
const firstFlyway = (config: PipelineConfig): Component | undefined => Object.values(config.components).find((x) => x.toolchain === "flyway");

/** The Flyway image a database component builds on (its image.base, else Flyway's default), through the mirror. */
export function flywayImage(config: PipelineConfig, component?: Component): string {
  const c = component ?? firstFlyway(config);
  return mirrorImage(c?.image.base ?? DEFAULT_BASE_IMAGES.flyway, config.mirror?.images);
}
