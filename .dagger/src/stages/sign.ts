/**
 * Signatures and attestations with cosign (issue 15, part 4). publish signs each pushed digest and
 * attaches its attestations (release/attestations.ts); promote verifies them before it writes
 * GitOps, and the signature gate (gates module) judges what cosign answered. cosign runs pinned,
 * pulled through the mirror, with the classic `.sig`/`.att` tags next to the image (what Kyverno
 * and Argo CD's image updater read). The commands are plain functions of their inputs, so the
 * integration test (test/sign/cosign.integration.ts) runs these very commands with a real cosign.
 */
import { type Container, dag, ReturnType, type Secret } from "@dagger.io/dagger";
import { createHash } from "node:crypto";
import type { PipelineConfig, Signing } from "../config/schema.js";
import { InputError } from "../errors.js";
import { mirrorImage } from "../mirror/images.js";
import { ATTESTATIONS, type AttestationKind, VEX_ATTESTATION } from "../release/attestations.js";
import { formatRepository, tryParseImageReferenceStrict } from "../vendor/image-reference.js";

/** cosign's image, pinned (the mirror serves it like every other image). */
export const COSIGN_IMAGE = "gcr.io/projectsigstore/cosign:v2.6.5";

/** Where cosign's inputs are (the container's paths; a test passes its own). */
export interface CosignFiles {
  key: string;
  publicKey: string;
  identityToken: string;
  predicate: string;
  dockerConfig: string;
}

/** Where the cosign container keeps its inputs. */
export const COSIGN_FILES: CosignFiles = {
  key: "/cosign/cosign.key",
  publicKey: "/cosign/cosign.pub",
  identityToken: "/cosign/identity-token",
  predicate: "/cosign/predicate.json",
  dockerConfig: "/cosign/docker",
};

/** registry/name:tag@sha256:… → registry/name@sha256:… (cosign signs the digest; the tag would only be resolved). */
export function byDigest(ref: string): string {
  const image = tryParseImageReferenceStrict(ref);
  if (!image?.digest) throw new InputError(`signing: ${ref} is not an image reference with a sha256 digest`);
  return `${formatRepository(image)}@${image.digest}`;
}

/** What a command needs besides the signing settings. */
export interface CosignTarget {
  /** The image by digest: registry/name@sha256:… (a tag alongside is allowed; the digest is what is signed). */
  image: string;
  /** The registry speaks plain HTTP. */
  plainHttp: boolean;
}

function registryFlags(s: Signing, t: CosignTarget): string[] {
  return [...(t.plainHttp ? ["--allow-http-registry"] : []), ...(s.rekorUrl ? ["--rekor-url", s.rekorUrl] : [])];
}

function signerFlags(s: Signing, f: CosignFiles): string[] {
  if (s.keyless) return ["--identity-token", f.identityToken, ...(s.fulcioUrl ? ["--fulcio-url", s.fulcioUrl] : [])];
  return ["--key", f.key];
}

function verifierFlags(s: Signing, f: CosignFiles): string[] {
  const identity = s.keyless ? ["--certificate-identity", s.keyless.identity, "--certificate-oidc-issuer", s.keyless.issuer] : ["--key", f.publicKey];
  // Without a log, a signature is checked against the key alone (cosign must be told, or it asks Rekor).
  return [...identity, ...(s.transparencyLog ? [] : ["--insecure-ignore-tlog=true"])];
}

/** Sign the digest (the private key's password comes as COSIGN_PASSWORD). */
export function signCommand(s: Signing, t: CosignTarget, f: CosignFiles = COSIGN_FILES): string[] {
  return ["cosign", "sign", "--yes", ...signerFlags(s, f), `--tlog-upload=${s.transparencyLog}`, ...registryFlags(s, t), t.image];
}

/** Attach one attestation (the predicate at COSIGN_FILES.predicate) to the digest. */
export function attestCommand(s: Signing, t: CosignTarget, kind: AttestationKind, f: CosignFiles = COSIGN_FILES): string[] {
  return ["cosign", "attest", "--yes", ...signerFlags(s, f), "--type", kind.cosignType, "--predicate", f.predicate, `--tlog-upload=${s.transparencyLog}`, ...registryFlags(s, t), t.image];
}

/** Verify the digest's signature; stdout is a JSON array of the signed payloads. */
export function verifyCommand(s: Signing, t: CosignTarget, f: CosignFiles = COSIGN_FILES): string[] {
  return ["cosign", "verify", ...verifierFlags(s, f), "--output", "json", ...registryFlags(s, t), t.image];
}

/** Verify the digest's attestations of one type; stdout holds one DSSE envelope per line. */
export function verifyAttestationCommand(s: Signing, t: CosignTarget, kind: AttestationKind, f: CosignFiles = COSIGN_FILES): string[] {
  return ["cosign", "verify-attestation", ...verifierFlags(s, f), "--type", kind.cosignType, ...registryFlags(s, t), t.image];
}

/** Registry credentials for cosign (it reads Docker's config.json). */
export interface RegistryLogin {
  host: string;
  username: string;
  token: Secret;
}

/** The secrets a signing run is given (ci --signing-key, --signing-password, --signing-token). */
export interface SigningSecrets {
  key?: Secret;
  password?: Secret;
  identityToken?: Secret;
}

/** Why publish cannot sign with what it was given ("" when it can). */
export function whyCannotSign(config: PipelineConfig, secrets: SigningSecrets): string {
  const s = config.signing;
  if (!s) return "";
  if (s.keyless && !secrets.identityToken) return "because signing.keyless needs an OIDC identity token (--signing-token)";
  if (s.publicKey && !secrets.key) return "because signing.publicKey needs its private key (--signing-key, and --signing-password when the key has one)";
  return "";
}

