/** Names, tags and test credentials shared by the fixture recorder, the fixture tests and the integration test. */
import { createHash } from "node:crypto";

/** The input hash of the example backend (any 64 hex would do; this one is the SHA-256 of a description of its inputs). */
export const INPUT_HASH = createHash("sha256").update("examples/webshop/backend: package-lock.json, src/**, Dockerfile").digest("hex");
/** `in-<INPUT_HASH>`: the tag the image was published under. */
export const INPUT_TAG = `in-${INPUT_HASH}`;
/** An input tag nothing was published under. */
export const MISSING_INPUT_TAG = `in-${"0".repeat(64)}`;
/** Git SHA of a first commit (full 40 hex, as the pipeline tags). */
export const SHA_1 = "3f2c9a1e5b7d4c6f8a0b2d4e6f8091a3b5c7d9e1";
/** Git SHA of a second commit. */
export const SHA_2 = "9b8e7d6c5b4a39281706f5e4d3c2b1a098765432";
/** Git SHA of a third commit. */
export const SHA_3 = "0123456789abcdef0123456789abcdef01234567";
/** The image repository. */
export const REPOSITORY = "shop/backend";
/** A repository nobody pushed to. */
export const MISSING_REPOSITORY = "shop/nothing";
/** A repository holding a Docker v2 (not OCI) manifest. */
export const LEGACY_REPOSITORY = "shop/legacy";
/** The user of the authenticated test registries. */
export const USERNAME = "ci-publisher";
/** Its password (token); test-only, it protects nothing but throwaway registries. */
export const PASSWORD = "pw-7Hq2-fixture-only";
/** What a typo sends. */
export const WRONG_PASSWORD = "pw-wrong-9Xk4-fixture-only";
