/**
 * Signatures and attestations with cosign (issue 15, part 4). publish signs each pushed digest and
 * attaches its attestations (release/attestations.ts); promote verifies them before it writes
 * GitOps, and the signature gate (gates module) judges what cosign answered. cosign runs pinned,
 * pulled through the mirror, with the classic `.sig`/`.att` tags next to the image (what Kyverno
 * and Argo CD's image updater read). The commands are plain functions of their inputs, so the
 * integration test (test/sign/cosign.integration.ts) runs these very commands with a real cosign.
 */
import { type Container, dag, ReturnType, type Secret } from "@dagger.io/dagger";
import { randomUUID } from "node:crypto";
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
  trustedRoot: string;
}

/** Where the cosign container keeps its inputs. */
export const COSIGN_FILES: CosignFiles = {
  key: "/cosign/cosign.key",
  publicKey: "/cosign/cosign.pub",
  identityToken: "/cosign/identity-token",
  predicate: "/cosign/predicate.json",
  dockerConfig: "/cosign/docker",
  trustedRoot: "/cosign/trusted-root.json",
};

/**
 * The user cosign's image runs as (ko builds it on distroless static :nonroot). Secrets are mounted
 * for it: without an owner the engine mounts them as root's, mode 0400 (core/container_exec.go,
 * execSecretMountInstance), and cosign could not read its key.
 */
const COSIGN_USER = "65532:65532";

/** Where keyless signing gets its OIDC identity: a token given to the call, or GitHub Actions' token endpoint (fresh when cosign signs). */
export type KeylessIdentity = "token" | "github-actions";

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
  /** Keyless signing: where the identity comes from (default: the token file). */
  identity?: KeylessIdentity;
  /** Verification: a trusted root for a private Sigstore (signing.trustedRoot) is mounted. */
  trustedRoot?: boolean;
}

function registryFlags(s: Signing, t: CosignTarget): string[] {
  return [...(t.plainHttp ? ["--allow-http-registry"] : []), ...(s.rekorUrl ? ["--rekor-url", s.rekorUrl] : [])];
}

function signerFlags(s: Signing, t: CosignTarget, f: CosignFiles): string[] {
  if (!s.keyless) return ["--key", f.key];
  // GitHub's tokens live minutes: cosign asks the runner's endpoint itself when it signs, after the build and tests.
  const identity = t.identity === "github-actions" ? ["--oidc-provider", "github-actions"] : ["--identity-token", f.identityToken];
  return [...identity, ...(s.fulcioUrl ? ["--fulcio-url", s.fulcioUrl] : [])];
}

function verifierFlags(s: Signing, t: CosignTarget, f: CosignFiles): string[] {
  const identity = s.keyless ? ["--certificate-identity", s.keyless.identity, "--certificate-oidc-issuer", s.keyless.issuer] : ["--key", f.publicKey];
  // Without a log, a signature is checked against the key alone (cosign must be told, or it asks Rekor).
  return [...identity, ...(s.transparencyLog ? [] : ["--insecure-ignore-tlog=true"]), ...(t.trustedRoot ? ["--trusted-root", f.trustedRoot] : [])];
}

/** Sign the digest (the private key's password comes as COSIGN_PASSWORD). */
export function signCommand(s: Signing, t: CosignTarget, f: CosignFiles = COSIGN_FILES): string[] {
  return ["cosign", "sign", "--yes", ...signerFlags(s, t, f), `--tlog-upload=${s.transparencyLog}`, ...registryFlags(s, t), t.image];
}

/**
 * Attach one attestation (the predicate at COSIGN_FILES.predicate) to the digest, replacing the
 * earlier one of that type: a digest reused by many runs keeps one of each, and a newer test
 * result is never hidden behind an older one.
 */
export function attestCommand(s: Signing, t: CosignTarget, kind: AttestationKind, f: CosignFiles = COSIGN_FILES): string[] {
  return [
    "cosign",
    "attest",
    "--yes",
    "--replace",
    ...signerFlags(s, t, f),
    "--type",
    kind.cosignType,
    "--predicate",
    f.predicate,
    `--tlog-upload=${s.transparencyLog}`,
    ...registryFlags(s, t),
    t.image,
  ];
}

