/**
 * The input hash of a component's image: everything the build reads (its files, the Dockerfile,
 * the base image, the build arguments that change bytes). Equal hashes mean the published image
 * can be reused as it is; the release labels (revision, created) are deliberately left out.
 */
import { createHash } from "node:crypto";
import { toolchainOf } from "../toolchains/index.js";
import { pinned, pinnedBase, type StageContext } from "./context.js";
import { dockerfileBaseImages } from "./dockerfile-bases.js";
import { digestOf } from "../registry/reference.js";

/** Hex SHA-256 of the component's build inputs. */
export async function inputHash(ctx: StageContext, name: string): Promise<string> {
  const c = ctx.config.components[name];
  const dir = ctx.source.directory(c.path);
  const dockerfile = c.dockerfile !== undefined ? await dir.file(c.dockerfile).contents() : await toolchainOf(name, c).dockerfile(ctx, c, dir);
  const inputs = {
    toolchain: c.toolchain,
    files: await dir.digest(),
    dockerfile,
    // The digest the build uses: the same tag on a newer base is another image (item 16). Only the
    // digest: the same image through another mirror host is the same input.
    base: digestOf(await pinnedBase(ctx, c)),
    // A component's own Dockerfile names its images itself; their tags can move too.
    ...(c.dockerfile !== undefined ? { images: (await ownDockerfileImages(ctx, dockerfile)).map(digestOf) } : {}),
    // Mirrors change where bytes come from, not which bytes (lockfiles pin them): left out on purpose,
    // so moving to another mirror does not rebuild everything.
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
}

/** The images a component's own Dockerfile builds on, each pinned for this run. */
function ownDockerfileImages(ctx: StageContext, dockerfile: string): Promise<string[]> {
  return Promise.all(dockerfileBaseImages(dockerfile).map((image) => pinned(ctx, image)));
}

/** Every image a component's build starts from, pinned (name:tag@sha256:…): its base, and its own Dockerfile's FROM images. */
export async function baseImagesOf(ctx: StageContext, name: string): Promise<string[]> {
  const c = ctx.config.components[name];
  const own = c.dockerfile !== undefined ? await ownDockerfileImages(ctx, await ctx.source.directory(c.path).file(c.dockerfile).contents()) : [];
  return [await pinnedBase(ctx, c), ...own];
}
