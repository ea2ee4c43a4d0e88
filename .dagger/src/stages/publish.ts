/**
 * The publish stage: each component's image tagged with the git SHA, reusing the published
 * image when its build inputs are unchanged (asking the registry, so it works on any runner).
 */
import type { Container, Secret } from "@dagger.io/dagger";
import { InputError } from "../errors.js";
import { RegistryClient } from "../registry/client.js";
import { findReusable, type ImageLookup, tagReused } from "../registry/reuse.js";
import type { PipelineConfig } from "../config/schema.js";
import { inputTag } from "../registry/tags.js";
import type { StageContext } from "./context.js";
import { inputHash } from "./inputs.js";
import { digestOf } from "../registry/reference.js";

/** Where a component's image went (address:sha@sha256:digest), and whether it was reused rather than built. */
export interface PublishedImage {
  ref: string;
  reused: boolean;
}
/** Published images by component. */
export type Published = Record<string, PublishedImage>;

/** The registry host of an address (registry.example.com:5000/acme/shop → registry.example.com:5000). */
export function registryHost(address: string): string {
  return address.split("/")[0];
}

/**
 * The client for the run's registry (pipeline.yaml registry): its user with the token, plain HTTP
 * where registry.plainHttp says so (as the engine's engine.toml `http = true` does for its pulls);
 * `fetch` is for tests.
 */
export async function registryClient(config: PipelineConfig, token?: Secret, fetch?: typeof globalThis.fetch): Promise<RegistryClient> {
  const { address, username, plainHttp } = config.registry;
  if (token && !username) throw new InputError("registry.username: is required in pipeline.yaml when a registry token is given");
  const credentials = token && username ? { username, password: await token.plaintext() } : undefined;
  return new RegistryClient({ registry: registryHost(address), ...(credentials ? { credentials } : {}), ...(plainHttp !== undefined ? { plainHttp } : {}), ...(fetch ? { fetch } : {}) });
}

/**
 * Publish every component as <registry>/<component>:<revision>. A component whose input hash is
 * already published (the engine resolves the input tag) gets the SHA tag on that manifest and is
 * never built; the others are built, pushed, and tagged in-<input hash> for the next run.
 */
export async function publishImages(ctx: StageContext, names: string[], build: (name: string) => Promise<Container>, revision: string, lookup: ImageLookup, token?: Secret): Promise<Published> {
  const { address, username } = ctx.config.registry;
  const client = await registryClient(ctx.config, token);
  const entries = await Promise.all(
    names.map(async (name) => {
      const repository = `${address}/${name}`;
      const tag = inputTag(await inputHash(ctx, name));
      const found = await findReusable(lookup, repository, tag);
      if (found) {
        const digest = await tagReused({ client, repository, digest: digestOf(found), inputTag: tag, shaTag: revision });
        return [name, { ref: `${repository}:${revision}@${digest}`, reused: true }] as const;
      }
      const image = await build(name);
      const ref = await (token && username ? image.withRegistryAuth(registryHost(address), username, token) : image).publish(`${repository}:${revision}`);
      await client.tag(`${repository}@${digestOf(ref)}`, tag);
      return [name, { ref, reused: false }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** One line per image, for summaries and the publish function's answer. */
export function renderImages(published: Published): string {
  return `${Object.entries(published)
    .map(([name, p]) => `${name}\t${p.ref}\t${p.reused ? "reused (inputs unchanged)" : "built"}`)
    .join("\n")}\n`;
}
