/**
 * Image references resolved by the engine, not by HTTP from inside our module's container: the
 * engine's registry mirrors, custom CAs and plain-HTTP settings then apply (issue 14, item 14).
 *
 * `Container.from(address)` resolves a tag to a digest once per session and `imageRef` answers
 * the canonical `name:tag@sha256:…` (dagger/dagger v0.21.8 core/schema/container.go: `from`,
 * whose cache key takes the session for tag-only references, and `imageRef`); a reference the
 * registry does not have fails there.
 */
import { dag, type Secret } from "@dagger.io/dagger";
import type { ImageLookup } from "../registry/reuse.js";
import { digestOf } from "../registry/reference.js";

/** Registry credentials for the engine (withRegistryAuth): the registry host, its user and token. */
export interface RegistryLogin {
  registry: string;
  username: string;
  token: Secret;
}

/**
 * An ImageLookup on the engine, logged in where a login is given. Any failure to resolve counts
 * as "not there": the caller builds instead of reusing, and a registry that really cannot be
 * reached fails later, at the push, with the engine's own error.
 */
export function engineImageLookup(login?: RegistryLogin): ImageLookup {
  return (reference) =>
    (login ? dag.container().withRegistryAuth(login.registry, login.username, login.token) : dag.container())
      .from(reference)
      .imageRef()
      .then(digestOf, () => undefined);
}

/**
 * The reference pinned to the digest its tag names now (`name:tag@sha256:…`, as the engine
 * writes it), so that what is hashed and what is built are the same image; a failure to
 * resolve is the engine's error (a base image that cannot be pulled cannot be built on either).
 */
export function pinImage(reference: string): Promise<string> {
  return dag.container().from(reference).imageRef();
}
