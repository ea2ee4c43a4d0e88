/**
 * Image references: one grammar for the root module and every module in modules/. The engine
 * loads each module from its own folder only, so this file is not imported from here: a module
 * that lists it under "shared" in its package.json gets a generated copy in src/vendor/
 * (npm run generate, scripts/vendor.ts; test/load-cost.test.ts fails when a copy drifts). It
 * imports nothing, so that the copy runs anywhere.
 *
 * The grammar is the one of distribution/reference (regexp.go, normalize.go; the Go library
 * docker, containerd and BuildKit parse references with, and go-digest for digests):
 *
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [ domain "/" ] path-component [ "/" path-component ]*   (at most 255 characters)
 *   domain         := host [ ":" port ]        host := domain-name | "[" IPv6 address "]"
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest         := algorithm ":" hex        (sha256: 64, sha384: 96, sha512: 128 lowercase hex digits)
 *
 * Two readings of it:
 * - parseImageReference, lenient, for other people's files (deployment manifests, Aspire manifests,
 *   base images): Docker Hub shorthand is normalised as docker does it (nginx is
 *   docker.io/library/nginx, bitnami/redis is docker.io/bitnami/redis), and anything that is not a
 *   reference is undefined rather than an error.
 * - parseImageReferenceStrict, for the references we write and are given for our own images: the
 *   registry comes first (no Docker Hub shorthand: it would be guessed), the tag is never `latest`
 *   (images are addressed by git SHA and digest), digests are sha256; a bad one throws an
 *   ImageReferenceError naming the reference, what is wrong and what is valid.
 */

/** A parsed image reference; `registry` is `host[:port]`, `repository` the path below it. */
export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** A reference that is not one of ours as we write them; the message names the input, the problem and what is valid. */
export class ImageReferenceError extends Error {
  /** The reference as given. */
  readonly input: string;
  /** What is wrong with it and what would be valid. */
  readonly problem: string;
  constructor(input: string, problem: string) {
    // JSON quoting escapes newlines and terminal escapes: a reference from an argument must not forge log lines.
    super(`image reference ${JSON.stringify(input)}: ${problem.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}`);
    this.name = "ImageReferenceError";
    this.input = input;
    this.problem = problem;
  }
}

// The grammar's parts, as regexp.go spells them (RE2 and ECMAScript agree on these).
const ALPHANUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_NAME_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_NAME = `${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*`;
const IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;

/**
 * A reference in the grammar, as a pattern for schemas (an editor's JSON Schema carries it). It
 * cannot check everything parseImageReference checks (name length, digest algorithm and length).
 */
export const IMAGE_REFERENCE_PATTERN = new RegExp(`^${NAME}(?::${TAG})?(?:@${DIGEST})?$`);

/**
 * A registry with an optional repository path below it, `host[:port][/path]` (where our images
 * go, or a mirror's prefix), the host one by docker's rule (a "." or ":" in it, or localhost).
 */
export const REGISTRY_PREFIX_PATTERN = new RegExp(`^(?=localhost(?:[:/]|$)|[^/]*[.:])${DOMAIN}(?:/${PATH_COMPONENT})*$`);

/** A sha256 digest as registries write it, the only kind our images carry. */
export const SHA256_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** What one of our references looks like, for messages. */
export const IMAGE_REFERENCE_SHAPE = "host[:port]/path[:tag][@sha256:digest], e.g. registry.example.com/acme/webshop/backend:<git sha>";

/** What a valid tag looks like, for messages. */
export const VALID_TAG = 'a tag is 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"';

const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/**
 * The same, with a Compose variable (`${TAG}`, `${TAG:-1.0}`) allowed as, or in, the tag or the
 * digest. The text before the first "$" has none, so that a long run of "$" cannot make the
 * match backtrack over every split.
 */
