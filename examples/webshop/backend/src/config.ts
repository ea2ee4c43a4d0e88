import { resolveAppVersion } from "./version.js";

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  appVersion: string;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = "0.0.0.0";

export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const trimmed = value.trim();
  const port = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}

/** Reads the configuration from the environment; throws with a readable message if invalid. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  readPackageVersion: () => string,
): Config {
  const databaseUrl = env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    throw new Error("DATABASE_URL is required, e.g. postgresql://user:password@host:5432/webshop");
  }
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error("DATABASE_URL must start with postgresql:// or postgres://");
  }
  return {
    port: parsePort(env.PORT, DEFAULT_PORT),
    host: env.HOST?.trim() || DEFAULT_HOST,
    databaseUrl,
    appVersion: resolveAppVersion(env.APP_VERSION, readPackageVersion),
  };
}
