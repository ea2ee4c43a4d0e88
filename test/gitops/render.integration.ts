/**
 * The write-back editors' output through the real renderers (run by
 * scripts/integration/gitops-render.sh, which provides pinned `kustomize` and `helm` and the real
 * podinfo chart): each kustomization — our fixtures and the corpus files that can be built with
 * stubs — is built before and after the edit; the updated images come out as
 * `<repository>:<sha>@<digest>`, every other image and every other line of the output as before.
 * Helm values are rendered with a chart of ours (repository, tag, digest) and with podinfo's.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before as beforeAll, describe, test } from "node:test";
import { parse } from "yaml";
import { applyImageUpdates, type ImageUpdate } from "../../modules/gitops/src/edit/index.js";
import { namesRepository } from "../../modules/gitops/src/edit/reference.js";
import { corpusText, KUSTOMIZE } from "./corpus-cases.js";
import { DIGEST, DIGEST2, SHA, SHA2, update } from "./edit-assert.js";
import { FIXTURE_CASES, fixtureText } from "./fixture-cases.js";
import { containerImages, helmTemplate, kustomizeBuild, type Rendered, TOOLS, withoutImages } from "./render-tools.js";
import { stubTree } from "./render-stubs.js";

const CHART = join(import.meta.dirname, "../fixtures/gitops/chart");
const APP = "registry.example.com/acme/webshop/backend";

/** Corpus kustomizations that cannot be built here, and the error kustomize gives (asserted, so a change shows). */
const UNRENDERABLE: Record<string, { reason: string; error: RegExp }> = {
  "argo-rollouts__test__kustomize__rollout__kustomization.yaml": {
    reason: "its openapi.path is a URL on raw.githubusercontent.com, which this machine cannot reach",
    error: /raw\.githubusercontent\.com/,
  },
};

/**
 * Build flags some corpus kustomizations need: these read a transformer configuration from a
 * parent directory (`configurations: [../rollout-transform.yaml]`), which kustomize only loads
 * with LoadRestrictionsNone (the default refuses files outside the kustomization's folder).
 */
const BUILD_FLAGS: Record<string, string[]> = {
  "argo-rollouts__docs__features__kustomize__example__kustomization.yaml": ["--load-restrictor", "LoadRestrictionsNone"],
  "argo-rollouts__test__kustomize__rollout__kustomization.yaml": ["--load-restrictor", "LoadRestrictionsNone"],
};

let work = "";
beforeAll(() => {
  assert.ok(TOOLS.kustomize && TOOLS.helm && TOOLS.tmp, "KUSTOMIZE_BIN, HELM_BIN and GITOPS_RENDER_TMP are set by scripts/integration/gitops-render.sh; run that script");
  work = TOOLS.tmp;
});

const rendered = (r: Rendered, what: string): string => {
  if (!r.ok) assert.fail(`${what} did not render: ${r.error}`);
  return r.manifests;
};

/** Build a kustomization before and after the edit and check every container image. */
function checkKustomization(name: string, text: string, updates: ImageUpdate[]): void {
  const result = applyImageUpdates("kustomize", text, name, updates);
  const entries = ((parse(text) as { images?: { name?: string }[] } | null)?.images ?? []).flatMap((e) => (e.name ? [e.name] : []));
  const images = [...new Set([...entries, ...updates.map((u) => u.repository)])];
  const flags = BUILD_FLAGS[name] ?? [];
  const beforeBuild = kustomizeBuild(stubTree(join(work, name, "before"), text, images), flags);
  const afterBuild = kustomizeBuild(stubTree(join(work, name, "after"), result.text, images), flags);
  const known = UNRENDERABLE[name];
  if (known) {
    assert.ok(!afterBuild.ok, `${name} was expected not to render (${known.reason}) but did: update UNRENDERABLE`);
    assert.match(afterBuild.error, known.error);
    console.log(`# ${name}: cannot render: ${known.reason}`);
    return;
  }
  const after = rendered(afterBuild, `${name} after the edit`);
  const afterImages = containerImages(after);
  // Ours: the entries the edit wrote, by the stub container that runs their name.
  const ours = new Map(
    (parse(result.text) as { images: { name: string; newName: string; newTag?: string; digest?: string }[] }).images
      .filter((e) => e.newTag === SHA && e.digest === DIGEST)
      .map((e) => [e.name, `${e.newName}:${SHA}@${DIGEST}`]),
  );
  const before = rendered(beforeBuild, `${name} before the edit`);
  const beforeImages = new Map(containerImages(before).map((c) => [c.id, c.image]));
  assert.ok(afterImages.length >= images.length, `${name}: the stub Deployment's containers are in the output`);
  for (const c of afterImages) {
    const stub = images[Number(/\/c(\d+)$/.exec(c.id)?.[1])];
    const want = stub !== undefined ? ours.get(stub) : undefined;
    const was = beforeImages.get(c.id);
    if (want !== undefined) assert.equal(c.image, want, `${name}: ${c.id}`);
    else assert.equal(c.image, was, `${name}: ${c.id} is not ours and must not move`);
    console.log(`# ${name}: ${c.id}: ${was} -> ${c.image}${want ? "  [updated]" : ""}`);
  }
  for (const u of updates)
    assert.ok(
      afterImages.some((c) => c.image.endsWith(`:${SHA}@${DIGEST}`) && namesRepository(c.image, u.repository)),
      `${name}: no rendered container runs ${u.repository}:${SHA}@${DIGEST}`,
    );
  assert.equal(withoutImages(after), withoutImages(before), `${name}: only images differ in the rendered manifests`);
}

