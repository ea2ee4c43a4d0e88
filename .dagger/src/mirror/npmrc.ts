/** The .npmrc that sends every npm fetch through the mirror; it carries credentials, so it only travels as a secret. */
import { InputError } from "../errors.js";

/** Mirror credentials: a token, with a user name when the mirror wants basic auth (Nexus npm without the bearer realm). */
export interface MirrorAuth {
  username?: string;
  token: string;
}

/** The env variable the .npmrc reads the bare mirror token from (bearer auth). */
export const NPM_TOKEN_ENV = "NPM_TOKEN";
/** The env variable the .npmrc reads base64(user:token) from (basic auth). */
export const NPM_AUTH_ENV = "NPM_AUTH";

/**
 * .npmrc text for the mirror: the default registry, per-scope registries, and an auth line for
 * each distinct registry host+path (npm matches credentials by URL prefix, without the scheme).
 * The auth lines hold no credential: they reference ${NPM_TOKEN} (or ${NPM_AUTH} with a user),
 * which npm expands from the environment. The values travel as secrets of their own
 * (mirrorCredentials), because the engine scrubs exact secret values only: a token folded into
 * the .npmrc secret would not be scrubbed when a tool prints it alone (issue 14 item 8).
 */
export function npmrc(registry: string, scopes: Record<string, string>, auth?: MirrorAuth): string {
  const lines = [`registry=${registry}`, ...Object.entries(scopes).map(([scope, url]) => `${scope}:registry=${url}`)];
  if (auth) {
    oneLine(auth.token);
    for (const url of new Set([registry, ...Object.values(scopes)])) {
      const key = `//${url.replace(/^https?:\/\//, "").replace(/\/?$/, "/")}`;
      lines.push(auth.username ? `${key}:_auth=\${${NPM_AUTH_ENV}}` : `${key}:_authToken=\${${NPM_TOKEN_ENV}}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The values the .npmrc references, by env variable: the bare token always, base64(user:token) with a user. Each becomes a secret of its own. */
export function mirrorCredentials(auth: MirrorAuth): { token: string; basic?: string } {
  const token = oneLine(auth.token);
  return { token, ...(auth.username ? { basic: Buffer.from(`${auth.username}:${token}`).toString("base64") } : {}) };
}

/**
 * The token as the one line an .npmrc value is. file:// and cmd:// secrets keep the file's or the
 * command's final newline, which is dropped. A line break inside is refused: npm would read each
 * further line as a config key of its own and print it in an "Unknown user config" warning, in
 * the build log. The message never shows the value.
 */
function oneLine(token: string): string {
  const value = token.replace(/\r?\n$/, "");
  if (/[\r\n]/.test(value))
    throw new InputError(
      "mirror token: holds a line break, and an .npmrc value is one line (value not shown: it is a secret); pass only the token, e.g. file:// of a file holding just the token, or cmd://\"… | tr -d '\\n'\"",
    );
  return value;
}
