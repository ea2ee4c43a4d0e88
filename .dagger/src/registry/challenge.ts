/** `WWW-Authenticate` challenges, e.g. `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"`. */

/** One challenge: the scheme (lower case) and its parameters (names in lower case). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Every challenge of a header value (several may share one header, comma separated). */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const scanner = /\s*,?\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?/gy;
  let current: Challenge | undefined;
  for (let m = scanner.exec(header); m !== null && m[0] !== ""; m = scanner.exec(header)) {
    const [, name, quoted, bare] = m;
    if (quoted === undefined && bare === undefined) challenges.push((current = { scheme: name.toLowerCase(), params: {} }));
    else if (current) current.params[name.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : (bare ?? "");
  }
  return challenges;
}
