/**
 * The Kyverno policy promotion writes (admission: kyverno), checked by real tools: kubeconform
 * against the JSON Schema of Kyverno's own ImageValidatingPolicy CRD (from the kyverno Go module,
 * converted by kubeconform's openapi2jsonschema.py), and `kustomize build` / `helm template` of an
 * environment that includes it; with KYVERNO_CLI=1, also the Kyverno CLI of that module, which
 * compiles the policy's CEL and applies it. Run by scripts/integration/gitops-render.sh.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { ADMISSION_MANIFEST, admissionFile, admissionPolicy, type AdmissionPolicyInput, kustomizationNamespace } from "../../.dagger/src/release/admission.js";
import { withResource } from "../../.dagger/src/release/flags.js";
import { PUBLIC_KEY } from "../release/signing-fixture.js";
import { backendDeployment } from "./render-stubs.js";
import { helmTemplate, kustomizeBuild, TOOLS } from "./render-tools.js";

/** kubeconform and the folder of the CRD's schemas (<kind>_<version>.json), from the script. */
const KUBECONFORM = process.env.KUBECONFORM_BIN ?? "";
const SCHEMAS = process.env.KYVERNO_SCHEMAS ?? "";
/** The Kyverno CLI, when the script built it (KYVERNO_CLI=1). */
const KYVERNO = process.env.KYVERNO_CLI_BIN ?? "";

/** kubeconform -strict of one or more manifests against the Kyverno schemas only (no network). */
function kubeconform(manifests: string): { ok: boolean; output: string } {
  assert.ok(KUBECONFORM && SCHEMAS && TOOLS.tmp, "run through scripts/integration/gitops-render.sh (KUBECONFORM_BIN, KYVERNO_SCHEMAS, GITOPS_RENDER_TMP)");
  const file = join(mkdtempSync(join(TOOLS.tmp, "kubeconform-")), "manifests.yaml");
  writeFileSync(file, manifests);
  const r = spawnSync(KUBECONFORM, ["-strict", "-summary", "-schema-location", `${SCHEMAS}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`, file], { encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

/** The ImageValidatingPolicy documents of rendered manifests, as YAML. */
const policiesOf = (manifests: string) =>
  parseAllDocuments(manifests)
    .filter((d) => (d.toJS() as { kind?: string } | null)?.kind === "ImageValidatingPolicy")
    .map((d) => d.toString());

const base: AdmissionPolicyInput = {
  application: "webshop",
  environment: "prod",
  registry: "registry.example.com/acme/webshop",
  signing: { publicKey: "cosign.pub", transparencyLog: true },
  publicKey: PUBLIC_KEY,
};
const keyless: AdmissionPolicyInput["signing"] = {
  keyless: { issuer: "https://token.actions.githubusercontent.com", identity: "https://github.com/acme/webshop/.github/workflows/ci.yml@refs/heads/main" },
  transparencyLog: true,
};

const DEPLOYMENT = backendDeployment(`registry.example.com/acme/webshop/backend:${"a".repeat(40)}@sha256:${"1".repeat(64)}`);

/** Write files under a fresh folder of the run's temp dir. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(TOOLS.tmp, "admission-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("the Kyverno policy against Kyverno's CRD schema (kubeconform -strict)", () => {
  for (const [name, input] of [
    ["a key, a namespace, the public Rekor", { ...base, namespace: "shop-prod" }],
    ["a key without the transparency log, on a plain-HTTP registry", { ...base, signing: { publicKey: "cosign.pub", transparencyLog: false }, plainHttp: true }],
    ["a key with its own Rekor", { ...base, signing: { publicKey: "cosign.pub", transparencyLog: true, rekorUrl: "https://rekor.internal.example" } }],
    ["keyless, cluster-wide", { ...base, signing: keyless, publicKey: undefined }],
  ] as [string, AdmissionPolicyInput][]) {
    it(`valid: ${name}`, () => {
      const r = kubeconform(admissionPolicy(input));
      assert.ok(r.ok, r.output);
      assert.match(r.output, /Valid: 1, Invalid: 0, Errors: 0, Skipped: 0/);
    });
  }

  it("the validator bites: a misspelled field and a bad enum value are invalid", () => {
    const text = admissionPolicy(base);
    const misspelled = kubeconform(text.replace("validationConfigurations:", "validationConfiguration:"));
    assert.ok(!misspelled.ok, misspelled.output);
    assert.match(misspelled.output, /additional properties 'validationConfiguration' not allowed/);
    const badEnum = kubeconform(text.replace("failurePolicy: Fail", "failurePolicy: Enforce"));
    assert.ok(!badEnum.ok, badEnum.output);
  });
});

describe("an environment that includes the policy, rendered", () => {
  it("kustomize build: the kustomization promotion edited lists the policy; it renders, still valid, beside the Deployment", () => {
    const kustomization = withResource("namespace: shop-prod\nresources:\n  - deployment.yaml\n", "kustomization.yaml", ADMISSION_MANIFEST);
    const policy = admissionPolicy({ ...base, namespace: kustomizationNamespace(kustomization, "kustomization.yaml") });
    const root = tree({ "environments/prod/deployment.yaml": DEPLOYMENT, "environments/prod/kustomization.yaml": kustomization, [`environments/prod/${ADMISSION_MANIFEST}`]: policy });
    const rendered = kustomizeBuild(join(root, "environments/prod"));
    assert.ok(rendered.ok, rendered.ok ? "" : rendered.error);
    const kinds = parseAllDocuments(rendered.manifests).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
    assert.deepEqual(kinds.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ["Deployment/backend", "ImageValidatingPolicy/webshop-prod-verify-images"]);
    // Kustomize does not know the CRD is cluster-scoped and sets the namespace; the API server drops it for a cluster-scoped object.
    assert.equal(kinds.find((o) => o.kind === "ImageValidatingPolicy")?.metadata.namespace, "shop-prod");
    const [renderedPolicy] = policiesOf(rendered.manifests);
    const r = kubeconform(renderedPolicy);
    assert.ok(r.ok, r.output);
  });

  it("helm template: in a chart folder the policy goes to templates/ and renders as written", () => {
    const env = { path: "environments/prod", format: "helm" } as Parameters<typeof admissionFile>[0];
    const file = admissionFile(env, true);
    assert.equal(file, `environments/prod/templates/${ADMISSION_MANIFEST}`);
    const policy = admissionPolicy({ ...base, signing: keyless, publicKey: undefined });
    const root = tree({
      "environments/prod/Chart.yaml": "apiVersion: v2\nname: webshop\nversion: 1.0.0\n",
      "environments/prod/values.yaml": "backend:\n  image: registry.example.com/acme/webshop/backend\n",
      "environments/prod/templates/deployment.yaml": DEPLOYMENT.replace(/image: .*/, 'image: "{{ .Values.backend.image }}"'),
      [file]: policy,
    });
    const rendered = helmTemplate("webshop", join(root, "environments/prod"), join(root, "environments/prod/values.yaml"));
    assert.ok(rendered.ok, rendered.ok ? "" : rendered.error);
    const [out] = policiesOf(rendered.manifests);
    assert.deepEqual(parseAllDocuments(out)[0].toJS(), parseAllDocuments(policy)[0].toJS(), "helm renders the policy unchanged");
    const r = kubeconform(out);
    assert.ok(r.ok, r.output);
  });
});

