/** The steps of a reproducible npm install, as data the Dagger module and tests share. */
import { credentialFree } from "./vendor/credentials.js";

/** The npm download cache, shared between runs; `npm ci` still verifies every integrity hash. */
export const NPM_CACHE = { path: "/root/.npm", key: "node-toolchain-npm-cache" } as const;

/** One copy step into the image, optionally followed by a command. */
export interface InstallLayer {
  include?: string[];
  exclude: string[];
  exec?: string[];
  /** The command installs dependencies: the only step that sees the .npmrc secret. */
  installs?: boolean;
}

// Built output and installed packages of the caller's checkout must never leak into the image.
const NEVER_COPIED = ["node_modules", "dist", ".git"];

/** Copy the manifests and install, then copy the rest: ordered from least to most often changed. */
export function installLayers(): InstallLayer[] {
  return [{ include: ["package.json", "package-lock.json", ".npmrc"], exclude: [], exec: ["npm", "ci", "--no-audit", "--no-fund"], installs: true }, { exclude: NEVER_COPIED }];
}

/** Environment that points npm at the mirror; npm reads npm_config_* variables as its settings. */
export function npmEnvironment(registry: string): [string, string][] {
  // No update check: it would ask registry.npmjs.org, around the mirror.
  const env: [string, string][] = [
    ["CI", "true"],
    ["npm_config_update_notifier", "false"],
  ];
  if (registry !== "") env.push(["npm_config_registry", credentialFree("registry", registry)]);
  return env;
}

/** Where a check with junit=true leaves node's test runner JUnit report (the root module reads it there). */
export const JUNIT_REPORT = "/reports/junit.xml";

/**
 * Reporters for node's test runner, through NODE_OPTIONS so that any `npm test` that uses it
 * writes JUnit without the package changing its scripts; the spec reporter keeps the log readable.
 */
export const JUNIT_NODE_OPTIONS = `--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=${JUNIT_REPORT}`;
