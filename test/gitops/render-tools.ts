/**
 * The real renderers for the write-back integration test: `kustomize build` and `helm template`
 * (binaries from scripts/integration/gitops-render.sh), and the container images of what they render.
 */
import { spawnSync } from "node:child_process";
import { parseAllDocuments } from "yaml";

/** The binaries, from the environment the script sets. */
export const TOOLS = {
  kustomize: process.env.KUSTOMIZE_BIN ?? "",
  helm: process.env.HELM_BIN ?? "",
  podinfoChart: process.env.PODINFO_CHART ?? "",
  tmp: process.env.GITOPS_RENDER_TMP ?? "",
};

/** The outcome of a renderer: its stdout, or its error output. */
export type Rendered = { ok: true; manifests: string } | { ok: false; error: string };

function run(bin: string, args: string[]): Rendered {
  const r = spawnSync(bin, args, { encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  return r.status === 0 ? { ok: true, manifests: r.stdout } : { ok: false, error: (r.stderr || r.stdout).trim() };
}

/** `kustomize build <dir>`, with extra flags where a kustomization needs them. */
export const kustomizeBuild = (dir: string, flags: string[] = []) => run(TOOLS.kustomize, ["build", ...flags, dir]);

/** The Kubernetes version charts are rendered for (helm template assumes an old one, below podinfo's kubeVersion). */
export const KUBE_VERSION = "1.33.0";

/** `helm template <release> <chart> -f <values>` for KUBE_VERSION. */
export const helmTemplate = (release: string, chart: string, values: string) => run(TOOLS.helm, ["template", release, chart, "-f", values, "--kube-version", KUBE_VERSION]);

/** One container of a rendered object. */
export interface RenderedContainer {
  /** kind/name/container, e.g. Deployment/stub-app/c0. */
  id: string;
  image: string;
}

/** Every container and init container of every Pod template in the rendered manifests. */
export function containerImages(manifests: string): RenderedContainer[] {
  const out: RenderedContainer[] = [];
  for (const doc of parseAllDocuments(manifests) as unknown as { toJS(): unknown }[]) {
    const o = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> } | null;
    if (!o?.spec) continue;
    const jobTemplate = (o.spec.jobTemplate as { spec?: { template?: { spec?: unknown } } } | undefined)?.spec?.template?.spec;
    const podSpec = (o.kind === "Pod" ? o.spec : (jobTemplate ?? (o.spec.template as { spec?: unknown } | undefined)?.spec)) as Record<string, { name: string; image: string }[]> | undefined;
    for (const field of ["initContainers", "containers"]) for (const c of podSpec?.[field] ?? []) out.push({ id: `${o.kind}/${o.metadata?.name}/${c.name}`, image: c.image });
  }
  return out;
}

/** The rendered manifests with every container image blanked, to compare everything else. */
export function withoutImages(manifests: string): string {
  return manifests.replace(/^(\s*-?\s*image:\s*).*$/gm, "$1<image>");
}