const REFERENCE_WITH_VARIABLES = new RegExp(`^(${NAME})(?::(${TAG}|[^@\\s$]*\\$[^@\\s]*))?(?:@(${DIGEST}|[^\\s$]*\\$\\S*))?$`);
const ANCHORED = (part: string) => new RegExp(`^${part}$`);
const HOST_AND_PORT = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::([0-9]+))?$`);
const PATH_COMPONENT_ONLY = ANCHORED(PATH_COMPONENT);
const TAG_ONLY = ANCHORED(TAG);
/** go-digest's registered algorithms and the length of their lowercase hex encoding. */
const DIGEST_HEX_LENGTH = new Map([
  ["sha256", 64],
  ["sha384", 96],
  ["sha512", 128],
]);
/** An image ID: docker refuses it as a repository name (anchoredIdentifierRegexp). */
const IDENTIFIER = /^[a-f0-9]{64}$/;
/** distribution's limit on registry + "/" + path. */
const MAX_NAME = 255;
const DOCKER_HUB = "docker.io";
/**
 * Names Docker Hub answers to. normalize.go maps index.docker.io to docker.io; registry-1.docker.io
 * is Hub's registry endpoint, which people also write (docker itself would take it as another registry).
 */
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** Options of the lenient parse. */
export interface LenientOptions {
  /**
   * Allow a Compose variable as, or in, the tag or digest (`registry.example.com/x:${TAG:-1.0}`),
   * kept verbatim: the repository is still known. A variable in the name names nothing we could know.
   */
  variables?: boolean;
}

/**
 * Parse an image reference as docker does (ParseNormalizedNamed): Docker Hub shorthand is written
 * out (registry docker.io, official images under library/), index.docker.io is docker.io; the
 * registry is otherwise kept as written. Undefined when the text is not a reference.
 */
export function parseImageReference(text: string, options: LenientOptions = {}): ImageReference | undefined {
  if (IDENTIFIER.test(text)) return undefined;
  const m = (options.variables ? REFERENCE_WITH_VARIABLES : REFERENCE).exec(text);
  if (!m) return undefined;
  const [, name = "", tag, digest] = m;
  const { registry, repository } = splitDomain(name);
  if (!repository.split("/").every((c) => PATH_COMPONENT_ONLY.test(c))) return undefined;
  if (registry !== DOCKER_HUB && !HOST_AND_PORT.test(registry)) return undefined;
  if (registry.length + 1 + repository.length > MAX_NAME) return undefined;
  if (digest !== undefined && !(options.variables && digest.includes("$")) && !validDigest(digest)) return undefined;
  return { registry, repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/**
 * Parse one of our own references, `host[:port]/path[:tag][@sha256:digest]`; throws an
 * ImageReferenceError naming the reference, the problem and what is valid.
 */
export function parseImageReferenceStrict(input: string): ImageReference {
  const parsed = strict(input);
  if (typeof parsed === "string") throw new ImageReferenceError(input, parsed);
  return parsed;
}

/** The strict reading without an error: the reference, or undefined when it is not one of ours as we write them. */
export function tryParseImageReferenceStrict(input: string): ImageReference | undefined {
  const parsed = strict(input);
  return typeof parsed === "string" ? undefined : parsed;
}

/** Why a text is not one of our own references (as parseImageReferenceStrict would say), or undefined when it is one. */
export function imageReferenceProblem(input: string): string | undefined {
  const parsed = strict(input);
  return typeof parsed === "string" ? parsed : undefined;
}

/** The reference as text: `registry/repository[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  return `${formatRepository(ref)}${ref.tag === undefined ? "" : `:${ref.tag}`}${ref.digest === undefined ? "" : `@${ref.digest}`}`;
}

/** The repository a reference names, without tag or digest: `registry/repository`. */
export function formatRepository(ref: Pick<ImageReference, "registry" | "repository">): string {
  return `${ref.registry}/${ref.repository}`;
}

/** Whether the reference names its image by digest (the exact bytes, whatever the tag says). */
export function isPinnedByDigest(ref: ImageReference): ref is ImageReference & { digest: string } {
  return ref.digest !== undefined;
}

/** Whether the reference names a tag or a digest (a bare name would float to whatever the registry serves by default). */
export function isPinned(ref: ImageReference): boolean {
  return ref.tag !== undefined || ref.digest !== undefined;
}

/**
 * Whether two references name the same repository (tag and digest aside). Registry host names
 * are case-insensitive; parse both the same way, so that Docker Hub shorthand is written out.
 */
export function sameRepository(a: Pick<ImageReference, "registry" | "repository">, b: Pick<ImageReference, "registry" | "repository">): boolean {
  return a.registry.toLowerCase() === b.registry.toLowerCase() && a.repository === b.repository;
}

/** Whether a text is a sha256 digest as registries write it (`sha256:` and 64 lowercase hex digits). */
export function isSha256Digest(text: string): boolean {
  return SHA256_DIGEST_PATTERN.test(text);
}

/** What an image pinned by digest looks like, for messages. */
export const DIGEST_PINNED_SHAPE = "registry/name:tag@sha256:<64 hex> (or registry/name@sha256:<64 hex>)";

/**
 * Why a text is not an image pinned by its sha256 digest, or undefined when it is one. An artefact
 * under test is given this way (the root's integration --override, the aspire module's --override),
 * so that a verdict is about exactly those bytes, whatever the tag points at later.
 */
export function digestPinnedProblem(input: string): string | undefined {
  // A control character (a newline forges lines of a log or a summary) is named, never echoed raw.
  const control = /\p{Cc}/u.exec(input);
  if (control) return `${JSON.stringify(input)} contains the control character ${JSON.stringify(control[0])}; expected ${DIGEST_PINNED_SHAPE}`;
  const ref = parseImageReference(input);
  if (ref === undefined) return `${JSON.stringify(input)} is not an image reference; expected ${DIGEST_PINNED_SHAPE}`;
  if (ref.digest === undefined || !isSha256Digest(ref.digest)) return `${JSON.stringify(input)} names no sha256 digest; expected ${DIGEST_PINNED_SHAPE}`;
  return undefined;
}

