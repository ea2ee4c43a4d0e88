/**
 * Engine rule (h): `Container.from(address)` resolves a tag to a digest once per session, and
 * `imageRef` answers the canonical reference, Dagger v0.21.9 (see source.ts).
 *
 * Read in dagger/dagger core/schema/container.go:
 * - the cache-key resolver of `from`: `reference.ParseNormalizedNamed(address)`, then
 *   `TagNameOnly`; a canonical (digest) reference gets no session input ("Digest-addressed refs
 *   are immutable"), a tag-only one gets the session ID ("Tag-only refs are mutable; resolve once
 *   per session").
 * - `(*containerSchema).from`: a tag is resolved with `ResolveImageConfig` through the engine's
 *   registry resolver (its mirrors, CAs, plain-HTTP hosts and credentials) and the call is made
 *   again with `reference.WithDigest`; a reference the registry does not have fails there
 *   ("failed to resolve image …").
 * - `imageRef` → core/container.go `ImageRefOrErr`: the `refName.String()` set by `from`, i.e.
 *   `docker.io/library/node:22@sha256:…` for `node:22` (Docker Hub names normalised).
 *
 * Behaviour: within one session the same tag always gives the same digest, even when it has
 * moved meanwhile; a new session sees where the tag points now.
 */

/** Where a reference points now (a registry's answer): its digest, or undefined when there is no such image. */
export type Registries = (address: string) => string | undefined;

/** A wrong model for the mutant test: "every from asks the registry again". */
export type ImageResolutionMutant = "uncached";

/** `name:tag` normalised as distribution/reference's ParseNormalizedNamed + TagNameOnly do. */
export function normalizeReference(address: string): string {
  const at = address.indexOf("@");
  const name = at < 0 ? address : address.slice(0, at);
  const digest = at < 0 ? "" : address.slice(at);
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const hasHost = first.includes(".") || first.includes(":") || first === "localhost";
  let full = hasHost ? name : `docker.io/${name.includes("/") ? name : `library/${name}`}`;
  const lastPart = full.slice(full.lastIndexOf("/") + 1);
  if (!lastPart.includes(":") && digest === "") full = `${full}:latest`;
  return `${full}${digest}`;
}

/** The engine's resolution of image references, per session. */
export class ImageResolution {
  readonly #resolved = new Map<string, string>();
  /** Registry lookups made (cache misses). */
  lookups = 0;

  constructor(
    private readonly registries: Registries,
    private readonly mutant?: ImageResolutionMutant,
  ) {}

  /** What `from(address).imageRef()` answers in a session; throws as the engine does when the image is missing. */
  imageRef(sessionId: string, address: string): string {
    const ref = normalizeReference(address);
    if (ref.includes("@")) return ref;
    const key = JSON.stringify([sessionId, ref]);
    let digest = this.mutant === "uncached" ? undefined : this.#resolved.get(key);
    if (!digest) {
      this.lookups++;
      digest = this.registries(ref);
      if (!digest) throw new Error(`failed to resolve image "${ref}" (platform: "linux/amd64"): ${ref}: not found`);
      this.#resolved.set(key, digest);
    }
    return `${ref}@${digest}`;
  }
}