describe("kustomize build", () => {
  test("a base Deployment and an overlay, promoted twice: only the updated images move", () => {
    const dir = join(work, "overlay");
    const base = join(dir, "base");
    mkdirSync(base, { recursive: true });
    writeFileSync(
      join(base, "deployment.yaml"),
      [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: backend}",
        "spec:",
        "  selector: {matchLabels: {app: backend}}",
        "  template:",
        "    metadata: {labels: {app: backend}}",
        "    spec:",
        "      initContainers:",
        "      - {name: migrate, image: 'registry.example.com/acme/webshop/db:0.9.0'}",
        "      containers:",
        `      - {name: backend, image: '${APP}:0.9.0'}`,
        "      - {name: proxy, image: 'docker.io/envoyproxy/envoy:v1.31.0'}",
        "",
      ].join("\n"),
    );
    writeFileSync(join(base, "kustomization.yaml"), "resources:\n- deployment.yaml\n");
    const overlay = join(dir, "overlays", "dev");
    mkdirSync(overlay, { recursive: true });
    const initial = `# dev overlay\nresources:\n- ../../base\nimages:\n- name: ${APP}\n  newTag: 0.9.0 # moved by the pipeline\n`;
    const db = "registry.example.com/acme/webshop/db";
    const first = applyImageUpdates("kustomize", initial, "overlays/dev/kustomization.yaml", [update(APP), update(db)]).text;
    writeFileSync(join(overlay, "kustomization.yaml"), first);
    const images1 = Object.fromEntries(containerImages(rendered(kustomizeBuild(overlay), "overlay")).map((c) => [c.id, c.image]));
    assert.deepEqual(images1, {
      "Deployment/backend/migrate": `${db}:${SHA}@${DIGEST}`,
      "Deployment/backend/backend": `${APP}:${SHA}@${DIGEST}`,
      "Deployment/backend/proxy": "docker.io/envoyproxy/envoy:v1.31.0",
    });
    const second = applyImageUpdates("kustomize", first, "overlays/dev/kustomization.yaml", [update(APP, { tag: SHA2, digest: DIGEST2 })]).text;
    writeFileSync(join(overlay, "kustomization.yaml"), second);
    const images2 = Object.fromEntries(containerImages(rendered(kustomizeBuild(overlay), "overlay")).map((c) => [c.id, c.image]));
    assert.deepEqual(images2, { ...images1, "Deployment/backend/backend": `${APP}:${SHA2}@${DIGEST2}` });
    for (const [id, image] of Object.entries(images2)) console.log(`# overlay after two promotions: ${id}: ${image}`);
  });

  for (const c of FIXTURE_CASES.filter((x) => x.format === "kustomize"))
    test(`fixture ${c.file}`, () => {
      checkKustomization(c.file, fixtureText(c.file), c.updates);
    });

  for (const c of KUSTOMIZE)
    test(`corpus ${c.file}`, () => {
      checkKustomization(c.file, corpusText("kustomize", c.file), c.updates);
    });
});