/** Why a tag we are about to use is refused (`latest`, or characters a tag cannot have), or undefined when it is fine. */
export function tagProblem(tag: string): string | undefined {
  if (tag === "latest") return 'tag "latest" is not used: images are addressed by git SHA and digest (…:<40-hex git sha> or …@sha256:<digest>)';
  if (!TAG_ONLY.test(tag)) return `tag "${tag}" is invalid; ${VALID_TAG}`;
  return undefined;
}

/**
 * Whether a text is a registry address, `host[:port]` (e.g. registry.example.com or
 * 127.0.0.1:5000), with a "." or a port in it, or localhost, or an IPv6 address (docker's rule:
 * anything else would be read as a Docker Hub path); the port is 1-65535.
 */
export function isRegistryHost(text: string): boolean {
  const m = HOST_AND_PORT.exec(text);
  return m !== null && looksLikeHost(text) && (m[1] === undefined || validPort(m[1]));
}

/** normalize.go splitDockerDomain: the first component is a registry when it has a "." or ":", is localhost, or has capitals. */
function splitDomain(name: string): { registry: string; repository: string } {
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const hasRegistry = slash >= 0 && (looksLikeHost(first) || first.toLowerCase() !== first);
  let registry = hasRegistry ? first : DOCKER_HUB;
  let repository = hasRegistry ? name.slice(slash + 1) : name;
  if (DOCKER_HUB_ALIASES.has(registry)) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes("/")) repository = `library/${repository}`;
  return { registry, repository };
}

/** Docker's rule without the capitals: we name registries explicitly, so a capital is a mistake, not a host. */
function looksLikeHost(first: string): boolean {
  return first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("[");
}

const validPort = (port: string) => Number(port) >= 1 && Number(port) <= 65535;

/** go-digest's Digest.Validate: a registered algorithm and its length of lowercase hex. */
function validDigest(digest: string): boolean {
  const colon = digest.indexOf(":");
  const length = DIGEST_HEX_LENGTH.get(digest.slice(0, colon));
  return length !== undefined && new RegExp(`^[a-f0-9]{${length}}$`).test(digest.slice(colon + 1));
}

/** The strict reading: the reference, or what is wrong with it. */
function strict(input: string): ImageReference | string {
  if (input.trim() === "") return `is empty; expected ${IMAGE_REFERENCE_SHAPE}`;
  if (/\s/.test(input)) return `contains white space; expected ${IMAGE_REFERENCE_SHAPE}`;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(input);
  if (scheme) return `starts with "${scheme[0]}"; a reference has no scheme, e.g. ${input.slice(scheme[0].length)}`;
  const at = input.indexOf("@");
  const name = at < 0 ? input : input.slice(0, at);
  const digest = at < 0 ? undefined : input.slice(at + 1);
  const slash = name.indexOf("/");
  const first = slash < 0 ? name : name.slice(0, slash);
  if (!looksLikeHost(first)) return `"${first}" is not a registry host; write the registry address first, e.g. registry.example.com/${name} (Docker Hub shorthand is not supported)`;
  if (slash < 0) return `names no repository path after the registry "${first}"; expected ${IMAGE_REFERENCE_SHAPE}`;
  const rest = name.slice(slash + 1);
  const colon = rest.lastIndexOf(":");
  const path = colon < 0 || rest.indexOf("/", colon) >= 0 ? rest : rest.slice(0, colon);
  const tag = path === rest ? undefined : rest.slice(colon + 1);
  const host = HOST_AND_PORT.exec(first);
  if (!host) return `registry host "${first}" is invalid; expected a DNS name or an IP address with an optional :port, e.g. registry.example.com:5000`;
  if (host[1] !== undefined && !validPort(host[1])) return `port "${host[1]}" is invalid; expected 1-65535`;
  const bad = path.split("/").find((c) => !PATH_COMPONENT_ONLY.test(c));
  if (bad !== undefined) return `repository path "${path}" is invalid at "${bad}"; path components are lowercase letters and digits separated by ".", "_", "__" or "-", e.g. acme/webshop/backend`;
  if (first.length + 1 + path.length > MAX_NAME) return `registry and path are ${first.length + 1 + path.length} characters; at most ${MAX_NAME}`;
  const badTag = tag === undefined ? undefined : tagProblem(tag);
  if (badTag !== undefined) return badTag;
  if (digest !== undefined && !isSha256Digest(digest)) return `digest "${digest}" is invalid; expected sha256: followed by 64 lowercase hex digits`;
  return { registry: first, repository: path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}
