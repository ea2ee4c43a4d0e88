// The Kyverno policy promotion writes for `admission: kyverno`, parsed back and read field by field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { ConfigError, formatProblem } from "../../.dagger/src/config/problems.js";
import { ADMISSION_MANIFEST, admissionFile, admissionPolicy, ATTESTATIONS, environmentPolicy, kustomizationNamespace } from "../../.dagger/src/release/admission.js";
import { readSigningTrust } from "../../.dagger/src/stages/sign.js";
import { withResource } from "../../.dagger/src/release/flags.js";
import { PUBLIC_KEY } from "./signing-fixture.js";

const keyed = { publicKey: "cosign.pub", transparencyLog: true } as const;
const keyless = {
  keyless: { issuer: "https://token.actions.githubusercontent.com", identity: "https://github.com/acme/webshop/.github/workflows/ci.yml@refs/heads/main" },
  transparencyLog: true,
} as const;

interface Policy {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: {
    validationActions: string[];
    failurePolicy: string;
    matchConstraints: { resourceRules: { apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[] }[]; namespaceSelector?: { matchLabels: Record<string, string> } };
    matchImageReferences: { glob: string }[];
    validationConfigurations: Record<string, boolean>;
    credentials?: { allowInsecureRegistry: boolean };
    attestors: { name: string; cosign: { key?: { data: string }; keyless?: { identities: { issuer: string; subject: string }[] }; ctlog?: { url?: string; insecureIgnoreTlog?: boolean } } }[];
    attestations: { name: string; intoto: { type: string } }[];
    validations: { expression: string; message: string }[];
  };
}

const render = (over: Partial<Parameters<typeof admissionPolicy>[0]> = {}) =>
  parse(admissionPolicy({ application: "webshop", environment: "prod", registry: "registry.example.com/acme/webshop", signing: keyed, publicKey: PUBLIC_KEY, ...over })) as Policy;

