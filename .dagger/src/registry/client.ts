/**
 * A small OCI distribution client for what the pipeline asks of a registry: does an image
 * exist, what is its manifest, and put another tag on that same manifest — no layers pulled
 * or pushed. Built on fetch only (the Dagger runtime's Node has it); one client per registry.
 */
import { sha256Digest } from "./digest.js";
import { describeFailure, RegistryError } from "./errors.js";
import { formatReference, type ImageReference, parseReference, validateRegistry, validateTag } from "./reference.js";
import { type RegistryRequest, Transport, type TransportOptions } from "./transport.js";
import { InputError } from "../errors.js";

/** Manifest media types we accept: OCI index and manifest, Docker v2 manifest list and manifest. */
export const MANIFEST_MEDIA_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
] as const;

/** Largest manifest a registry must accept (OCI distribution spec: 4 MiB). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** A manifest exactly as the registry stores it: its digest, media type and bytes. */
export interface Manifest {
  digest: string;
  mediaType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** Options of a RegistryClient: the registry, credentials, http/https, fetch (see TransportOptions). */
export type RegistryClientOptions = TransportOptions;

/** Reads and tags manifests on one registry through the OCI distribution API. */
export class RegistryClient {
  /** The registry address (`host[:port]`) every reference must name. */
  readonly registry: string;
  readonly #transport: Transport;

  constructor(options: RegistryClientOptions) {
    this.registry = validateRegistry(options.registry);
    this.#transport = new Transport(options);
  }

  /** The manifest a reference (tag or digest) points to, or undefined when the registry has none (404). */
  async manifest(ref: string | ImageReference): Promise<Manifest | undefined> {
    const image = this.#resolve(ref);
    const request = this.#request("GET", image, "pull", { Accept: MANIFEST_MEDIA_TYPES.join(", ") });
    const response = await this.#transport.send(request);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200) return this.#transport.fail(request, response);
    const bytes = await response.arrayBuffer().then(
      (buffer) => new Uint8Array(buffer),
      (error: unknown) => {
        throw this.#transport.error(request, `the answer broke off (${describeFailure(error)})`);
      },
    );
    if (bytes.length > MAX_MANIFEST_BYTES) throw this.#transport.error(request, `the manifest is ${bytes.length} bytes; a manifest is at most ${MAX_MANIFEST_BYTES}`);
    const digest = sha256Digest(bytes);
    const stated = response.headers.get("docker-content-digest");
    if (stated !== null && stated !== digest) throw this.#transport.error(request, `Docker-Content-Digest says ${stated} but the manifest bytes hash to ${digest}`);
    if (image.digest !== undefined && image.digest !== digest) throw this.#transport.error(request, `asked for ${image.digest} but the manifest bytes hash to ${digest}`);
    const mediaType = response.headers.get("content-type")?.trim() || mediaTypeField(bytes);
    if (!mediaType) throw this.#transport.error(request, "the answer has no Content-Type and the manifest no mediaType; cannot tag it faithfully");
    return { digest, mediaType, bytes };
  }

  /** Whether a reference (tag or digest) exists, with a HEAD request. */
  async exists(ref: string | ImageReference): Promise<boolean> {
    const image = this.#resolve(ref);
    const request = this.#request("HEAD", image, "pull", { Accept: MANIFEST_MEDIA_TYPES.join(", ") });
    const response = await this.#transport.send(request);
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    return this.#transport.fail(request, response);
  }

  /** Put `newTag` on the manifest `ref` (a tag or digest) points to, by PUTting the same bytes; returns the digest, unchanged. */
  async tag(ref: string | ImageReference, newTag: string): Promise<string> {
    const image = this.#resolve(ref);
    validateTag(newTag);
    const manifest = await this.manifest(image);
    if (!manifest) throw new RegistryError(`registry ${this.registry}: cannot tag ${formatReference(image)} as ${newTag}: ${formatReference(image)} does not exist`, 404);
    return this.putManifest({ registry: image.registry, repository: image.repository, tag: newTag }, manifest);
  }

  /** PUT a manifest's exact bytes and media type under a tag; returns its digest after checking the registry kept it. */
  async putManifest(ref: string | ImageReference, manifest: Manifest): Promise<string> {
    const image = this.#resolve(ref);
    if (image.tag === undefined || image.digest !== undefined) throw new InputError(`image reference "${formatReference(image)}": to put a manifest, name a tag and no digest`);
    const request = this.#request("PUT", image, "pull,push", { "Content-Type": manifest.mediaType }, manifest.bytes);
    const response = await this.#transport.send(request);
    if (response.status !== 201 && response.status !== 200) return this.#transport.fail(request, response);
    await response.body?.cancel();
    const stored = response.headers.get("docker-content-digest") ?? (await this.manifest(image))?.digest;
    if (stored !== manifest.digest)
      throw this.#transport.error(request, `the registry stored ${stored ?? "nothing"} instead of ${manifest.digest}; the tag ${image.tag} may now point to a different manifest`);
    return stored;
  }

  #resolve(ref: string | ImageReference): ImageReference {
    const image = typeof ref === "string" ? parseReference(ref) : parseReference(formatReference(ref));
    const text = formatReference(image);
    if (image.registry.toLowerCase() !== this.registry.toLowerCase()) throw new InputError(`image reference "${text}": is on registry ${image.registry}, but this client talks to ${this.registry}`);
    if (image.tag === undefined && image.digest === undefined) throw new InputError(`image reference "${text}": names no tag or digest; expected …:<tag> or …@sha256:<digest>`);
    return image;
  }

  #request(method: RegistryRequest["method"], image: ImageReference, actions: string, headers: Record<string, string>, body?: Uint8Array<ArrayBuffer>): RegistryRequest {
    const reference = image.digest ?? image.tag;
    return { method, path: `/v2/${image.repository}/manifests/${reference}`, scope: `repository:${image.repository}:${actions}`, headers, body };
  }
}

/** The mediaType field of a manifest's JSON, when it has one. */
function mediaTypeField(bytes: Uint8Array<ArrayBuffer>): string | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: unknown };
    return typeof parsed.mediaType === "string" ? parsed.mediaType : undefined;
  } catch {
    return undefined;
  }
}