/** A cosign container with the registry login; the config.json is a secret (it holds the token). */
async function cosign(config: PipelineConfig, login: RegistryLogin | undefined): Promise<Container> {
  let c = dag.container().from(mirrorImage(COSIGN_IMAGE, config.mirror?.images));
  if (login) {
    const auth = Buffer.from(`${login.username}:${await login.token.plaintext()}`).toString("base64");
    const json = JSON.stringify({ auths: { [login.host]: { auth } } });
    // The secret's name says whose login it is, never the token.
    const name = `cosign-docker-config-${createHash("sha256").update(`${login.host}\n${login.username}\n${json}`).digest("hex").slice(0, 16)}`;
    c = c.withMountedSecret(`${COSIGN_FILES.dockerConfig}/config.json`, dag.setSecret(name, json)).withEnvVariable("DOCKER_CONFIG", COSIGN_FILES.dockerConfig);
  }
  return c;
}

/** One attestation to attach: its kind and predicate JSON. */
export interface Attestation {
  kind: AttestationKind;
  predicate: Record<string, unknown>;
}

/**
 * Sign one pushed digest and attach its attestations, in one container: each call signs once (the
 * time in the environment keeps a cached exec from standing in for this call's signature).
 */
export async function signImage(config: PipelineConfig, target: CosignTarget, attestations: Attestation[], secrets: SigningSecrets, login?: RegistryLogin): Promise<void> {
  const s = config.signing;
  if (!s) throw new Error("signImage: pipeline.yaml has no signing section");
  const why = whyCannotSign(config, secrets);
  if (why) throw new InputError(`signing: cannot sign ${target.image} ${why}`);
  let c = (await cosign(config, login)).withEnvVariable("PIPELINE_SIGNED_AT", new Date().toISOString());
  if (s.keyless) c = c.withMountedSecret(COSIGN_FILES.identityToken, secrets.identityToken as Secret);
  else {
    c = c.withMountedSecret(COSIGN_FILES.key, secrets.key as Secret);
    // cosign asks for the password on a terminal unless COSIGN_PASSWORD is set (empty for a key without one).
    c = secrets.password ? c.withSecretVariable("COSIGN_PASSWORD", secrets.password) : c.withEnvVariable("COSIGN_PASSWORD", "");
  }
  c = c.withExec(signCommand(s, target));
  for (const a of attestations) c = c.withNewFile(COSIGN_FILES.predicate, JSON.stringify(a.predicate)).withExec(attestCommand(s, target, a.kind));
  await c.sync();
}

/** What cosign answered for one image: the input of the gates module's signature gate. */
export interface ImageVerification {
  signature: CosignAnswer;
  attestations: Record<string, CosignAnswer>;
  /** OpenVEX attestations (optional: none is no waiver). */
  vex: CosignAnswer;
}

/** One command's answer. */
export interface CosignAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The attestations promotion requires of every image. */
export const REQUIRED_ATTESTATIONS: AttestationKind[] = Object.values(ATTESTATIONS);

/**
 * Verify one image's signature and attestations (and read its OpenVEX attestations). Each command
 * runs with the time in its environment: a verification is this call's, never an earlier cached one.
 */
export async function verifyImage(config: PipelineConfig, target: CosignTarget, publicKey: string | undefined, login?: RegistryLogin): Promise<ImageVerification> {
  const s = config.signing;
  if (!s) throw new Error("verifyImage: pipeline.yaml has no signing section");
  if (!s.keyless && !publicKey) throw new InputError(`signing.publicKey: ${s.publicKey} could not be read from the repository`);
  let base = (await cosign(config, login)).withEnvVariable("PIPELINE_VERIFIED_AT", new Date().toISOString());
  if (publicKey) base = base.withNewFile(COSIGN_FILES.publicKey, publicKey);
  const run = async (args: string[]): Promise<CosignAnswer> => {
    const done = base.withExec(args, { expect: ReturnType.Any });
    const [exitCode, stdout, stderr] = await Promise.all([done.exitCode(), done.stdout(), done.stderr()]);
    return { exitCode, stdout, stderr };
  };
  const [signature, vex, ...attested] = await Promise.all([run(verifyCommand(s, target)), run(verifyAttestationCommand(s, target, VEX_ATTESTATION)), ...REQUIRED_ATTESTATIONS.map((k) => run(verifyAttestationCommand(s, target, k)))]);
  return { signature, vex, attestations: Object.fromEntries(REQUIRED_ATTESTATIONS.map((k, i) => [k.predicateType, attested[i]])) };
}

/** The signing public key of pipeline.yaml, read from the repository; undefined when signing is keyless or off. */
export async function readPublicKey(config: PipelineConfig, source: { file(path: string): { contents(): Promise<string> } }): Promise<string | undefined> {
  const path = config.signing?.publicKey;
  if (!path) return undefined;
  try {
    return await source.file(path).contents();
  } catch {
    throw new InputError(`signing.publicKey: ${path} is not a file in the repository; commit the cosign public key there (cosign generate-key-pair writes cosign.pub)`);
  }
}

/** Verification of a promoted image by reference, for PromotionRequest.verify; undefined when pipeline.yaml has no signing. */
export function imageVerifier(config: PipelineConfig, publicKey: string | undefined, login?: RegistryLogin): ((ref: string) => Promise<ImageVerification>) | undefined {
  if (!config.signing) return undefined;
  const plainHttp = config.registry.plainHttp ?? false;
  return (ref) => verifyImage(config, { image: byDigest(ref), plainHttp }, publicKey, login);
}
