/** Failures of a registry conversation, worded for the person who has to fix them. */
import { maskCredentials } from "../vendor/credentials.js";

/** A registry request that failed: `registry <host>: <METHOD> <path>: <status> (<what the registry said>; <hint>)`; never holds credentials. */
export class RegistryError extends Error {
  /** HTTP status of the failed answer, when there was one. */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    // Known secrets are redacted by the caller (redact.ts); what a URL or a query names as one is masked here.
    super(maskCredentials(message));
    this.name = "RegistryError";
    this.status = status;
  }
}

/** The registry's own explanation from an error body (`{"errors":[{"code","message"}]}`), or the start of the text. */
export function errorDetail(body: string): string | undefined {
  // Masked before the cut below: a cut credential would no longer be recognised.
  const text = maskCredentials(body.trim());
  if (text === "") return undefined;
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) return parsed.errors.map((e) => [e.code, e.message].filter((x) => typeof x === "string" && x !== "").join(": ")).join("; ");
  } catch {
    // not JSON: fall through to the text
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Error codes of a TLS certificate the client does not trust (Node's, from OpenSSL). */
const UNTRUSTED = new Set(["SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "CERT_UNTRUSTED"]);

/** A fetch failure in words: timeout, or the network error under fetch's generic "fetch failed", with what to do about an untrusted certificate or plain HTTP. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "no answer in time";
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const hint =
    typeof code === "string" && UNTRUSTED.has(code)
      ? "; the registry's certificate is not trusted: give the engine its CA (custom CA: ~/.config/dagger/ca-certificates, or /usr/local/share/ca-certificates in the engine's container), which it installs in the module's container too"
      : code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "EPROTO"
        ? "; the registry may speak plain HTTP: set registry.plainHttp: true in pipeline.yaml (and http = true for it in the engine's engine.toml)"
        : "";
  return `${error instanceof Error ? error.message : String(error)}${cause ? `: ${cause.message}` : ""}${hint}`;
}