/** Verify the digest's signature; stdout is a JSON array of the signed payloads. */
export function verifyCommand(s: Signing, t: CosignTarget, f: CosignFiles = COSIGN_FILES): string[] {
  return ["cosign", "verify", ...verifierFlags(s, t, f), "--output", "json", ...registryFlags(s, t), t.image];
}

/** Verify the digest's attestations of one type; stdout holds one DSSE envelope per line. */
export function verifyAttestationCommand(s: Signing, t: CosignTarget, kind: AttestationKind, f: CosignFiles = COSIGN_FILES): string[] {
  return ["cosign", "verify-attestation", ...verifierFlags(s, t, f), "--type", kind.cosignType, ...registryFlags(s, t), t.image];
}

/** Registry credentials for cosign (it reads Docker's config.json). */
export interface RegistryLogin {
  host: string;
  username: string;
  token: Secret;
}

/** The secrets a signing run is given (ci --signing-key, --signing-password, --signing-token, --github-oidc-url, --github-oidc-token). */
export interface SigningSecrets {
  key?: Secret;
  password?: Secret;
  identityToken?: Secret;
  /** GitHub Actions' token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN): cosign gets a fresh token when it signs. */
  githubOidc?: { url: Secret; token: Secret };
}

/** Why publish cannot sign with what it was given ("" when it can). */
export function whyCannotSign(config: PipelineConfig, secrets: SigningSecrets): string {
  const s = config.signing;
  if (!s) return "";
  if (s.keyless && !secrets.identityToken && !secrets.githubOidc)
    return "because signing.keyless needs an OIDC identity: GitHub Actions' token endpoint (--github-oidc-url and --github-oidc-token) or a token (--signing-token)";
  if (s.publicKey && !secrets.key) return "because signing.publicKey needs its private key (--signing-key, and --signing-password when the key has one)";
  return "";
}

/** Docker's config.json key for a registry host: Docker Hub's logins are filed under its v1 index URL. */
function dockerConfigKey(host: string): string {
  return host === "docker.io" || host === "index.docker.io" ? "https://index.docker.io/v1/" : host;
}

