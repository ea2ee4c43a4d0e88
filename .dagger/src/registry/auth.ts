/**
 * Registry authentication as Docker Hub, GHCR, Gitea and Nexus do it: anonymous; HTTP Basic
 * (`WWW-Authenticate: Basic …`, user + token); or the Bearer token flow of the distribution
 * token spec (`WWW-Authenticate: Bearer realm=…,service=…,scope=…` → GET the realm with the
 * service and scope, Basic credentials when we have them → `{"token"|"access_token", "expires_in"}`
 * → retry with `Authorization: Bearer <token>`). Credentials go out only after a challenge asks for them.
 */
import type { Challenge } from "./challenge.js";
import { describeFailure, errorDetail, RegistryError } from "./errors.js";
import type { Redactor } from "./redact.js";

/** A registry login: the user name and its password or access token. */
export interface Credentials {
  username: string;
  password: string;
}

/** What the authenticator needs from the transport. */
export interface AuthContext {
  /** `registry <host>`, the start of every message. */
  label: string;
  fetch: typeof fetch;
  redactor: Redactor;
  /** Whether a token realm may be plain http (only loopback or explicitly allowed). */
  httpAllowed: (url: URL) => boolean;
  timeoutMs: number;
}

/** Seconds a token lives when the token server does not say (distribution token spec). */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew a little before the token server's deadline. */
const TOKEN_MARGIN_SECONDS = 10;

/** Holds the credentials (in a private field: never printed by console.log or util.inspect) and the tokens they bought. */
export class Authenticator {
  readonly #credentials: Credentials | undefined;
  readonly #context: AuthContext;
  readonly #tokens = new Map<string, { value: string; expires: number }>();
  #basic = false;

  constructor(credentials: Credentials | undefined, context: AuthContext) {
    this.#credentials = credentials;
    this.#context = context;
    if (credentials) {
      context.redactor.add(credentials.password);
      context.redactor.add(basicValue(credentials));
    }
  }

  /** Whether a username and token were given. */
  get hasCredentials(): boolean {
    return this.#credentials !== undefined;
  }

  /** The Authorization header for a request in this scope, when an earlier challenge told us which one. */
  authorization(scope: string): string | undefined {
    const token = this.#tokens.get(scope);
    if (token && token.expires > Date.now()) return `Bearer ${token.value}`;
    if (this.#basic && this.#credentials) return `Basic ${basicValue(this.#credentials)}`;
    return undefined;
  }

  /**
   * Answer the challenges of a 401 for a request in `scope` that was sent with `sent` (its
   * Authorization header, if any): true when the request should be retried (we now hold a token or
   * know to send Basic credentials), false when we have nothing better to offer than what it carried.
   */
  async answer(challenges: Challenge[], scope: string, sent: string | undefined): Promise<boolean> {
    const bearer = challenges.find((c) => c.scheme === "bearer");
    if (bearer) {
      const token = await this.#fetchToken(bearer, scope);
      this.#tokens.set(scope, token);
      return true;
    }
    // Basic was refused only when this request carried it; a request that went out before an
    // earlier challenge taught us to send it is retried with it.
    if (challenges.some((c) => c.scheme === "basic") && this.#credentials && !sent?.startsWith("Basic ")) {
      this.#basic = true;
      return true;
    }
    return false;
  }

  async #fetchToken(challenge: Challenge, scope: string): Promise<{ value: string; expires: number }> {
    const { label, redactor } = this.#context;
    const realm = challenge.params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? "");
    } catch {
      throw new RegistryError(`${label}: the Bearer challenge names no usable token realm (realm=${JSON.stringify(realm ?? null)}); expected an absolute https URL`);
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && this.#context.httpAllowed(url)))
      throw new RegistryError(`${label}: token realm ${url.origin}${url.pathname} is not https; credentials are only sent over https (plain http only for loopback hosts or when plainHttp is set)`);
    if (challenge.params.service !== undefined) url.searchParams.set("service", challenge.params.service);
    for (const s of (challenge.params.scope ?? scope).split(" ").filter((x) => x !== "")) url.searchParams.append("scope", s);
    const what = `token request GET ${url.origin}${url.pathname}?${decodeURIComponent(url.searchParams.toString())}`;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.#credentials) headers.Authorization = `Basic ${basicValue(this.#credentials)}`;
    let response: Response;
    try {
      response = await this.#context.fetch(url, { method: "GET", headers, redirect: "manual", signal: AbortSignal.timeout(this.#context.timeoutMs) });
    } catch (error) {
      throw new RegistryError(redactor.redact(`${label}: ${what}: no answer (${describeFailure(error)})`));
    }
    const body = await response.text();
    if (!response.ok) {
      const hint = response.status === 401 ? (this.#credentials ? "the token server rejected the username and token" : "the token server needs credentials (username and token)") : undefined;
      const detail = [errorDetail(redactor.redact(body)), hint].filter((x) => x !== undefined).join("; ");
      throw new RegistryError(redactor.redact(`${label}: ${what}: ${response.status} ${response.statusText}${detail ? ` (${detail})` : ""}`), response.status);
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new RegistryError(`${label}: ${what}: the answer is not JSON; expected {"token": …} (distribution token spec)`);
    }
    const value = typeof parsed.token === "string" && parsed.token !== "" ? parsed.token : parsed.access_token;
    if (typeof value !== "string" || value === "") throw new RegistryError(`${label}: ${what}: the answer has neither "token" nor "access_token"`);
    redactor.add(value);
    const seconds = typeof parsed.expires_in === "number" && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_TOKEN_SECONDS;
    // Timed from now rather than issued_at: our clock and the token server's need not agree.
    return { value, expires: Date.now() + Math.max(0, seconds - TOKEN_MARGIN_SECONDS) * 1000 };
  }
}

/** The base64 `user:password` of Basic authentication. */
function basicValue(credentials: Credentials): string {
  return Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64");
}