describe("the Kyverno CLI compiles and applies the policy", { skip: KYVERNO ? false : "the Kyverno CLI is built only with KYVERNO_CLI=1 (about 25 minutes the first time)" }, () => {
  /** `kyverno apply <policy> --resource <pod>`: the policy report's results. */
  const apply = (policy: string, image: string): { result: string; message?: string }[] => {
    const root = tree({ "policy.yaml": policy, "pod.yaml": `apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: shop-prod }\nspec:\n  containers:\n    - name: c\n      image: ${image}\n` });
    const r = spawnSync(KYVERNO, ["apply", join(root, "policy.yaml"), "--resource", join(root, "pod.yaml"), "--policy-report", "--output-format", "json", "--remove-color"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    if (r.error) throw r.error;
    const json = r.stdout.slice(r.stdout.indexOf("{"));
    return (JSON.parse(json) as { results?: { result: string; message?: string }[] }).results ?? [];
  };
  const digest = `sha256:${"1".repeat(64)}`;
  // A loopback registry where nothing listens: Kyverno's look-up is refused on this machine, never sent elsewhere.
  const local = { ...base, registry: "127.0.0.1:9/acme/webshop" };

  for (const [name, input] of [
    ["a key, a namespace", { ...local, namespace: "shop-prod" }],
    ["keyless without a namespace", { ...local, signing: keyless, publicKey: undefined }],
  ] as [string, AdmissionPolicyInput][]) {
    it(`${name}: compiles, passes a Pod of another registry, and checks ours (here: the loopback registry refuses)`, () => {
      const policy = admissionPolicy(input);
      assert.deepEqual(
        apply(policy, `docker.io/library/nginx:1.27@${digest}`).map((r) => r.result),
        ["pass"],
      );
      const ours = apply(policy, `127.0.0.1:9/acme/webshop/backend:${"a".repeat(40)}@${digest}`);
      assert.deepEqual(
        ours.map((r) => r.result),
        ["error"],
      );
      assert.match(ours[0].message ?? "", /127\.0\.0\.1:9/, "the error is the signature look-up, not the policy");
    });
  }

  it("the check bites: a misspelled CEL function fails to compile", () => {
    const broken = admissionPolicy(base).replace("verifyImageSignatures(image", "verifyImageSignaturez(image");
    const [r] = apply(broken, `docker.io/library/nginx:1.27@${digest}`);
    assert.equal(r.result, "error");
    assert.match(r.message ?? "", /failed to compile policy: .*undeclared reference to 'verifyImageSignaturez'/s);
  });
});
