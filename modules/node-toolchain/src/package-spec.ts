/** What a package.json says about how a component is built and started. */
import type { NodeImageSpec } from "./dockerfile.js";

/** Image settings a pipeline config may give; package.json fills the rest. */
export interface ImageSettings {
  command?: string[];
  files: string[];
  port: number;
  healthPath: string;
  systemPackages: string[];
}

interface PackageJson {
  version?: unknown;
  main?: unknown;
  scripts?: Record<string, unknown>;
}

function parsePackage(packageJson: string, where: string): PackageJson & { version: string } {
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(packageJson) as PackageJson;
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof pkg.version !== "string" || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(pkg.version))
    throw new Error(`${where}: "version" must be a semantic version MAJOR.MINOR.PATCH (got ${JSON.stringify(pkg.version)}); images carry it as their version`);
  return pkg as PackageJson & { version: string };
}

/** The package's semantic version. */
export function packageVersion(packageJson: string, where = "package.json"): string {
  return parsePackage(packageJson, where).version;
}

/** The package's semver and the Dockerfile spec, from its package.json and the settings. */
export function imageSpec(packageJson: string, settings: ImageSettings, where = "package.json"): { version: string; spec: NodeImageSpec } {
  const pkg = parsePackage(packageJson, where);
  const command = settings.command ?? (typeof pkg.main === "string" ? ["node", pkg.main] : undefined);
  if (!command) throw new Error(`${where}: has no "main", and pipeline.yaml sets no image.command: say how the component starts`);
  return {
    version: pkg.version,
    spec: { command, files: settings.files, port: settings.port, healthPath: settings.healthPath, hasBuildScript: typeof pkg.scripts?.build === "string", systemPackages: settings.systemPackages },
  };
}

/** The .dockerignore written beside a generated Dockerfile: the checkout's builds and installs stay out. */
export const DOCKERIGNORE = `${["node_modules", "dist", "build-test", ".git", "*.tsbuildinfo", ".env", ".env.*", ".npmrc"].join("\n")}\n`;
