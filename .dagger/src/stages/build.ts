/** The build stage: one runtime image per component, each by its toolchain's module, all at once. */
import { type Container, dag } from "@dagger.io/dagger";
import { InputError } from "../errors.js";
import { baseImage, type StageContext } from "./context.js";

/** The release's identity, stamped on every image as OCI labels. */
export interface BuildStamp {
  /** Full 40-hex git SHA; also every image's tag. */
  revision: string;
  /** RFC 3339 time, normally the commit's, so rebuilding a commit gives the same labels. */
  created: string;
  sourceUrl: string;
}

/** Refuse a revision that is not a full git SHA: images are tagged with it, and 'latest' or a branch name must never become a tag. */
export function checkRevision(revision: string): void {
  if (!/^[0-9a-f]{40}$/.test(revision)) throw new InputError(`revision: "${revision}" is not a full git commit SHA (40 lowercase hex digits); images are tagged with it`);
}

/** The unpublished runtime image of each component. */
export function buildImages(ctx: StageContext, components: string[], stamp: BuildStamp): Record<string, Promise<Container>> {
  return Object.fromEntries(components.map((name) => [name, buildImage(ctx, name, stamp)]));
}

async function buildImage(ctx: StageContext, name: string, stamp: BuildStamp): Promise<Container> {
  const c = ctx.config.components[name];
  const dir = ctx.source.directory(c.path);
  switch (c.toolchain) {
    case "node":
      return dag.nodeToolchain({ image: baseImage(ctx, c), registry: ctx.config.mirror?.npm ?? "", npmrc: ctx.npmrc }).build(dir, stamp.revision, stamp.created, {
        sourceUrl: stamp.sourceUrl,
        ownDockerfile: c.dockerfile ?? "",
        aptMirror: ctx.config.mirror?.apt ?? "",
        command: c.image.command,
        files: c.image.files,
        port: c.image.port,
        healthPath: c.image.health,
        systemPackages: c.image.systemPackages,
      });
    case "flyway":
      return dag.flyway({ image: baseImage(ctx, c) }).build(dir, c.migrations ?? "migrations", stamp.revision, stamp.created, { sourceUrl: stamp.sourceUrl });
    default:
      throw new InputError(`components.${name}: toolchain ${c.toolchain} cannot build images yet; toolchains that can: node, flyway`);
  }
}
