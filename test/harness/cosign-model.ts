/**
 * A model of cosign for the harness (cosign does not run in it): the signing container's execs
 * record signatures and attestations by digest and signing key, as cosign pushes them next to the
 * image; the verify commands are answered from those records in cosign's own output shapes (a JSON
 * array of signed payloads; one DSSE envelope of an in-toto statement per line; a non-zero exit
 * with cosign's error otherwise). The shapes and the refusals are checked against the real cosign
 * by test/sign/cosign.integration.ts; this model only says what was signed in the run, and how often.
 */
import { ATTESTATIONS, VEX_ATTESTATION } from "../../.dagger/src/release/attestations.js";
import { COSIGN_FILES } from "../../.dagger/src/stages/sign.js";
import { type Chain, isRef, type Value } from "../recorder/types.js";
import type { CoreStubs } from "./resolve.js";

/** One attestation as cosign stores it. */
export interface ModelAttestation {
  digest: string;
  key: string;
  predicateType: string;
  predicate: unknown;
}

const PREDICATE_TYPES: Record<string, string> = Object.fromEntries([...Object.values(ATTESTATIONS), VEX_ATTESTATION].map((k) => [k.cosignType, k.predicateType]));

/** cosign, modelled: `keys` maps a signing key's secret name to its public key (PEM). */
export class CosignModel {
  /** Signatures by digest: the secret names of the keys that signed. */
  readonly signatures: { digest: string; key: string }[] = [];
  readonly attestations: ModelAttestation[] = [];
  /** Signing containers run (one per image and call). */
  signingRuns = 0;

  constructor(private readonly keys: Record<string, string>) {}

  /** What an earlier run signed with the key `key` (a secret name of `keys`): the digest's signature and one attestation per predicate type. */
  signedBefore(digest: string, key: string, predicates: Record<string, unknown>): void {
    this.signatures.push({ digest, key });
    for (const [predicateType, predicate] of Object.entries(predicates)) this.attestations.push({ digest, key, predicateType, predicate });
  }

  /** Answers for the cosign containers; everything else to `next`. */
  stubs(next: CoreStubs): CoreStubs {
    return (leaf, chain) => {
      const execs = chain.filter((c) => c.field === "withExec").map((c) => c.args.args as string[]);
      const last = execs.at(-1);
      if (last?.[0] !== "cosign") return next(leaf, chain);
      const field = chain.at(-1)?.field;
      if (last[1] === "sign" || last[1] === "attest") {
        if (field === "sync") this.sign(chain);
        return undefined;
      }
      if (last[1] === "verify" || last[1] === "verify-attestation") return this.verify(chain, last, field);
      return next(leaf, chain);
    };
  }

  /** Replay a signing container: each sign and attest exec, with the predicate file written before it. */
  private sign(chain: Chain): void {
    this.signingRuns++;
    const key = secretName(chain, COSIGN_FILES.key);
    let predicate = "";
    for (const c of chain) {
      if (c.field === "withNewFile" && c.args.path === COSIGN_FILES.predicate) predicate = String(c.args.contents);
      if (c.field !== "withExec") continue;
      const args = c.args.args as string[];
      const digest = digestArg(args);
      if (args[1] === "sign") this.signatures.push({ digest, key });
      if (args[1] !== "attest") continue;
      const predicateType = PREDICATE_TYPES[flag(args, "--type")] ?? flag(args, "--type");
      // --replace drops the digest's earlier attestations of that type (cosign's ReplaceOp, by predicate type).
      if (args.includes("--replace")) this.attestations.splice(0, this.attestations.length, ...this.attestations.filter((a) => !(a.digest === digest && a.predicateType === predicateType)));
      this.attestations.push({ digest, key, predicateType, predicate: JSON.parse(predicate) });
    }
  }

  /** cosign verify / verify-attestation, answered from what was signed with the key whose public half is mounted. */
  private verify(chain: Chain, args: string[], field: string | undefined): unknown {
    const pem = chain.find((c) => c.field === "withNewFile" && c.args.path === COSIGN_FILES.publicKey)?.args.contents;
    const keys = Object.entries(this.keys)
      .filter(([, p]) => p === pem)
      .map(([k]) => k);
    const { repository, digest } = splitRef(args.at(-1) as string);
    let answer: { exitCode: number; stdout: string; stderr: string };
    if (args[1] === "verify") {
      const found = this.signatures.filter((s) => s.digest === digest && keys.includes(s.key));
      answer =
        found.length > 0
          ? {
              exitCode: 0,
              stdout: `${JSON.stringify(found.map(() => ({ critical: { identity: { "docker-reference": repository }, image: { "docker-manifest-digest": digest }, type: "cosign container image signature" }, optional: null })))}\n`,
              stderr: "",
            }
          : { exitCode: 1, stdout: "", stderr: "Error: no matching signatures\nmain.go:74: error during command execution: no matching signatures\n" };
    } else {
      const type = PREDICATE_TYPES[flag(args, "--type")] ?? flag(args, "--type");
      const found = this.attestations.filter((a) => a.digest === digest && keys.includes(a.key) && a.predicateType === type);
      const envelope = (a: ModelAttestation) =>
        JSON.stringify({
          payloadType: "application/vnd.in-toto+json",
          payload: Buffer.from(
            JSON.stringify({
              _type: "https://in-toto.io/Statement/v0.1",
              predicateType: a.predicateType,
              subject: [{ name: repository, digest: { sha256: digest.slice("sha256:".length) } }],
              predicate: a.predicate,
            }),
          ).toString("base64"),
          signatures: [{ keyid: "", sig: "model" }],
        });
      answer =
        found.length > 0
          ? { exitCode: 0, stdout: `${found.map(envelope).join("\n")}\n`, stderr: "" }
          : { exitCode: 1, stdout: "", stderr: `Error: none of the attestations matched the predicate type: ${type}\n` };
    }
    if (field === "exitCode") return answer.exitCode;
    if (field === "stdout") return answer.stdout;
    if (field === "stderr") return answer.stderr;
    return undefined;
  }
}

/** The name of the secret mounted at a path (setSecret(name: …) in the chain). */
function secretName(chain: Chain, path: string): string {
  const mount = chain.find((c) => c.field === "withMountedSecret" && c.args.path === path);
  const source = mount?.args.source as Value | undefined;
  const name = source && isRef(source) ? source.$ref.find((c) => c.field === "setSecret")?.args.name : undefined;
  return typeof name === "string" ? name : "";
}

function flag(args: string[], name: string): string {
  return args[args.indexOf(name) + 1] ?? "";
}

function digestArg(args: string[]): string {
  return splitRef(args.at(-1) as string).digest;
}

function splitRef(ref: string): { repository: string; digest: string } {
  const at = ref.indexOf("@");
  return { repository: ref.slice(0, at), digest: ref.slice(at + 1) };
}
