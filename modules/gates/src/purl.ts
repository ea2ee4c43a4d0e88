/**
 * Package URLs (https://github.com/package-url/purl-spec), read as far as VEX matching needs:
 * `pkg:type/namespace/name@version?qualifiers#subpath`. Components are percent-decoded; the type
 * is compared without case. A `@` counts as the version separator only after the last `/`, so an
 * unencoded npm scope (`pkg:npm/@angular/core`) is read as a namespace, not as a version.
 */

/** The parts of a package URL. */
export interface PackageUrl {
  /** Lower case: oci, docker, apk, deb, npm, golang, … */
  type: string;
  /** Decoded, "/"-joined; "" when there is none. */
  namespace: string;
  name: string;
  /** Decoded; undefined when the purl names no version. */
  version?: string;
  /** Decoded values by lower-case key. */
  qualifiers: Record<string, string>;
}

/** A package URL's parts, or undefined when the string is not one. */
export function parsePurl(text: string): PackageUrl | undefined {
  if (!text.toLowerCase().startsWith("pkg:")) return undefined;
  let rest = text.slice(4).replace(/^\/+/, "");
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const qualifiers: Record<string, string> = {};
  const question = rest.indexOf("?");
  if (question >= 0) {
    for (const pair of rest.slice(question + 1).split("&")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const value = decode(pair.slice(eq + 1));
      if (value === undefined) return undefined;
      qualifiers[pair.slice(0, eq).toLowerCase()] = value;
    }
    rest = rest.slice(0, question);
  }
  let version: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at > rest.lastIndexOf("/")) {
    version = decode(rest.slice(at + 1));
    if (version === undefined) return undefined;
    rest = rest.slice(0, at);
  }
  const segments = rest.split("/").filter((s) => s !== "");
  if (segments.length < 2) return undefined;
  const decoded = segments.slice(1).map(decode);
  if (decoded.some((s) => s === undefined)) return undefined;
  const parts = decoded as string[];
  return { type: segments[0].toLowerCase(), namespace: parts.slice(0, -1).join("/"), name: parts[parts.length - 1], ...(version !== undefined && version !== "" ? { version } : {}), qualifiers };
}

/** Percent-decoding that returns undefined instead of throwing on a malformed escape. */
function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Whether `pattern` (a VEX subcomponent) names the package `actual` (a finding's purl): same type,
 * namespace and name; the pattern's version, when it has one, equal; each of its qualifiers
 * present with the same value. A pattern without version or qualifiers covers every version and
 * variant, as Trivy reads VEX purls.
 */
export function purlCovers(pattern: PackageUrl, actual: PackageUrl): boolean {
  if (pattern.type !== actual.type || pattern.namespace !== actual.namespace || pattern.name !== actual.name) return false;
  if (pattern.version !== undefined && pattern.version !== actual.version) return false;
  return Object.entries(pattern.qualifiers).every(([k, v]) => actual.qualifiers[k] === v);
}
