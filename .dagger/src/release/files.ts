/** Which files of the GitOps repository an environment's promotion rewrites, by format. */
import type { Environment } from "../config/schema.js";
import { ADMISSION_MANIFEST } from "./admission.js";
import { FLAGS_ENV_FILE, FLAGS_MANIFEST } from "./flags.js";
import { ROLLOUTS_MANIFEST } from "./rollouts.js";

/** Default deployment file of each format, relative to the environment's path. */
const DEFAULT_FILE: Record<Environment["format"], string | undefined> = { kustomize: "kustomization.yaml", helm: "values.yaml", compose: "compose.yaml", manifests: undefined };

/** The deployment files to rewrite: the configured or default file, or every YAML file of a manifests folder. */
export function deploymentFiles(env: Environment, filesInFolder: string[]): string[] {
  const dir = env.path.replace(/\/+$/, "");
  const file = env.file ?? DEFAULT_FILE[env.format];
  if (file) return [`${dir}/${file}`];
  return filesInFolder.filter((f) => /\.ya?ml$/.test(f) && f !== FLAGS_MANIFEST && f !== ADMISSION_MANIFEST && f !== ROLLOUTS_MANIFEST).map((f) => `${dir}/${f}`);
}

/** Where the environment's feature flags go, by format (helm: into the values file itself). */
export function flagsFile(env: Environment): string | undefined {
  const dir = env.path.replace(/\/+$/, "");
  if (env.format === "compose") return `${dir}/${FLAGS_ENV_FILE}`;
  if (env.format === "helm") return undefined;
  return `${dir}/${FLAGS_MANIFEST}`;
}
