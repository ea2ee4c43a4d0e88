/**
 * Admission: the Kyverno policy promotion writes into an environment (`admission: kyverno`), so
 * the cluster admits our images only when they carry the signature and the four in-toto
 * attestations that promotion verified: CycloneDX SBOM, vulnerability report, test result
 * (`result: PASSED`) and SLSA provenance v1, all signed as `signing` says (cosign key or keyless
 * identity).
 *
 * The kind is `ImageValidatingPolicy` (policies.kyverno.io/v1), not a `ClusterPolicy` with
 * `verifyImages` (kyverno.io/v1): Kyverno 1.17 deprecated ClusterPolicy (its CRD answers every
 * apply with a deprecation warning pointing at ImageValidatingPolicy) and plans its removal, while
 * ImageValidatingPolicy is the CEL-based type for signatures and attestations, served as v1 from
 * Kyverno 1.17 on (read in the CRDs of github.com/kyverno/kyverno v1.19.1, config/crds, and
 * kyverno.io/docs/policy-types). A cluster on a Kyverno release older than 1.17 does not serve v1
 * and refuses the file; it needs an upgrade, not an older policy.
 *
 * What it matches: Pods (CREATE, UPDATE) whose images are `<registry.address>/*`. Kyverno derives
 * the rules for Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs from a
 * policy matching exactly `pods` in core v1 (its autogen), so a bad image is refused at the
 * Deployment, not only at its Pods. With the environment's namespace known (a kustomization's
 * `namespace:`), only that namespace; otherwise cluster-wide, which the file says in its comment.
 * The policy is cluster-scoped (its own namespace-scoped variant could be deleted by whoever may
 * edit the namespace); the API server drops a `metadata.namespace` that Kustomize adds to it.
 *
 * Not covered, left to the cluster's operators: registry credentials for Kyverno (a private
 * registry needs them in Kyverno's own configuration), and the trust roots of a private Rekor or
 * Fulcio (`signing.rekorUrl`/`fulcioUrl` name the instance; Kyverno checks it against Sigstore's
 * public TUF roots unless it is configured with others).
 */
import { Document, isMap, parseDocument } from "../vendor/yaml.js";
import type { PipelineConfig, Signing } from "../config/schema.js";
import { InputError } from "../errors.js";
import { ATTESTATIONS as PUBLISHED } from "./attestations.js";

/** File of the policy in the environment's folder (kustomize and manifests; helm: see admissionFile). */
export const ADMISSION_MANIFEST = "image-verification.yaml";

/** The in-toto predicate types every published image carries (release/attestations.ts), by the name the policy gives them. */
export const ATTESTATIONS = Object.fromEntries(Object.entries(PUBLISHED).map(([name, kind]) => [name, kind.predicateType])) as Record<keyof typeof PUBLISHED, string>;

/** Name of the policy: the application and environment, so two environments in one cluster keep one each. */
export const admissionPolicyName = (application: string, environment: string) => `${application}-${environment}-verify-images`;

/** What the policy is rendered from. */
export interface AdmissionPolicyInput {
  application: string;
  environment: string;
  /** registry.address: the images `<address>/<component>` the policy applies to. */
  registry: string;
  signing: Signing;
  /** The PEM of signing.publicKey, read from the application repository (key signing only). */
  publicKey?: string;
  /** The environment's namespace when known; without one the policy is cluster-wide. */
  namespace?: string;
  /** The registry speaks plain HTTP (registry.plainHttp): Kyverno must be allowed to read it so. */
  plainHttp?: boolean;
}