describe("admission policy (Kyverno ImageValidatingPolicy)", () => {
  it("denies Pods (and, through Kyverno's autogen, their controllers) whose registry images lack the signature or an attestation", () => {
    const p = render({ namespace: "shop-prod" });
    assert.equal(p.apiVersion, "policies.kyverno.io/v1");
    assert.equal(p.kind, "ImageValidatingPolicy");
    assert.equal(p.metadata.name, "webshop-prod-verify-images");
    assert.deepEqual(p.spec.validationActions, ["Deny"]);
    assert.equal(p.spec.failurePolicy, "Fail");
    // Exactly one rule on core v1 pods: the shape Kyverno derives Deployment, Job… rules from.
    assert.deepEqual(p.spec.matchConstraints.resourceRules, [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] }]);
    assert.deepEqual(p.spec.matchConstraints.namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "shop-prod" } });
    assert.deepEqual(p.spec.matchImageReferences, [{ glob: "registry.example.com/acme/webshop/*" }]);
    assert.deepEqual(p.spec.validationConfigurations, { required: true, verifyDigest: true, mutateDigest: false });
    assert.deepEqual(
      p.spec.attestations.map((a) => [a.name, a.intoto.type]),
      [
        ["sbom", "https://cyclonedx.org/bom"],
        ["vulnerabilities", "https://cosign.sigstore.dev/attestation/vuln/v1"],
        ["testResult", "https://in-toto.io/attestation/test-result/v0.1"],
        ["provenance", "https://slsa.dev/provenance/v1"],
      ],
    );
    assert.equal(p.spec.credentials, undefined);
  });

  it("checks every image list, each attestation's signature, and the test result's PASSED after its signature", () => {
    const expressions = render().spec.validations.map((v) => v.expression);
    assert.equal(expressions.length, 5);
    for (const e of expressions) assert.match(e, /^\(images\.containers \+ images\.initContainers \+ images\.ephemeralContainers\)\.all\(image, /);
    assert.match(expressions[0], /verifyImageSignatures\(image, \[attestors\.signer\]\) > 0\)$/);
    for (const name of Object.keys(ATTESTATIONS))
      assert.ok(
        expressions.some((e) => e.includes(`verifyAttestationSignatures(image, attestations.${name}, [attestors.signer]) > 0`)),
        name,
      );
    const tests = expressions.find((e) => e.includes("attestations.testResult")) ?? "";
    assert.ok(tests.indexOf("verifyAttestationSignatures") < tests.indexOf("extractPayload"), "the payload is read after its signature is verified");
    assert.match(tests, /&& extractPayload\(image, attestations\.testResult\)\.predicate\.result == 'PASSED'\)$/);
    for (const v of render().spec.validations) assert.ok(v.message && !v.message.includes("\n"), "Kyverno wants a one-line message");
  });

  it("a key: the PEM from the repository as the attestor, the transparency log required (Sigstore's Rekor unless rekorUrl)", () => {
    const [attestor] = render().spec.attestors;
    assert.equal(attestor.name, "signer");
    assert.equal(attestor.cosign.key?.data, PUBLIC_KEY);
    assert.equal(attestor.cosign.keyless, undefined);
    assert.equal(attestor.cosign.ctlog, undefined, "Kyverno's default is to verify the log entry in the public Rekor");
    const own = render({ signing: { ...keyed, rekorUrl: "https://rekor.internal.example" } }).spec.attestors[0].cosign;
    assert.deepEqual(own.ctlog, { url: "https://rekor.internal.example" });
  });

  it("transparencyLog false: the log is not required (and no Rekor URL is written)", () => {
    const cosign = render({ signing: { ...keyed, transparencyLog: false, rekorUrl: "https://rekor.internal.example" } }).spec.attestors[0].cosign;
    assert.deepEqual(cosign.ctlog, { insecureIgnoreTlog: true });
  });

  it("keyless: the issuer and exact identity; no key", () => {
    const cosign = render({ signing: keyless, publicKey: undefined }).spec.attestors[0].cosign;
    assert.deepEqual(cosign.keyless, { identities: [{ issuer: keyless.keyless.issuer, subject: keyless.keyless.identity }] });
    assert.equal(cosign.key, undefined);
    assert.equal(cosign.ctlog, undefined);
  });

  it("without a namespace: cluster-wide, and the file says so", () => {
    const text = admissionPolicy({ application: "webshop", environment: "dev", registry: "registry.example.com/acme/webshop/", signing: keyless });
    const p = parse(text) as Policy;
    assert.equal(p.spec.matchConstraints.namespaceSelector, undefined);
    assert.match(text, /^# .*\n# Kyverno admits Pods and their controllers in every namespace \(cluster-wide/);
    assert.deepEqual(p.spec.matchImageReferences, [{ glob: "registry.example.com/acme/webshop/*" }], "a trailing / is not doubled");
  });

  it("a registry address is a literal in the glob; a plain-HTTP registry is allowed to Kyverno", () => {
    const p = render({ registry: "[::1]:5000/shop", plainHttp: true });
    assert.deepEqual(p.spec.matchImageReferences, [{ glob: "\\[::1\\]:5000/shop/*" }]);
    assert.deepEqual(p.spec.credentials, { allowInsecureRegistry: true });
  });

  it("refuses a key that is not a PEM public key, or none, naming signing.publicKey", () => {
    assert.throws(
      () => render({ publicKey: "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n" }),
      /signing\.publicKey: cosign\.pub is not a PEM public key/,
    );
    assert.throws(() => render({ publicKey: undefined }), /signing\.publicKey: cosign\.pub was not read/);
  });
});