describe("helm template", () => {
  const paths = { backend: { repository: "image.repository", tag: "image.tag", digest: "image.digest" } };
  const backend = update(APP, { component: "backend" });

  test("our chart with an environment's values file: repository:sha@digest, the proxy unchanged", () => {
    const dir = join(work, "chart-env");
    mkdirSync(dir, { recursive: true });
    const original = readFileSync(join(CHART, "values-dev.yaml"), "utf8");
    const edited = applyImageUpdates("helm", original, "values-dev.yaml", [backend], { helm: { paths } });
    writeFileSync(join(dir, "before.yaml"), original);
    writeFileSync(join(dir, "after.yaml"), edited.text);
    const before = rendered(helmTemplate("web", CHART, join(dir, "before.yaml")), "chart with the original values");
    const after = rendered(helmTemplate("web", CHART, join(dir, "after.yaml")), "chart with the edited values");
    const images = Object.fromEntries(containerImages(after).map((c) => [c.id, c.image]));
    assert.deepEqual(images, { "Deployment/web-backend/backend": `${APP}:${SHA}@${DIGEST}`, "Deployment/web-backend/proxy": "docker.io/envoyproxy/envoy:v1.31.0" });
    assert.equal(withoutImages(after), withoutImages(before));
    for (const [id, image] of Object.entries(images)) console.log(`# chart + values-dev.yaml: ${id}: ${image}`);
  });

  test("our chart's own values.yaml edited in place (empty tag and digest replaced)", () => {
    const chart = join(work, "chart-copy");
    cpSync(CHART, chart, { recursive: true });
    const values = readFileSync(join(chart, "values.yaml"), "utf8");
    writeFileSync(join(chart, "values.yaml"), applyImageUpdates("helm", values, "values.yaml", [backend], { helm: { paths } }).text);
    writeFileSync(join(work, "empty.yaml"), "{}\n");
    const images = containerImages(rendered(helmTemplate("web", chart, join(work, "empty.yaml")), "edited chart"));
    assert.equal(images.find((c) => c.id.endsWith("/backend"))?.image, `${APP}:${SHA}@${DIGEST}`);
    console.log(`# chart values.yaml edited: ${images.map((c) => `${c.id}: ${c.image}`).join(", ")}`);
  });

  test("the real podinfo chart with the edited real podinfo values (corpus)", { skip: TOOLS.podinfoChart === "" && "PODINFO_CHART is not set" }, () => {
    const dir = join(work, "podinfo");
    mkdirSync(dir, { recursive: true });
    const file = "podinfo__charts__podinfo__values.yaml";
    const original = corpusText("helm-values", file);
    // podinfo's template reads repository and tag only: "{{ .Values.image.repository }}:{{ .Values.image.tag }}".
    const edited = applyImageUpdates("helm", original, file, [backend], { helm: { paths: { backend: { repository: "image.repository", tag: "image.tag" } } } });
    writeFileSync(join(dir, "before.yaml"), original);
    writeFileSync(join(dir, "after.yaml"), edited.text);
    // podinfo's test Pods get random name suffixes (randAlphaNum 5) on every render.
    const steady = (manifests: string) => manifests.replace(/(-test-)[a-z0-9]{5}\b/g, "$1xxxxx");
    const before = steady(rendered(helmTemplate("podinfo", TOOLS.podinfoChart, join(dir, "before.yaml")), "podinfo with the corpus values"));
    const after = steady(rendered(helmTemplate("podinfo", TOOLS.podinfoChart, join(dir, "after.yaml")), "podinfo with the edited values"));
    const images = containerImages(after);
    const beforeImages = new Map(containerImages(before).map((c) => [c.id, c.image]));
    assert.equal(images.find((c) => c.id === "Deployment/podinfo/podinfo")?.image, `${APP}:${SHA}`);
    assert.equal(beforeImages.get("Deployment/podinfo/podinfo"), "ghcr.io/stefanprodan/podinfo:6.14.1");
    assert.equal(withoutImages(after), withoutImages(before), "only the image differs in the rendered chart");
    for (const c of images) console.log(`# podinfo: ${c.id}: ${beforeImages.get(c.id)} -> ${c.image}`);
  });
});
