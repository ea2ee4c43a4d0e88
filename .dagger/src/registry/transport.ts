/**
 * HTTP to one registry: the base URL (https, or plain http for loopback hosts or when allowed),
 * authentication on demand (one retry after a 401 challenge), and errors that say which
 * registry, which request and what came back — with every credential redacted.
 */
import { STATUS_CODES } from "node:http";
import { Authenticator, type Credentials } from "./auth.js";
import { parseChallenges } from "./challenge.js";
import { describeFailure, errorDetail, RegistryError } from "./errors.js";
import { Redactor } from "./redact.js";
import { isLoopback } from "./reference.js";
import { trustSystemCertificates } from "./trust.js";

/** How to reach one registry. */
export interface TransportOptions {
  /** The registry address, `host[:port]`, e.g. registry.example.com or 127.0.0.1:5000. */
  registry: string;
  /** User and token; without them requests are anonymous (a Bearer registry may still hand out anonymous tokens). */
  credentials?: Credentials;
  /** Use plain http. Default: true for loopback hosts (127.0.0.0/8, localhost, [::1]), false (https) for every other host. */
  plainHttp?: boolean;
  /** The fetch to use (tests pass a fake); default the global fetch. */
  fetch?: typeof fetch;
  /** Per-request time limit in milliseconds (default 30 000). */
  timeoutMs?: number;
}

/** One request to the registry API. */
export interface RegistryRequest {
  method: "GET" | "HEAD" | "PUT";
  /** Path below the registry root, e.g. /v2/acme/backend/manifests/in-…. */
  path: string;
  /** The token scope the request needs, e.g. repository:acme/backend:pull. */
  scope: string;
  headers?: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
}

/** Sends requests to one registry and turns failed answers into RegistryErrors. */
export class Transport {
  /** The registry address this transport talks to. */
  readonly registry: string;
  /** The base URL, e.g. https://registry.example.com. */
  readonly base: string;
  readonly #fetch: typeof fetch;
  readonly #auth: Authenticator;
  readonly #redactor = new Redactor();
  readonly #timeoutMs: number;

  constructor(options: TransportOptions) {
    this.registry = options.registry;
    const plainHttp = options.plainHttp ?? isLoopback(options.registry);
    this.base = `${plainHttp ? "http" : "https"}://${options.registry}`;
    this.#fetch = options.fetch ?? globalThis.fetch;
    // Trust the CAs the engine installed in this container, as the engine does for its own pulls and pushes.
    if (!plainHttp) trustSystemCertificates();
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#auth = new Authenticator(options.credentials, {
      label: `registry ${options.registry}`,
      fetch: this.#fetch,
      redactor: this.#redactor,
      httpAllowed: (url) => plainHttp || isLoopback(url.host),
      timeoutMs: this.#timeoutMs,
    });
  }

  /** Send a request, answering one authentication challenge; any status comes back (callers decide what is an error). */
  async send(request: RegistryRequest): Promise<Response> {
    // What this request carried decides the answer to its 401, not what we know by now: requests
    // sent side by side all go out before the first challenge comes back.
    const sent = this.#auth.authorization(request.scope);
    const response = await this.#once(request, sent);
    if (response.status !== 401) return response;
    const challenges = parseChallenges(response.headers.get("www-authenticate") ?? "");
    if (challenges.length === 0) return response;
    const body = await response.text().catch(() => "");
    if (await this.#auth.answer(challenges, request.scope, sent)) return this.#once(request, this.#auth.authorization(request.scope));
    const known = challenges.some((c) => c.scheme === "basic" || c.scheme === "bearer");
    const problem = known ? undefined : `the registry asks for ${challenges.map((c) => c.scheme).join(", ")} authentication; we speak basic and bearer`;
    throw this.#failure(request, response, body, problem);
  }

  /** Throw the RegistryError for an answer the caller did not expect. */
  async fail(request: RegistryRequest, response: Response, problem?: string): Promise<never> {
    const body = request.method === "HEAD" ? "" : await response.text().catch(() => "");
    throw this.#failure(request, response, body, problem);
  }

  /** A RegistryError about a request: `registry <host>: <METHOD> <path>: <what>`, credentials redacted. */
  error(request: RegistryRequest, what: string, status?: number): RegistryError {
    return new RegistryError(this.#redactor.redact(`registry ${this.registry}: ${request.method} ${request.path}: ${what}`), status);
  }

  async #once(request: RegistryRequest, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { ...request.headers };
    if (authorization) headers.Authorization = authorization;
    try {
      return await this.#fetch(`${this.base}${request.path}`, {
        method: request.method,
        headers,
        body: request.body,
        // A redirect could carry the Authorization header elsewhere; the manifest API does not redirect.
        redirect: "manual",
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw this.error(request, `no answer from ${this.base} (${describeFailure(error)})`);
    }
  }

  #failure(request: RegistryRequest, response: Response, body: string, problem?: string): RegistryError {
    // Redact before errorDetail shortens the body: a cut secret would no longer match.
    const hints = [errorDetail(this.#redactor.redact(body)), problem ?? this.#hint(request, response)].filter((x) => x !== undefined);
    const status = `${response.status} ${response.statusText || STATUS_CODES[response.status] || ""}`.trim();
    return this.error(request, hints.length > 0 ? `${status} (${hints.join("; ")})` : status, response.status);
  }

  #hint(request: RegistryRequest, response: Response): string | undefined {
    const status = response.status;
    if (status === 401 && /error="?insufficient_scope/.test(response.headers.get("www-authenticate") ?? "")) return `the credentials do not grant ${request.scope}`;
    if (status === 401) return this.#auth.hasCredentials ? "the registry rejected the username and token" : "the registry needs credentials (username and token)";
    if (status === 403) return `the credentials do not grant ${request.scope}`;
    if (status >= 300 && status < 400) return `the registry redirected to ${response.headers.get("location") ?? "(no location)"}; redirects are not followed`;
    return undefined;
  }
}
