/** The build stage: one runtime image per component, each by its toolchain's module. */
import type { Container } from "@dagger.io/dagger";
import { InputError } from "../errors.js";
import { toolchainOf } from "../toolchains/index.js";
import type { BuildStamp } from "../toolchains/toolchain.js";
import type { StageContext } from "./context.js";

export type { BuildStamp };

/** Refuse a revision that is not a full git SHA: images are tagged with it, and 'latest' or a branch name must never become a tag. */
export function checkRevision(revision: string): void {
  if (!/^[0-9a-f]{40}$/.test(revision)) throw new InputError(`revision: "${revision}" is not a full git commit SHA (40 lowercase hex digits); images are tagged with it`);
}

/** The unpublished runtime image of one component (lazy: nothing runs until it is used). */
export function buildImage(ctx: StageContext, name: string, stamp: BuildStamp): Promise<Container> {
  const c = ctx.config.components[name];
  return toolchainOf(name, c).build(ctx, c, ctx.source.directory(c.path), stamp);
}
