/**
 * The real deployment files of the shared corpus (copied to test/fixtures/gitops/corpus, sources
 * in its README) and the updates each one gets in the tests: a repository it already names
 * (spelled the way the file does or the canonical way) and, for kustomize, one it does not.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { HelmImagePaths, ImageUpdate } from "../../modules/gitops/src/edit/index.js";
import { update } from "./edit-assert.js";

/** Where the copied corpus lives. */
export const CORPUS = join(import.meta.dirname, "../fixtures/gitops/corpus");

/** Our own repository, which no corpus file names. */
export const BACKEND = "registry.example.com/acme/webshop/backend";

/** One corpus file and what to apply to it. */
export interface CorpusCase {
  file: string;
  updates: ImageUpdate[];
  /** Helm only: paths of each component. */
  paths?: Record<string, HelmImagePaths>;
  /** Repositories the file does not reference (compose). */
  unmatched?: string[];
}

/** Read a corpus file. */
export const corpusText = (dir: string, file: string) => readFileSync(join(CORPUS, dir, file), "utf8");

/** Every file of a corpus folder (the tests check each has a case). */
export const corpusFiles = (dir: string) => readdirSync(join(CORPUS, dir)).sort();

/** kustomization.yaml files: an existing entry each (by name, by newName, with docker.io shorthand) plus our backend, appended. */
export const KUSTOMIZE: CorpusCase[] = [
  { file: "argo-cd__manifests__base__kustomization.yaml", updates: [update("quay.io/argoproj/argocd"), update(BACKEND)] },
  { file: "argo-cd__manifests__base__redis__kustomization.yaml", updates: [update("docker.io/library/redis"), update(BACKEND)] },
  { file: "argo-cd__reposerver__repository__testdata__app-parameters__multi__kustomization.yaml", updates: [update("quay.io/argoprojlabs/argocd-e2e-container"), update(BACKEND)] },
  { file: "argo-cd__test__manifests__cmp__kustomization.yaml", updates: [update("quay.io/argoproj/argocd"), update(BACKEND)] },
  { file: "argo-rollouts__docs__features__kustomize__example__kustomization.yaml", updates: [update("docker.io/argoproj/rollouts-demo"), update(BACKEND)] },
  { file: "argo-rollouts__manifests__crds__kustomization.yaml", updates: [update(BACKEND)] },
  { file: "argo-rollouts__test__kustomize__rollout__kustomization.yaml", updates: [update("guestbook"), update(BACKEND)] },
  { file: "argocd-image-updater__config__manager__kustomization.yaml", updates: [update("quay.io/argoprojlabs/argocd-image-updater"), update(BACKEND)] },
  { file: "flux2-kustomize-helm-example__apps__production__kustomization.yaml", updates: [update(BACKEND)] },
  { file: "image-automation-controller__config__manager__kustomization.yaml", updates: [update("docker.io/fluxcd/image-automation-controller"), update(BACKEND)] },
  {
    file: "kubeflow-manifests__applications__pipeline__upstream__env__dev__kustomization.yaml",
    updates: [update("ghcr.io/kubeflow/kfp-frontend"), update("ghcr.io/kubeflow/kfp-inverse-proxy-agent"), update(BACKEND)],
  },
  { file: "kubeflow-manifests__applications__pipeline__upstream__third-party__prometheus__kustomization.yaml", updates: [update("docker.io/prom/prometheus"), update(BACKEND)] },
  { file: "kubeflow-manifests__applications__trainer__upstream__overlays__runtimes__kustomization.yaml", updates: [update("ghcr.io/kubeflow/trainer/mlx-runtime"), update(BACKEND)] },
  { file: "kubeflow-manifests__common__istio__istio-install__base__kustomization.yaml", updates: [update("docker.io/library/busybox"), update(BACKEND)] },
  // The last entry of this file has no final line break (and a truncated digest, which is replaced).
  { file: "kustomize__examples__transformerconfigs__images__kustomization.yaml", updates: [update("my-mysql"), update("docker.io/library/docker"), update(BACKEND)] },
  {
    file: "microservices-demo__kustomize__components__container-images-registry__kustomization.yaml",
    updates: [update("us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend"), update(BACKEND)],
  },
  {
    file: "microservices-demo__kustomize__components__container-images-tag__kustomization.yaml",
    updates: [update("us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend"), update(BACKEND)],
  },
];