describe("admission policy in an environment", () => {
  const config = parseConfig(`name: webshop
components: { api: { kind: backend, toolchain: node, path: api } }
registry: { address: registry.example.com/acme/webshop }
gitops: { repository: "file:///srv/gitops.git" }
signing: { publicKey: keys/cosign.pub }
environments:
  dev: { on: push, path: envs/dev, format: kustomize }
  prod: { on: manual, path: envs/prod/, format: helm, admission: kyverno }
`);

  it("from pipeline.yaml: the application, environment, registry and signing; no signing section is refused", () => {
    const p = parse(environmentPolicy(config, "prod", PUBLIC_KEY, "shop")) as Policy;
    assert.equal(p.metadata.name, "webshop-prod-verify-images");
    assert.deepEqual(p.spec.matchImageReferences, [{ glob: "registry.example.com/acme/webshop/*" }]);
    assert.equal(p.spec.attestors[0].cosign.key?.data, PUBLIC_KEY);
    assert.throws(
      () => environmentPolicy({ ...config, signing: undefined }, "prod", PUBLIC_KEY, undefined),
      /environments\.prod\.admission: kyverno verifies signatures: pipeline\.yaml needs a signing section/,
    );
  });

  it("the file: beside the deployment file, or in a chart's templates", () => {
    assert.equal(admissionFile(config.environments.dev, false), `envs/dev/${ADMISSION_MANIFEST}`);
    assert.equal(admissionFile(config.environments.prod, false), "envs/prod/image-verification.yaml");
    assert.equal(admissionFile(config.environments.prod, true), "envs/prod/templates/image-verification.yaml");
    assert.equal(admissionFile(config.environments.dev, true), "envs/dev/image-verification.yaml", "only a helm folder is a chart");
  });

  it("a kustomization's namespace, and the policy listed among its resources once", () => {
    assert.equal(kustomizationNamespace("namespace: shop-prod\nresources: [deployment.yaml]\n", "k.yaml"), "shop-prod");
    assert.equal(kustomizationNamespace("resources: [deployment.yaml]\n", "k.yaml"), undefined);
    assert.throws(() => kustomizationNamespace("resources: [\n", "envs/dev/kustomization.yaml"), /envs\/dev\/kustomization\.yaml: is not valid YAML/);
    const once = withResource("# prod\nresources:\n  - deployment.yaml\n", "kustomization.yaml", ADMISSION_MANIFEST);
    assert.equal(once, "# prod\nresources:\n  - deployment.yaml\n  - image-verification.yaml\n");
    assert.equal(withResource(once, "kustomization.yaml", ADMISSION_MANIFEST), once);
  });

  it("the key is read once from the application repository (readSigningTrust); a missing file names its path; keyless reads none", async () => {
    const files = (present: Record<string, string>) => ({
      file: (p: string) => ({ contents: async () => (p in present ? present[p] : Promise.reject(new Error(`${p}: no such file or directory`))) }),
    });
    assert.deepEqual(await readSigningTrust(config, files({ "keys/cosign.pub": PUBLIC_KEY })), { publicKey: PUBLIC_KEY });
    await assert.rejects(readSigningTrust(config, files({})), /signing\.publicKey: keys\/cosign\.pub does not exist in the application repository; commit the cosign public key there/);
    assert.deepEqual(
      await readSigningTrust({ ...config, signing: { keyless: { issuer: "https://issuer.example", identity: "ci" }, transparencyLog: true } }, files({})),
      {},
      "keyless: no key to read",
    );
    assert.throws(() => environmentPolicy(config, "prod", undefined, undefined), /signing\.publicKey: keys\/cosign\.pub was not read/);
  });
});

describe("pipeline.yaml rules of admission", () => {
  const problemsOf = (text: string): string[] => {
    try {
      parseConfig(text);
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      return e.problems.map((p) => formatProblem("pipeline.yaml", p));
    }
    assert.fail("the config was accepted");
  };
  const head = "name: shop\ncomponents: { api: { kind: backend, toolchain: node, path: api } }\nregistry: { address: registry.local/shop }\ngitops: { repository: file:///srv/gitops.git }\n";

  it("admission needs a signing section and a Kubernetes format", () => {
    const text = `${head}environments:\n  dev: { on: push, path: d, format: compose, admission: kyverno }\n  prod: { on: manual, path: p, format: manifests, admission: kyverno }\n`;
    assert.deepEqual(problemsOf(text), [
      'pipeline.yaml:6:46 environments.dev.admission: verifies image signatures in the cluster: add a signing section (publicKey or keyless) saying how images are signed (got "kyverno")',
      'pipeline.yaml:6:46 environments.dev.admission: is a Kubernetes admission policy: it needs format kustomize, helm or manifests, not compose (got "kyverno")',
      'pipeline.yaml:7:51 environments.prod.admission: verifies image signatures in the cluster: add a signing section (publicKey or keyless) saying how images are signed (got "kyverno")',
    ]);
    const fixed = parseConfig(`${head}signing: { publicKey: cosign.pub }\nenvironments:\n  prod: { on: manual, path: p, format: manifests, admission: kyverno }\n`);
    assert.equal(fixed.environments.prod.admission, "kyverno");
  });
});
