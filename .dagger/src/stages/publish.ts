/** The publish stage: push each image tagged with the git SHA, and keep the digest the registry answers. */
import type { Container, Secret } from "@dagger.io/dagger";
import { InputError } from "../errors.js";
import type { StageContext } from "./context.js";

/** Where each component's image went: address:sha@sha256:digest. */
export type Published = Record<string, string>;

/** The registry host of an address (registry.example.com:5000/acme/shop → registry.example.com:5000). */
export function registryHost(address: string): string {
  return address.split("/")[0];
}

/** Push every image as <registry>/<component>:<revision>; the addresses returned carry the digests. */
export async function publishImages(ctx: StageContext, images: Record<string, Promise<Container>>, revision: string, token?: Secret): Promise<Published> {
  const { address, username } = ctx.config.registry;
  if (token && !username) throw new InputError("registry.username: is required in pipeline.yaml when a registry token is given");
  const entries = await Promise.all(
    Object.entries(images).map(async ([name, image]) => {
      const ctr = token && username ? (await image).withRegistryAuth(registryHost(address), username, token) : await image;
      return [name, await ctr.publish(`${address}/${name}:${revision}`)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** One line per image, for summaries and the publish function's answer. */
export function renderImages(published: Published): string {
  return `${Object.entries(published)
    .map(([name, ref]) => `${name}\t${ref}`)
    .join("\n")}\n`;
}
