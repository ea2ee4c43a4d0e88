/**
 * The publish stage: each component's image tagged with the git SHA, reusing the published
 * image when its build inputs are unchanged (asking the registry, so it works on any runner).
 */
import { type Container, dag, type Secret } from "@dagger.io/dagger";
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

/** Where one component goes, and how. */
export interface PublishTarget {
  ctx: StageContext;
  client: RegistryClient;
  /** The git SHA the image is tagged with. */
  revision: string;
  token?: Secret;
}

/**
 * Publish one component as <registry>/<component>:<revision>, tagged in-<input hash> for the next
 * run; a reused image (`reused`: the published reference of the same inputs) is never pushed: the
 * SHA tag goes on exactly the digest that was pulled, tested and scanned. Its reference with digest.
 */
export async function publishComponent(t: PublishTarget, name: string, image: Container, inputTag: string, reused?: string): Promise<string> {
  const { address, username } = t.ctx.config.registry;
  const repository = `${address}/${name}`;
  if (reused) {
    // The digest that was pulled, tested and scanned gets the SHA tag, not whatever the input tag names now.
    const digest = await tagReused({ client: t.client, repository, digest: digestOf(reused), inputTag, shaTag: t.revision });
    return `${repository}:${t.revision}@${digest}`;
  }
  const ref = await (t.token && username ? image.withRegistryAuth(registryHost(address), username, t.token) : image).publish(`${repository}:${t.revision}`);
  await t.client.tag(`${repository}@${digestOf(ref)}`, inputTag);
  return ref;
}

/**
 * Publish every component (the `publish` function): a component whose input hash is already
 * published (the engine resolves the input tag) is reused, the others are built and pushed.
 * `signed` runs after each push (signatures and attestations when pipeline.yaml has signing).
 */
export async function publishImages(
  ctx: StageContext,
  names: string[],
  build: (name: string) => Promise<Container>,
  revision: string,
  lookup: ImageLookup,
  token?: Secret,
  signed: (name: string, ref: string, reused: boolean) => Promise<void> = async () => {},
): Promise<Published> {
  const target: PublishTarget = { ctx, client: await registryClient(ctx.config, token), revision, ...(token ? { token } : {}) };
  const entries = await Promise.all(
    names.map(async (name) => {
      const tag = inputTag(await inputHash(ctx, name));
      const found = await findReusable(lookup, `${ctx.config.registry.address}/${name}`, tag);
      const ref = found ? await publishComponent(target, name, dag.container(), tag, found) : await publishComponent(target, name, await build(name), tag);
      await signed(name, ref, found !== undefined);
      return [name, { ref, reused: found !== undefined }] as const;
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
