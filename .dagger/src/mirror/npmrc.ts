/** The .npmrc that sends every npm fetch through the mirror; it carries credentials, so it only travels as a secret. */

/** Mirror credentials: a token, with a user name when the mirror wants basic auth (Nexus npm without the bearer realm). */
export interface MirrorAuth {
  username?: string;
  token: string;
}

/**
 * .npmrc text for the mirror: the default registry, per-scope registries, and an auth line for
 * each distinct registry host+path (npm matches credentials by URL prefix, without the scheme).
 */
export function npmrc(registry: string, scopes: Record<string, string>, auth?: MirrorAuth): string {
  const lines = [`registry=${registry}`, ...Object.entries(scopes).map(([scope, url]) => `${scope}:registry=${url}`)];
  if (auth) {
    for (const url of new Set([registry, ...Object.values(scopes)])) {
      const key = `//${url.replace(/^https?:\/\//, "").replace(/\/?$/, "/")}`;
      lines.push(auth.username ? `${key}:_auth=${Buffer.from(`${auth.username}:${auth.token}`).toString("base64")}` : `${key}:_authToken=${auth.token}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