/** The Kyverno ImageValidatingPolicy of an environment, as YAML. */
export function admissionPolicy(input: AdmissionPolicyInput): string {
  const { application, environment, signing, namespace } = input;
  const images = `${escapeGlob(input.registry.replace(/\/+$/, ""))}/*`;
  // Every image the policy matched, wherever the Pod runs it (matchImageReferences filters each list).
  const all = "(images.containers + images.initContainers + images.ephemeralContainers)";
  const attested = (name: keyof typeof ATTESTATIONS) => `verifyAttestationSignatures(image, attestations.${name}, [attestors.signer]) > 0`;
  const doc = new Document({
    apiVersion: "policies.kyverno.io/v1",
    kind: "ImageValidatingPolicy",
    metadata: {
      name: admissionPolicyName(application, environment),
      labels: { "app.kubernetes.io/part-of": application, "app.kubernetes.io/managed-by": "pipeline-as-code" },
    },
    spec: {
      validationActions: ["Deny"],
      failurePolicy: "Fail",
      // Five registry look-ups per image (signature, four attestations): the default 10 s is tight.
      webhookConfiguration: { timeoutSeconds: 30 },
      matchConstraints: {
        resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] }],
        ...(namespace ? { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } } : {}),
      },
      matchImageReferences: [{ glob: images }],
      // Promotion writes images by digest: one without a digest is refused, never pinned to what its tag names now.
      validationConfigurations: { required: true, verifyDigest: true, mutateDigest: false },
      ...(input.plainHttp ? { credentials: { allowInsecureRegistry: true } } : {}),
      attestors: [{ name: "signer", cosign: cosignAttestor(input) }],
      attestations: Object.entries(ATTESTATIONS).map(([name, type]) => ({ name, intoto: { type } })),
      validations: [
        { expression: `${all}.all(image, verifyImageSignatures(image, [attestors.signer]) > 0)`, message: `image not signed by the ${application} pipeline (${signerOf(signing)})` },
        { expression: `${all}.all(image, ${attested("sbom")})`, message: `image has no CycloneDX SBOM attestation (${ATTESTATIONS.sbom}) signed by the ${application} pipeline` },
        { expression: `${all}.all(image, ${attested("provenance")})`, message: `image has no SLSA provenance attestation (${ATTESTATIONS.provenance}) signed by the ${application} pipeline` },
        {
          expression: `${all}.all(image, ${attested("vulnerabilities")})`,
          message: `image has no vulnerability report attestation (${ATTESTATIONS.vulnerabilities}) signed by the ${application} pipeline`,
        },
        {
          // The payload is read only after its signature verified (false && … never reads it).
          expression: `${all}.all(image, ${attested("testResult")} && extractPayload(image, attestations.testResult).predicate.result == 'PASSED')`,
          message: `image has no signed test-result attestation (${ATTESTATIONS.testResult}) with result PASSED: its checks, E2E tests or scans did not pass`,
        },
      ],
    },
  });
  const scope = namespace
    ? `Pods and their controllers in namespace ${namespace}`
    : "Pods and their controllers in every namespace (cluster-wide: the environment's namespace is not known to the pipeline)";
  doc.commentBefore = [
    ` Image verification of ${environment}, written by promotion from pipeline.yaml (signing, environments.${environment}.admission).`,
    ` Kyverno admits ${scope} running ${images} only when each image is`,
    ` signed (${signerOf(signing)}) and carries signed SBOM, vulnerability report, test-result (PASSED) and SLSA provenance attestations.`,
  ].join("\n");
  return doc.toString({ lineWidth: 0 });
}

/** The cosign attestor: the public key or the keyless identity, and the transparency log as signing says. */
function cosignAttestor(input: AdmissionPolicyInput): Record<string, unknown> {
  const { signing } = input;
  const ctlog = signing.transparencyLog ? (signing.rekorUrl ? { ctlog: { url: signing.rekorUrl } } : {}) : { ctlog: { insecureIgnoreTlog: true } };
  if (signing.keyless) return { keyless: { identities: [{ issuer: signing.keyless.issuer, subject: signing.keyless.identity }] }, ...ctlog };
  return { key: { data: publicKeyPem(input.publicKey, signing.publicKey ?? "") }, ...ctlog };
}

/** The PEM as the policy holds it; anything but a PEM public key is refused naming the file. */
function publicKeyPem(pem: string | undefined, path: string): string {
  if (pem === undefined) throw new InputError(`signing.publicKey: ${path} was not read; the policy needs the key's PEM from the application repository`);
  const text = pem.replace(/\r\n/g, "\n").trim();
  if (!/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----$/.test(text))
    throw new InputError(`signing.publicKey: ${path} is not a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----, as cosign generate-key-pair writes cosign.pub)`);
  return `${text}\n`;
}

/** Who signs, for messages: the key file or the keyless identity. */
function signerOf(signing: Signing): string {
  return signing.keyless ? `keyless: ${signing.keyless.identity} from ${signing.keyless.issuer}` : `key ${signing.publicKey}`;
}

/** A registry address as a literal in a glob (an IPv6 host's brackets would be a character class). */
function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]{}]/g, (c) => `\\${c}`);
}

/**
 * Where promotion writes the policy: the environment's folder; for helm, the chart's templates/
 * when the folder is a chart (it holds Chart.yaml), else next to the values, where the Argo CD
 * Application must include it as a second source (a values file alone deploys nothing).
 */
export function admissionFile(env: PipelineConfig["environments"][string], folderIsChart: boolean): string {
  const dir = env.path.replace(/\/+$/, "");
  return env.format === "helm" && folderIsChart ? `${dir}/templates/${ADMISSION_MANIFEST}` : `${dir}/${ADMISSION_MANIFEST}`;
}

/** The `namespace:` a kustomization sets for everything it builds, if any. */
export function kustomizationNamespace(kustomization: string, file: string): string | undefined {
  const doc = parseDocument(kustomization);
  if (doc.errors.length > 0) throw new InputError(`${file}: is not valid YAML: ${doc.errors[0].message}`);
  if (!isMap(doc.contents)) return undefined;
  const namespace = doc.get("namespace");
  return typeof namespace === "string" && namespace.trim() !== "" ? namespace.trim() : undefined;
}

/** The policy of an environment (admission: kyverno) from pipeline.yaml, the key's PEM and the namespace if known. */
export function environmentPolicy(config: PipelineConfig, environment: string, publicKey: string | undefined, namespace: string | undefined): string {
  if (!config.signing) throw new InputError(`environments.${environment}.admission: kyverno verifies signatures: pipeline.yaml needs a signing section (publicKey or keyless)`);
  return admissionPolicy({
    application: config.name,
    environment,
    registry: config.registry.address,
    signing: config.signing,
    ...(publicKey !== undefined ? { publicKey } : {}),
    ...(namespace ? { namespace } : {}),
    ...(config.registry.plainHttp ? { plainHttp: true } : {}),
  });
}
