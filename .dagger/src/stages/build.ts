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

/** Every component's version in this commit, by component. */
export async function releaseVersions(ctx: StageContext, names: string[]): Promise<Record<string, string>> {
  const versions = await Promise.all(
    names.map((name) => toolchainOf(name, ctx.config.components[name]).version(ctx, ctx.config.components[name], ctx.source.directory(ctx.config.components[name].path))),
  );
  return Object.fromEntries(names.map((name, i) => [name, versions[i]]));
}

/** Every component's image (lazy) and version: the release the E2E stage tests and the publish stage pushes. */
export async function buildRelease(ctx: StageContext, names: string[], stamp: BuildStamp): Promise<{ images: Record<string, Container>; versions: Record<string, string> }> {
  const [images, versions] = await Promise.all([Promise.all(names.map((name) => buildImage(ctx, name, stamp))), releaseVersions(ctx, names)]);
  return { images: Object.fromEntries(names.map((name, i) => [name, images[i]])), versions };
}
