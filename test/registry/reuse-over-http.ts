/**
 * The publish stage's reuse against a real registry without an engine: the registry client's own
 * read stands for the engine's resolution of the input tag (`from(…).imageRef()` asks the same
 * registry for the same tag), then tagReused writes the SHA tag as the pipeline does.
 */
import type { RegistryClient } from "../../.dagger/src/registry/client.js";
import { findReusable, tagReused } from "../../.dagger/src/registry/reuse.js";

/** Whether an image was reused, and which manifest the SHA tag now names. */
export type ReuseResult = { reused: true; digest: string } | { reused: false };

/** findReusable with the client's read as the lookup, then tagReused on what it found. */
export async function reuseOverHttp(client: RegistryClient, repository: string, inputTag: string, shaTag: string): Promise<ReuseResult> {
  const found = await findReusable(async (ref) => (await client.manifest(ref))?.digest, repository, inputTag);
  if (!found) return { reused: false };
  return { reused: true, digest: await tagReused({ client, repository, digest: found.slice(found.lastIndexOf("@") + 1), inputTag, shaTag }) };
}
