/**
 * The signature gate: did the pipeline's key (or keyless identity) sign exactly the digest being
 * promoted, and does that digest carry the attestations publish attaches (SBOM, test result,
 * SLSA provenance), each made for that digest? The caller runs cosign (`cosign verify` and
 * `cosign verify-attestation --type …`, which check the signatures and, with their default
 * --check-claims, the claimed digest) and hands over what each command answered; this file judges
 * it again on its own: the signed payload's `docker-manifest-digest` and each in-toto statement's
 * subject must name the promoted digest, and the test result must say PASSED. Fail closed: a
 * command that failed, an answer that cannot be read, or a missing attestation refuses.
 */
import { GateInputError } from "./errors.js";
import { digestOf, shortDigest } from "./identity.js";

/** What one cosign command answered. */
export interface CosignAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Everything cosign answered for one image: its signature and each required attestation by predicate type. */
export interface ImageVerification {
  signature: CosignAnswer;
  attestations: Record<string, CosignAnswer>;
}

/** One image to judge. */
export interface SignedImage {
  component: string;
  /** registry/name:tag@sha256:… */
  image: string;
  verification: ImageVerification;
}

/** The gate's input. */
export interface SignatureGateInput {
  images: SignedImage[];
  /** Predicate types every image must carry. */
  required: string[];
  /** A declared emergency passes the gate and records what it let through. */
  emergency?: { reason: string };
}

/** The gate's verdict. */
export interface SignatureVerdict {
  passed: boolean;
  waivedByEmergency: boolean;
  summary: string;
  details: string[];
  /** Per component: what was proven ("" when it was) or why not. */
  components: Record<string, { verified: boolean; problems: string[] }>;
}

/** The in-toto test-result predicate type: its `result` must be PASSED. */
export const TEST_RESULT = "https://in-toto.io/attestation/test-result/v0.1";

/** Judge every image; each problem is named with its component and digest. */
export function signatureGate(input: SignatureGateInput): SignatureVerdict {
  const components: SignatureVerdict["components"] = {};
  for (const img of input.images) {
    const digest = digestOf(img.image);
    if (!digest) throw new GateInputError(`images: ${img.component}=${img.image} has no sha256 digest; only digests are signed`);
    const problems = [signatureProblem(img.verification.signature, digest), ...input.required.map((t) => attestationProblem(img.verification.attestations[t], t, digest))].filter(
      (p): p is string => p !== undefined,
    );
    components[img.component] = { verified: problems.length === 0, problems };
  }
  const refused = Object.entries(components).filter(([, c]) => !c.verified);
  const details = refused.flatMap(([name, c]) => c.problems.map((p) => `${name} ${shortDigest(digestOf(input.images.find((i) => i.component === name)?.image ?? "") ?? "")}: ${p}`));
  const n = input.images.length;
  if (refused.length === 0)
    return {
      passed: true,
      waivedByEmergency: false,
      summary: `${n} image${n === 1 ? "" : "s"} signed, with ${input.required.length} attestation(s) each for the promoted digest`,
      details: [],
      components,
    };
  const names = refused.map(([name]) => name).join(", ");
  if (input.emergency) return { passed: true, waivedByEmergency: true, summary: `not verified: ${names}; waived by the emergency (${input.emergency.reason})`, details, components };
  return { passed: false, waivedByEmergency: false, summary: `not verified: ${names}`, details, components };
}

/** The last meaningful line cosign wrote to stderr (its error), for messages. */
function cosignError(a: CosignAnswer): string {
  const lines = a.stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^WARNING/i.test(l));
  return lines.at(-1) ?? `exit code ${a.exitCode}`;
}

/** `cosign verify` output: a JSON array of simple-signing payloads, each naming the signed digest. */
function signatureProblem(answer: CosignAnswer | undefined, digest: string): string | undefined {
  if (!answer) return "the signature was not checked";
  if (answer.exitCode !== 0) return `no valid signature: ${cosignError(answer)}`;
  let payloads: unknown;
  try {
    payloads = JSON.parse(answer.stdout);
  } catch {
    return "cosign verify's answer is not JSON";
  }
  if (!Array.isArray(payloads) || payloads.length === 0) return "cosign verify answered no signature";
  const signed = payloads.map((p) => (p as { critical?: { image?: Record<string, unknown> } })?.critical?.image?.["docker-manifest-digest"]);
  return signed.includes(digest) ? undefined : `the signature is for another digest (${signed.map(String).join(", ")})`;
}

/** An in-toto statement as cosign's DSSE envelope carries it (base64 payload). */
interface Statement {
  predicateType?: unknown;
  subject?: { digest?: { sha256?: unknown } }[];
  predicate?: Record<string, unknown>;
}

/** `cosign verify-attestation` output: one DSSE envelope per line; some must be of the type, for this digest. */
function attestationProblem(answer: CosignAnswer | undefined, type: string, digest: string): string | undefined {
  if (!answer) return `the ${type} attestation was not checked`;
  if (answer.exitCode !== 0) return `no verified ${type} attestation: ${cosignError(answer)}`;
  const statements: Statement[] = [];
  for (const line of answer.stdout.split("\n").filter((l) => l.trim() !== "")) {
    try {
      const envelope = JSON.parse(line) as { payload?: unknown };
      if (typeof envelope.payload !== "string") return `a ${type} attestation has no payload`;
      statements.push(JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as Statement);
    } catch {
      return `a ${type} attestation cannot be read (not a DSSE envelope of an in-toto statement)`;
    }
  }
  const ofType = statements.filter((s) => s.predicateType === type);
  if (ofType.length === 0) return `no ${type} attestation`;
  const hex = digest.slice("sha256:".length);
  const forDigest = ofType.filter((s) => Array.isArray(s.subject) && s.subject.some((sub) => sub?.digest?.sha256 === hex));
  if (forDigest.length === 0)
    return `the ${type} attestation was made for another digest (${ofType.flatMap((s) => (s.subject ?? []).map((sub) => `sha256:${String(sub?.digest?.sha256 ?? "?")}`)).join(", ")})`;
  if (type === TEST_RESULT && !forDigest.some((s) => s.predicate?.result === "PASSED"))
    return `the test result attested for this digest is not PASSED (${forDigest.map((s) => String(s.predicate?.result)).join(", ")})`;
  return undefined;
}
