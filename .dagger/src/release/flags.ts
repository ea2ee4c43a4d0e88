/**
 * Feature flags per environment: declared under `features` in pipeline.yaml, switched per
 * environment, written by promotion into the environment in the form its format reads: a
 * ConfigMap (kustomize, manifests), a values key (helm) or an env file (compose). Unfinished
 * features ship switched off where a flag says so.
 */
import { Document, isMap, isSeq, parseDocument } from "../vendor/yaml.js";
import type { PipelineConfig } from "../config/schema.js";
import { InputError } from "../errors.js";

/** The flags of an environment: its own values over the declared defaults. */
export function flagsOf(config: PipelineConfig, environment: string): Record<string, boolean> {
  const own = config.environments[environment]?.flags ?? {};
  return Object.fromEntries(Object.entries(config.features).map(([name, f]) => [name, own[name] ?? f.default]));
}

/** Name of the ConfigMap holding an application's flags. */
export const flagsConfigMap = (application: string) => `${application}-feature-flags`;
/** File of the flags in a kustomize or manifests environment. */
export const FLAGS_MANIFEST = "feature-flags.yaml";
/** File of the flags in a compose environment (services read it with env_file). */
export const FLAGS_ENV_FILE = "feature-flags.env";
/** Key of the flags in Helm values. */
export const HELM_FLAGS_KEY = "featureFlags";

/** The ConfigMap manifest of the flags. */
export function flagsManifest(application: string, environment: string, flags: Record<string, boolean>): string {
  const doc = new Document({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: flagsConfigMap(application) }, data: Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, String(v)])) });
  doc.commentBefore = ` Feature flags of ${environment}, written by promotion from pipeline.yaml (features, environments.${environment}.flags).`;
  return doc.toString();
}

/** The env file of the flags: FEATURE_<NAME>=true|false. */
export function flagsEnvFile(environment: string, flags: Record<string, boolean>): string {
  const lines = Object.entries(flags).map(([k, v]) => `FEATURE_${k.toUpperCase().replace(/[^A-Z0-9]/g, "_")}=${v}`);
  return `# Feature flags of ${environment}, written by promotion from pipeline.yaml.\n${lines.join("\n")}\n`;
}

/** A kustomization that lists the flags manifest among its resources (added once, formatting kept). */
export const withFlagsResource = (kustomization: string, file: string): string => withResource(kustomization, file, FLAGS_MANIFEST);

/** A kustomization that lists `resource` (a file beside it) among its resources, or another list such as configurations (added once, formatting kept). */
export function withResource(kustomization: string, file: string, resource: string, list = "resources"): string {
  const doc = parseDocument(kustomization);
  if (doc.errors.length > 0) throw new InputError(`${file}: is not valid YAML: ${doc.errors[0].message}`);
  if (!isMap(doc.contents)) throw new InputError(`${file}: is not a kustomization (a mapping)`);
  const resources = doc.get(list);
  if (resources !== undefined && !isSeq(resources)) throw new InputError(`${file}: ${list} must be a list`);
  if (isSeq(resources) && resources.items.some((i) => String((i as { value?: unknown }).value ?? i) === resource)) return kustomization;
  if (isSeq(resources)) resources.add(doc.createNode(resource));
  else doc.set(list, doc.createNode([resource]));
  return doc.toString();
}

/** Helm values with the flags under featureFlags (other lines kept). */
export function withHelmFlags(values: string, file: string, flags: Record<string, boolean>): string {
  const doc = parseDocument(values);
  if (doc.errors.length > 0) throw new InputError(`${file}: is not valid YAML: ${doc.errors[0].message}`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new InputError(`${file}: Helm values must be a mapping`);
  for (const [name, value] of Object.entries(flags)) doc.setIn([HELM_FLAGS_KEY, name], value);
  return doc.toString();
}