/** A cosign container with the registry login; the config.json is a secret (it holds the token). */
async function cosign(config: PipelineConfig, login: RegistryLogin | undefined): Promise<Container> {
  let c = dag.container().from(mirrorImage(COSIGN_IMAGE, config.mirror?.images));
  if (login) {
    const auth = Buffer.from(`${login.username}:${await login.token.plaintext()}`).toString("base64");
    const json = JSON.stringify({ auths: { [dockerConfigKey(login.host)]: { auth } } });
    // A random name: a name derived from the content would let anyone who sees traces test a guessed token.
    c = c
      .withMountedSecret(`${COSIGN_FILES.dockerConfig}/config.json`, dag.setSecret(`cosign-docker-config-${randomUUID()}`, json), { owner: COSIGN_USER })
      .withEnvVariable("DOCKER_CONFIG", COSIGN_FILES.dockerConfig);
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
  let signer: CosignTarget = target;
  if (s.keyless && secrets.githubOidc) {
    c = c.withSecretVariable("ACTIONS_ID_TOKEN_REQUEST_URL", secrets.githubOidc.url).withSecretVariable("ACTIONS_ID_TOKEN_REQUEST_TOKEN", secrets.githubOidc.token);
    signer = { ...target, identity: "github-actions" };
  } else if (s.keyless) c = c.withMountedSecret(COSIGN_FILES.identityToken, secrets.identityToken as Secret, { owner: COSIGN_USER });
  else {
    c = c.withMountedSecret(COSIGN_FILES.key, secrets.key as Secret, { owner: COSIGN_USER });
    // cosign asks for the password on a terminal unless COSIGN_PASSWORD is set (empty for a key without one).
    c = secrets.password ? c.withSecretVariable("COSIGN_PASSWORD", secrets.password) : c.withEnvVariable("COSIGN_PASSWORD", "");
  }
  c = c.withExec(signCommand(s, signer));
  for (const a of attestations) c = c.withNewFile(COSIGN_FILES.predicate, JSON.stringify(a.predicate)).withExec(attestCommand(s, signer, a.kind));
  await c.sync().catch((e: Error & { stderr?: string }) => {
    // The engine scrubs the exec's secrets from its output; cosign's own error is the useful line.
    const why =
      (e.stderr ?? "")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !/^WARNING/i.test(l))
        .at(-1) ?? e.message.split("\n")[0];
    throw new Error(`cosign: signing ${target.image} failed: ${why}`);
  });
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
export async function verifyImage(config: PipelineConfig, target: CosignTarget, trust: SigningTrust, login?: RegistryLogin): Promise<ImageVerification> {
  const s = config.signing;
  if (!s) throw new Error("verifyImage: pipeline.yaml has no signing section");
  if (!s.keyless && !trust.publicKey) throw new InputError(`signing.publicKey: ${s.publicKey} could not be read from the repository`);
  let base = (await cosign(config, login)).withEnvVariable("PIPELINE_VERIFIED_AT", new Date().toISOString());
  if (trust.publicKey) base = base.withNewFile(COSIGN_FILES.publicKey, trust.publicKey);
  if (trust.trustedRoot) {
    base = base.withNewFile(COSIGN_FILES.trustedRoot, trust.trustedRoot);
    target = { ...target, trustedRoot: true };
  }
  const run = async (args: string[]): Promise<CosignAnswer> => {
    const done = base.withExec(args, { expect: ReturnType.Any });
    const [exitCode, stdout, stderr] = await Promise.all([done.exitCode(), done.stdout(), done.stderr()]);
    return { exitCode, stdout, stderr };
  };
  const [signature, vex, ...attested] = await Promise.all([
    run(verifyCommand(s, target)),
    run(verifyAttestationCommand(s, target, VEX_ATTESTATION)),
    ...REQUIRED_ATTESTATIONS.map((k) => run(verifyAttestationCommand(s, target, k))),
  ]);
  return { signature, vex, attestations: Object.fromEntries(REQUIRED_ATTESTATIONS.map((k, i) => [k.predicateType, attested[i]])) };
}

/** What verification trusts, read from the repository: the public key (key pairs) and a private Sigstore's trusted root. */
export interface SigningTrust {
  publicKey?: string;
  trustedRoot?: string;
}

/** The files pipeline.yaml's signing names, read from the repository; a missing one is an error naming it. */
export async function readSigningTrust(config: PipelineConfig, source: { file(path: string): { contents(): Promise<string> } }): Promise<SigningTrust> {
  const s = config.signing;
  const read = async (key: string, path: string | undefined, hint: string) => {
    if (!path) return undefined;
    try {
      return await source.file(path).contents();
    } catch {
      throw new InputError(`signing.${key}: ${path} does not exist in the application repository; ${hint}`);
    }
  };
  const publicKey = await read("publicKey", s?.publicKey, "commit the cosign public key there (cosign generate-key-pair writes cosign.pub)");
  const trustedRoot = await read("trustedRoot", s?.trustedRoot, "commit your Sigstore's trusted_root.json there");
  return { ...(publicKey ? { publicKey } : {}), ...(trustedRoot ? { trustedRoot } : {}) };
}

/** Verification of a promoted image by reference, for PromotionRequest.verify; undefined when pipeline.yaml has no signing. */
export function imageVerifier(config: PipelineConfig, trust: SigningTrust, login?: RegistryLogin): ((ref: string) => Promise<ImageVerification>) | undefined {
  if (!config.signing) return undefined;
  const plainHttp = config.registry.plainHttp ?? false;
  return (ref) => verifyImage(config, { image: byDigest(ref), plainHttp }, trust, login);
}

/** The predicates of one verify-attestation answer whose in-toto statement names this digest (cosign verified their signatures). */
export function attestedPredicates(answer: CosignAnswer | undefined, digest: string): unknown[] {
  if (answer?.exitCode !== 0) return [];
  const hex = digest.slice("sha256:".length);
  return answer.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .flatMap((line) => {
      try {
        const statement = JSON.parse(Buffer.from((JSON.parse(line) as { payload: string }).payload, "base64").toString("utf8")) as {
          subject?: { digest?: { sha256?: string } }[];
          predicate?: unknown;
        };
        return statement.subject?.some((s) => s.digest?.sha256 === hex) ? [statement.predicate] : [];
      } catch {
        return [];
      }
    });
}