/** The usual repository/tag/digest paths under a prefix; `registry` for charts that keep the registry in its own value. */
const paths = (prefix: string, digest = true, registry = false): HelmImagePaths => ({
  repository: `${prefix}.repository`,
  tag: `${prefix}.tag`,
  ...(digest ? { digest: `${prefix}.digest` } : {}),
  ...(registry ? { registry: `${prefix}.registry` } : {}),
});

/**
 * Helm values: the paths each chart reads its images from. Charts with a separate `registry`
 * value (bitnami, argo-rollouts, node-exporter) get it as a path of its own: without it the chart
 * would render `<its registry>/<our registry>/…`, which the editor refuses (edit-helm-registry.test.ts).
 */
export const HELM: CorpusCase[] = [
  {
    file: "argo-helm__charts__argo-cd__values.yaml",
    updates: [update(BACKEND, { component: "server" }), update("registry.example.com/acme/dex", { component: "dex" })],
    paths: { server: paths("global.image", false), dex: paths("dex.image") },
  },
  { file: "argo-helm__charts__argo-rollouts__values.yaml", updates: [update(BACKEND, { component: "backend" })], paths: { backend: paths("controller.image", false, true) } },
  { file: "argo-helm__charts__argocd-image-updater__values.yaml", updates: [update(BACKEND, { component: "backend" })], paths: { backend: paths("image") } },
  { file: "bitnami-charts__bitnami__nginx__values.yaml", updates: [update(BACKEND, { component: "backend" })], paths: { backend: paths("image", true, true) } },
  {
    file: "bitnami-charts__bitnami__postgresql__values.yaml",
    updates: [update(BACKEND, { component: "backend" }), update("registry.example.com/acme/exporter", { component: "exporter" })],
    paths: { backend: paths("image", true, true), exporter: paths("metrics.image", true, true) },
  },
  { file: "bitnami-charts__bitnami__redis__values.yaml", updates: [update(BACKEND, { component: "backend" })], paths: { backend: paths("sentinel.image", true, true) } },
  { file: "podinfo__charts__podinfo__values.yaml", updates: [update(BACKEND, { component: "backend" })], paths: { backend: paths("image") } },
  { file: "prometheus-community-helm-charts__charts__prometheus-node-exporter__values.yaml", updates: [update(BACKEND, { component: "backend" })], paths: { backend: paths("image", true, true) } },
  {
    file: "prometheus-community-helm-charts__charts__prometheus__values.yaml",
    updates: [update(BACKEND, { component: "backend" }), update("registry.example.com/acme/reloader", { component: "reloader" })],
    paths: { backend: paths("server.image"), reloader: paths("configmapReload.prometheus.image") },
  },
];

/** Compose files: repositories spelled as Docker Hub shorthand, canonical, or with index.docker.io. */
export const COMPOSE: CorpusCase[] = [
  { file: "awesome-compose__elasticsearch-logstash-kibana__compose.yaml", updates: [update("docker.io/library/elasticsearch"), update("kibana")] },
  { file: "awesome-compose__gitea-postgres__compose.yaml", updates: [update("gitea/gitea"), update("docker.io/library/postgres")] },
  { file: "awesome-compose__nginx-golang-mysql__compose.yaml", updates: [update("mariadb"), update("index.docker.io/library/nginx")] },
  { file: "awesome-compose__nginx-golang-postgres__compose.yaml", updates: [update("postgres"), update("nginx"), update(BACKEND)], unmatched: [BACKEND] },
  { file: "awesome-compose__react-java-mysql__compose.yaml", updates: [update("docker.io/library/mariadb")] },
  { file: "awesome-compose__wordpress-mysql__compose.yaml", updates: [update("wordpress"), update("mariadb")] },
  { file: "example-voting-app__docker-compose.yml", updates: [update("redis"), update("docker.io/library/postgres")] },
  // Every image here is ${VARIABLE}-interpolated: nothing can be matched, nothing changes.
  { file: "opentelemetry-demo__compose.observability.yaml", updates: [update(BACKEND)], unmatched: [BACKEND] },
];
