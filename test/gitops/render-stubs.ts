/**
 * A self-contained directory for `kustomize build` around a kustomization.yaml taken out of its
 * repository: everything it refers to (resources, patches, transformer configurations, the
 * objects its vars name) becomes a minimal stub. The first resource holds one Deployment with a
 * container per image the test cares about (`<name>:stub`), so the build shows what the images
 * list did to each; a Component is built through a wrapper kustomization that includes it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { parse, stringify } from "yaml";

/** The stub Deployment's name and its containers' names (c0, c1, …) follow the image list. */
export const STUB_DEPLOYMENT = "stub-app";

/** The parts of a kustomization that point at other files. */
interface KustomizationRefs {
  kind?: string;
  resources?: string[];
  components?: string[];
  configurations?: string[];
  patches?: { path?: string }[];
  patchesStrategicMerge?: string[];
  vars?: { objref?: { kind?: string; name?: string; apiVersion?: string } }[];
}

/** A Deployment with one container per image, `<image>:stub`. */
export function stubDeployment(images: readonly string[]): string {
  return stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: STUB_DEPLOYMENT },
    spec: {
      selector: { matchLabels: { app: STUB_DEPLOYMENT } },
      template: { metadata: { labels: { app: STUB_DEPLOYMENT } }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image: `${image}:stub` })) } },
    },
  });
}

const configMap = (name: string) => stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { stub: "true" } });

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** How many directories up the kustomization's references reach (the stub tree nests it that deep). */
function depthOf(paths: readonly string[]): number {
  return Math.max(
    0,
    ...paths.map(
      (p) =>
        posix
          .normalize(p)
          .split("/")
          .filter((s) => s === "..").length,
    ),
  );
}

/**
 * Write the kustomization and its stubs under `root`; returns the directory to build. `images` are
 * the image names the stub Deployment runs (the kustomization's entries and the updated repositories).
 */
export function stubTree(root: string, kustomization: string, images: readonly string[]): string {
  const k = (parse(kustomization) ?? {}) as KustomizationRefs;
  const resources = k.resources ?? [];
  const patchFiles = [...(k.patches ?? []).flatMap((p) => (p.path ? [p.path] : [])), ...(k.patchesStrategicMerge ?? [])];
  const referenced = [...resources, ...(k.components ?? []), ...(k.configurations ?? []), ...patchFiles];
  const home = join(root, ...Array.from({ length: depthOf(referenced) }, (_, i) => `d${i}`));
  const isComponent = k.kind === "Component";
  // A Component cannot be built alone: it goes in component/, built through main/.
  const dir = isComponent ? join(home, "main") : join(home, "k");
  const own = isComponent ? join(home, "component") : dir;
  write(join(own, "kustomization.yaml"), kustomization);
  const deployment = stubDeployment(images);
  const varObjects = (k.vars ?? []).flatMap((v) =>
    v.objref?.kind && v.objref.name ? [stringify({ apiVersion: v.objref.apiVersion ?? "v1", kind: v.objref.kind, metadata: { name: v.objref.name }, spec: {} })] : [],
  );
  if (isComponent) {
    write(join(dir, "deployment.yaml"), deployment);
    write(join(dir, "kustomization.yaml"), stringify({ resources: ["deployment.yaml"], components: ["../component"] }));
  }
  resources.forEach((resource, i) => {
    const first = i === 0 && !isComponent;
    const docs = first ? [deployment, ...varObjects] : [configMap(`stub-${i}`)];
    const target = join(own, resource);
    if (/\.ya?ml$/.test(resource)) write(target, docs.join("---\n"));
    else {
      write(join(target, "resources.yaml"), docs.join("---\n"));
      write(join(target, "kustomization.yaml"), stringify({ resources: ["resources.yaml"] }));
    }
  });
  // A strategic merge patch that matches the stub Deployment and changes nothing but an annotation.
  patchFiles.forEach((file, i) => write(join(own, file), stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: STUB_DEPLOYMENT, annotations: { [`stub-patch-${i}`]: "true" } } })));
  for (const file of k.configurations ?? []) write(join(own, file), "images: []\n");
  return dir;
}

/** The example's backend as a plain Deployment (`app: backend`), running `image`, for render tests that edit or wrap it. */
export function backendDeployment(image: string, extra = ""): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  selector: { matchLabels: { app: backend } }
  template:
    metadata: { labels: { app: backend } }
    spec:
      containers:
        - name: backend
          image: ${image}
${extra}`;
}
