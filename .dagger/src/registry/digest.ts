/** Content digests as registries compute them: `sha256:` and the hex SHA-256 of the exact bytes. */
import { createHash } from "node:crypto";

/** The OCI digest of some bytes, e.g. sha256:2c26b46b…. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
