/** The steps of a reproducible npm install, as data the Dagger module and tests share. */

/** The npm download cache, shared between runs; `npm ci` still verifies every integrity hash. */
export const NPM_CACHE = { path: "/root/.npm", key: "node-toolchain-npm-cache" } as const;

/** One copy step into the image, optionally followed by a command. */
export interface InstallLayer {
  include?: string[];
  exclude: string[];
  exec?: string[];
}

// Built output and installed packages of the caller's checkout must never leak into the image.
const NEVER_COPIED = ["node_modules", "dist", ".git"];

/** Copy the manifests and install, then copy the rest: ordered from least to most often changed. */
export function installLayers(): InstallLayer[] {
  return [
    { include: ["package.json", "package-lock.json", ".npmrc"], exclude: [], exec: ["npm", "ci", "--no-audit", "--no-fund"] },
    { exclude: NEVER_COPIED },
  ];
}

/** Environment that points npm at the mirror; npm reads npm_config_* variables as its settings. */
export function npmEnvironment(registry: string): [string, string][] {
  const env: [string, string][] = [["CI", "true"]];
  if (registry !== "") env.push(["npm_config_registry", registry]);
  return env;
}
