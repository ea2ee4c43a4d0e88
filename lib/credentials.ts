/**
 * Credentials in text: the one place that knows how a secret hides in a URL or a connection
 * string, for the root module and every module in modules/ (issue 16, "mask in one place"). Like
 * image-reference.ts, a module that lists it under "shared" in its package.json gets a generated
 * copy in src/vendor/; it imports nothing, so that the copy runs anywhere.
 *
 * What is masked (each replaced by `***`, the rest of the text kept so a message still says where):
 * - the password of `scheme://user:password@host` (a password holding an unencoded `@` or `/`
 *   included), and a bare `https://token@host` user (GitHub and Gitea accept a token there);
 * - `user:password@host` without a scheme (`postgres:secret@db:5432`), but not an image
 *   reference's `name:tag@sha256:…`;
 * - the value of a query parameter or a key=value setting whose name says it is a secret
 *   (access_token, token, password, sslpassword, apikey, client_secret, sig…): URL queries, libpq
 *   connection strings (`host=db sslpassword='x y'`) and `;`-separated connection strings; a
 *   Dagger secret reference as the value (`--registry-token=env://TOKEN`) is kept.
 *
 * A mask is for messages; a value that holds credentials is not to be passed on at all as a plain
 * build argument or environment variable (holdsCredentials tells the callers that refuse it).
 */

/** Names of query parameters and key=value settings whose value is a secret (by suffix, any case). */
const SECRET_NAME = "[A-Za-z0-9_.-]*?(?:token|password|passwd|pwd|secret|api[_-]?key|signature|sig)";

/** `name=value` where the name says secret; the value may be quoted as libpq allows. */
const SECRET_SETTING = new RegExp(String.raw`(?<=^|[?&;\s"'(,{])(${SECRET_NAME})(\s*=\s*)('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|[^\s&;#"'<>]*)`, "gi");

/** `scheme://` followed by the rest of the URL (up to whitespace or a quote). */
const SCHEME_URL = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>`]+)/gi;

/**
 * `user:password@` without a scheme, not preceded by a character of a word, path or URL (so not
 * an image path's `app:tag@`), the password up to the last `@` of the word and without a `/` (a
 * `scheme://`, or a port and path before an npm scope); not before a digest (`node:22@sha256:…`).
 */
const BARE_USERINFO = /(?<![\w.%+:/@-])([\w.%+-]+):([^\s"'<>`/]+)@(?!(?:sha256|sha384|sha512|blake3):)(?=[\w[])/gi;

/** The text with every credential it holds replaced by `***`; text without any is returned unchanged. */
export function maskCredentials(text: string): string {
  return text.replace(SCHEME_URL, maskUrl).replace(BARE_USERINFO, "$1:***@").replace(SECRET_SETTING, maskSetting);
}

/** Whether the text holds a credential maskCredentials would hide (a URL with a password or a token parameter). */
export function holdsCredentials(text: string): boolean {
  return maskCredentials(text) !== text;
}

/**
 * Why a value cannot be passed on in plain text (a build argument, an environment variable, an
 * image label: each shows in the engine's traces and stays in the image's history), naming the
 * setting, the masked value and what to do instead; undefined when it holds no credential.
 */
export function credentialProblem(setting: string, value: string): string | undefined {
  if (!holdsCredentials(value)) return undefined;
  return `${setting}: ${JSON.stringify(maskCredentials(value))} carries credentials, and ${setting} is passed on in plain text (build arguments and environment variables show in traces and stay in the image's history); give it without them, and the credential as a secret (e.g. the mirror token)`;
}

/** The value, for a setting passed on in plain text; one that holds a credential throws an Error with credentialProblem's message. */
export function credentialFree(setting: string, value: string): string {
  const problem = credentialProblem(setting, value);
  if (problem !== undefined) throw new Error(problem);
  return value;
}

/** Dagger's secret references (env://NAME, file://path…) name where a secret is, not the secret. */
const SECRET_REFERENCE = /^["']?(?:env|file|cmd|op|vault|libsecret):\/\//i;

function maskSetting(all: string, name: string, equals: string, value: string): string {
  return value === "" || value === "***" || SECRET_REFERENCE.test(value) ? all : `${name}${equals}***`;
}

/** One `scheme://rest` match: its userinfo masked (the query is left to SECRET_SETTING). */
function maskUrl(all: string, scheme: string, rest: string): string {
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  let at = authority.lastIndexOf("@");
  if (at === -1) {
    // A password with an unencoded "/", "?" or "#" ends the authority early (https://u:p/ss@host):
    // the userinfo then runs to the last "@" of the URL, unless what follows ":" is a port.
    const colon = authority.indexOf(":");
    const last = rest.lastIndexOf("@");
    if (colon === -1 || last === -1 || /^\d*$/.test(authority.slice(colon + 1))) return all;
    at = last;
  }
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(":");
  if (colon !== -1) return `${scheme}${userinfo.slice(0, colon)}:***${rest.slice(at)}`;
  // A user without a password: on http(s) it is often a token (https://ghp_…@github.com/…).
  return /^https?:\/\/$/i.test(scheme) && userinfo !== "" ? `${scheme}***${rest.slice(at)}` : all;
}
