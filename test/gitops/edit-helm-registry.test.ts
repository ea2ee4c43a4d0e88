/**
 * Helm charts that keep the registry in its own value (Bitnami's image.registry + image.repository
 * + image.tag/digest) and charts that read the digest as bare hex: the image the chart renders is
 * ours exactly once (never `<chart registry>/<our registry>/…`, never `sha256:sha256:`), or the
 * edit is refused naming the file, the value and the pipeline.yaml key that fixes it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { HelmPaths } from "../../.dagger/src/config/schema.js";
import { parseImageReferenceStrict } from "../../lib/image-reference.js";
import { applyImageUpdates, type HelmImagePaths } from "../../modules/gitops/src/edit/index.js";
import { BACKEND, corpusText } from "./corpus-cases.js";
import { applyAndCheck, assertEditError, DIGEST, SHA, update } from "./edit-assert.js";

const NGINX = "bitnami-charts__bitnami__nginx__values.yaml";
const PROXY = "kube-rbac-proxy.values.yaml";
const proxyText = readFileSync(join(import.meta.dirname, "../fixtures/gitops/helm-registry", PROXY), "utf8");
const backend = update(BACKEND, { component: "backend" });
const helm = (paths: HelmImagePaths) => ({ helm: { paths: { backend: paths } } });
const at = (text: string, path: string) => path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], parse(text));

describe("Helm: a registry in its own value", () => {
  test("without a registry path, a chart with image.registry is refused: it would render docker.io/registry.example.com/…", () => {
    assertEditError(() => applyImageUpdates("helm", corpusText("helm-values", NGINX), NGINX, [backend], helm({ repository: "image.repository", tag: "image.tag", digest: "image.digest" })), {
      file: NGINX,
      path: "image.registry",
      line: 87,
      value: /^"docker\.io"$/,
      expected: /^helm\.backend\.registry: image\.registry in pipeline\.yaml/,
    });
  });

  test("with one, the registry and the name below it go to their own values: the chart renders our image once (real Bitnami values)", () => {
    const result = applyAndCheck(
      "helm",
      corpusText("helm-values", NGINX),
      NGINX,
      [backend],
      helm({ registry: "image.registry", repository: "image.repository", tag: "image.tag", digest: "image.digest" }),
    );
    // Bitnami's common.images.image renders <registry>/<repository>:<tag>@<digest> (digest wins over the tag for the runtime).
    const rendered = `${at(result.text, "image.registry")}/${at(result.text, "image.repository")}:${at(result.text, "image.tag")}@${at(result.text, "image.digest")}`;
    assert.equal(rendered, `${BACKEND}:${SHA}@${DIGEST}`);
    assert.deepEqual(parseImageReferenceStrict(rendered), { registry: "registry.example.com", repository: "acme/webshop/backend", tag: SHA, digest: DIGEST });
  });

  test("a registry with a port and a Docker Hub repository split where the chart joins them", () => {
    for (const [repository, registry, name] of [
      ["localhost:5000/acme/app", "localhost:5000", "acme/app"],
      ["docker.io/acme/app", "docker.io", "acme/app"],
    ] as const) {
      const result = applyAndCheck(
        "helm",
        corpusText("helm-values", NGINX),
        NGINX,
        [update(repository, { component: "backend" })],
        helm({ registry: "image.registry", repository: "image.repository", tag: "image.tag" }),
      );
      assert.equal(at(result.text, "image.registry"), registry);
      assert.equal(at(result.text, "image.repository"), name);
    }
  });

  test("an empty sibling registry is no conflict (the chart renders the repository alone)", () => {
    const text = 'image:\n  registry: ""\n  repository: nginx\n  tag: "1"\n';
    const result = applyAndCheck("helm", text, "values.yaml", [backend], helm({ repository: "image.repository", tag: "image.tag" }));
    assert.equal(at(result.text, "image.repository"), BACKEND);
  });
});

describe("Helm: the digest format per path", () => {
  const proxy: HelmImagePaths = { registry: "kubeRBACProxy.image.registry", repository: "kubeRBACProxy.image.repository", tag: "kubeRBACProxy.image.tag", digest: "kubeRBACProxy.image.sha" };

  test("bare: the hex alone, so a template writing @sha256:{{ .sha }} renders one sha256:", () => {
    const result = applyAndCheck("helm", proxyText, PROXY, [backend], helm({ ...proxy, digestFormat: "bare" }));
    const sha = at(result.text, "kubeRBACProxy.image.sha");
    assert.equal(sha, DIGEST.slice("sha256:".length));
    const rendered = `${at(result.text, "kubeRBACProxy.image.registry")}/${at(result.text, "kubeRBACProxy.image.repository")}:${at(result.text, "kubeRBACProxy.image.tag")}@sha256:${sha}`;
    assert.equal(rendered, `${BACKEND}:${SHA}@${DIGEST}`);
    assert.ok(!result.text.includes("sha256:sha256:"));
  });

  test("prefixed (the default) on a value holding bare hex, and bare on one holding sha256:, are refused rather than doubled", () => {
    const hex = "ab".repeat(32);
    const withHex = proxyText.replace('sha: ""', `sha: "${hex}"`);
    assertEditError(() => applyImageUpdates("helm", withHex, PROXY, [backend], helm(proxy)), {
      file: PROXY,
      path: "kubeRBACProxy.image.sha",
      value: new RegExp(`^"${hex}"$`),
      expected: /^helm\.backend\.digestFormat: bare/,
    });
    const withPrefix = proxyText.replace('sha: ""', `sha: "sha256:${hex}"`);
    assertEditError(() => applyImageUpdates("helm", withPrefix, PROXY, [backend], helm({ ...proxy, digestFormat: "bare" })), {
      file: PROXY,
      path: "kubeRBACProxy.image.sha",
      value: /^"sha256:/,
      expected: /^helm\.backend\.digestFormat: prefixed/,
    });
  });

  test("an unknown digest format is refused with the valid ones", () => {
    assertEditError(() => applyImageUpdates("helm", proxyText, PROXY, [backend], helm({ ...proxy, digestFormat: "hex" as never })), {
      file: PROXY,
      path: "helm.backend.digestFormat",
      value: /^"hex"$/,
      expected: /^one of prefixed, bare$/,
    });
  });
});

describe("pipeline.yaml: environments.<env>.helm.<component>", () => {
  test("takes a registry path and a digest format; refuses another format and a registry that is not a path", () => {
    assert.equal(HelmPaths.safeParse({ repository: "image.repository", tag: "image.tag", digest: "image.sha", registry: "image.registry", digestFormat: "bare" }).success, true);
    const format = HelmPaths.safeParse({ repository: "a.repository", tag: "a.tag", digestFormat: "hex" });
    assert.equal(format.success, false);
    assert.deepEqual(
      format.error?.issues.map((i) => i.path.join(".")),
      ["digestFormat"],
    );
    const registry = HelmPaths.safeParse({ repository: "a.repository", tag: "a.tag", registry: "docker.io/x" });
    assert.match(registry.error?.issues[0]?.message ?? "", /must be a dotted values path such as backend\.image\.registry/);
  });
});
