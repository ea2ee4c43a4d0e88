/**
 * Image references as our pipeline writes them: `host[:port]/path[:tag][@sha256:digest]`, e.g.
 * `registry.example.com/acme/webshop/backend:3f2c…`. The grammar is the one of
 * distribution/reference, minus what we never use: Docker Hub shorthand (`acme/app`, `node`) is
 * rejected rather than guessed, and so is the tag `latest` (images are addressed by git SHA and digest).
 */
import { InputError } from "../errors.js";

/** A parsed image reference; `registry` is `host[:port]`, `repository` the path below it. */
export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const SHAPE = "host[:port]/path[:tag][@sha256:digest], e.g. registry.example.com/acme/webshop/backend:<git sha>";
const DOMAIN_COMPONENT = "(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])";
const HOST = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:.]+\\])(?::([0-9]+))?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** distribution's limit on host + "/" + path. */
const MAX_NAME = 255;

/** What a valid tag looks like, for error messages. */
export const VALID_TAG = 'a tag is 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"';

/** Parse an image reference; throws an InputError naming the input and what is valid. */
export function parseReference(input: string): ImageReference {
  const fail = (problem: string): never => {
    throw new InputError(`image reference "${input}": ${problem}`);
  };
  if (input.trim() === "") fail(`is empty; expected ${SHAPE}`);
  if (/\s/.test(input)) fail(`contains white space; expected ${SHAPE}`);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(input);
  if (scheme) fail(`starts with "${scheme[0]}"; a reference has no scheme, e.g. ${input.slice(scheme[0].length)}`);
  const at = input.indexOf("@");
  const name = at < 0 ? input : input.slice(0, at);
  const digest = at < 0 ? undefined : input.slice(at + 1);
  const slash = name.indexOf("/");
  const first = slash < 0 ? name : name.slice(0, slash);
  if (!looksLikeHost(first))
    fail(`"${first}" is not a registry host; write the registry address first, e.g. registry.example.com/${name} (Docker Hub shorthand is not supported)`);
  if (slash < 0) fail(`names no repository path after the registry "${first}"; expected ${SHAPE}`);
  const rest = name.slice(slash + 1);
  const colon = rest.lastIndexOf(":");
  const path = colon < 0 || rest.indexOf("/", colon) >= 0 ? rest : rest.slice(0, colon);
  const tag = path === rest ? undefined : rest.slice(colon + 1);
  const port = HOST.exec(first);
  if (!port) fail(`registry host "${first}" is invalid; expected a DNS name or an IP address with an optional :port, e.g. registry.example.com:5000`);
  else if (port[1] !== undefined && !(Number(port[1]) >= 1 && Number(port[1]) <= 65535)) fail(`port "${port[1]}" is invalid; expected 1-65535`);
  const bad = path.split("/").find((c) => !PATH_COMPONENT.test(c));
  if (bad !== undefined)
    fail(`repository path "${path}" is invalid at "${bad}"; path components are lowercase letters and digits separated by ".", "_", "__" or "-", e.g. acme/webshop/backend`);
  if (first.length + 1 + path.length > MAX_NAME) fail(`registry and path are ${first.length + 1 + path.length} characters; at most ${MAX_NAME}`);
  if (tag !== undefined) checkTag(tag, fail);
  if (digest !== undefined && !DIGEST.test(digest)) fail(`digest "${digest}" is invalid; expected sha256: followed by 64 lowercase hex digits`);
  return { registry: first, repository: path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** Check a tag we are about to use (not `latest`, valid characters); returns it or throws an InputError. */
export function validateTag(tag: string): string {
  checkTag(tag, (problem) => {
    throw new InputError(problem);
  });
  return tag;
}

/** Check a registry address (`host[:port]`, e.g. registry.example.com or 127.0.0.1:5000); returns it or throws an InputError. */
export function validateRegistry(address: string): string {
  const port = HOST.exec(address);
  if (!port || !looksLikeHost(address) || (port[1] !== undefined && !(Number(port[1]) >= 1 && Number(port[1]) <= 65535)))
    throw new InputError(`registry address "${address}": expected host[:port] with a dot or a port in it (or localhost), e.g. registry.example.com or 127.0.0.1:5000`);
  return address;
}

/** The reference as text: `registry/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? "" : `:${ref.tag}`}${ref.digest === undefined ? "" : `@${ref.digest}`}`;
}

/** Whether a registry address (`host[:port]`) is on the loopback interface: 127.0.0.0/8, localhost or [::1]. */
export function isLoopback(registry: string): boolean {
  const host = registry.startsWith("[") ? registry.slice(0, registry.indexOf("]") + 1) : registry.replace(/:[0-9]+$/, "");
  return host === "localhost" || host === "[::1]" || /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(host);
}

/** Docker's rule: the first component is a host when it has a dot or a port, or is localhost or an IPv6 literal. */
function looksLikeHost(first: string): boolean {
  return first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("[");
}

function checkTag(tag: string, fail: (problem: string) => never): void {
  if (tag === "latest") fail('tag "latest" is not used: images are addressed by git SHA and digest (…:<40-hex git sha> or …@sha256:<digest>)');
  if (!TAG.test(tag)) fail(`tag "${tag}" is invalid; ${VALID_TAG}`);
}
