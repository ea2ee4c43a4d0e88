/**
 * What the stages need of a toolchain. One adapter per toolchain (node, flyway, …) keeps
 * everything a toolchain knows in one file: adding .NET or Maven means adding one adapter and
 * its module, not editing every stage.
 */
import type { Container, Directory } from "@dagger.io/dagger";
import type { Component } from "../config/schema.js";
import type { StageContext } from "../stages/context.js";

/** The release stamp every image carries as OCI labels. */
export interface BuildStamp {
  /** Full 40-hex git SHA; also every image's tag. */
  revision: string;
  /** RFC 3339 time, normally the commit's, so rebuilding a commit gives the same labels. */
  created: string;
  sourceUrl: string;
}

/** A check's raw result before it becomes a CheckOutcome. */
export interface CheckResult {
  passed: boolean;
  output: string;
  /** The runner's own JUnit report, when it wrote one. */
  junit?: string;
}

/** One component handled by its toolchain's module. */
export interface Toolchain {
  /** Files that must exist in the component folder before any work starts, with a hint when one is missing. */
  requiredFiles(component: Component): { file: string; hint?: string }[];
  /** Run one check step; undefined means the step is planned but not runnable yet, with the reason. */
  check(ctx: StageContext, component: Component, dir: Directory, step: string): Promise<CheckResult | { notRun: string }>;
  /** The component's semantic version in this commit (package.json, the highest migration…). */
  version(ctx: StageContext, component: Component, dir: Directory): Promise<string>;
  /** The generated Dockerfile (part of the input hash). */
  dockerfile(ctx: StageContext, component: Component, dir: Directory): Promise<string>;
  /** Command that exits 0 when a running container of the component is healthy (Compose health check); empty when the component is not a service. */
  healthProbe(component: Component): string[];
  /** The runtime image. */
  build(ctx: StageContext, component: Component, dir: Directory, stamp: BuildStamp): Promise<Container>;
}
