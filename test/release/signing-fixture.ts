/** A signing key for the admission tests, made fresh per run. */
import { generateKeyPairSync } from "node:crypto";

/** A cosign-style public key (ECDSA P-256, SPKI PEM, as cosign generate-key-pair writes cosign.pub). */
export const PUBLIC_KEY = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
