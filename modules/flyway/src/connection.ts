/**
 * A database URL as users hold it in their secret store, turned into what Flyway takes: a JDBC
 * URL without credentials, a user and a password. The password only ever goes into a secret, and
 * so does the JDBC URL when a parameter of it is one (sslpassword); error messages show the URL
 * with every credential masked (lib/credentials.ts, the one mask of the project).
 */
import { holdsCredentials, maskCredentials } from "./vendor/credentials.js";

/** Flyway's connection settings. */
export interface FlywayConnection {
  /** jdbc:postgresql://host:port/database, without credentials. */
  jdbcUrl: string;
  user: string;
  password: string;
  /** Host name, which is also the alias a database service is bound under. */
  host: string;
}

const VALID = "a postgresql://user:password@host:5432/database URL, or jdbc:postgresql://host:5432/database?user=…&password=…";

/** Parse a postgresql:// or jdbc:postgresql:// URL; anything else is refused naming the (masked) value and what is valid. */
export function parseDatabaseUrl(raw: string): FlywayConnection {
  const url = raw.trim();
  const fail = (why: string, show = true): never => {
    // A value that is not a URL cannot be masked reliably: it is not shown at all. Nor is one the
    // mask may have missed: no "scheme://" (postgresql:user:pw@host, user:pw), or an "@" left
    // beside the masked password (an unencoded "@" in the password).
    const masked = maskCredentials(url);
    const safe = show && /^[a-z][a-z0-9+.:-]*:\/\//i.test(masked) && !masked.replace(/:\*\*\*@/, "").includes("@");
    throw new Error(`database URL ${safe ? JSON.stringify(masked) : "(value not shown: it may hold a password)"}: ${why}; expected ${VALID}`);
  };
  const jdbc = url.startsWith("jdbc:");
  const body = jdbc ? url.slice(5) : url;
  let parsed: URL;
  try {
    parsed = new URL(body);
  } catch {
    return fail("is not a URL", false);
  }
  if (!["postgresql:", "postgres:"].includes(parsed.protocol)) fail(`scheme ${parsed.protocol.replace(/:$/, "")} is not supported (PostgreSQL only)`);
  if (!parsed.hostname) fail("names no host");
  const decode = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return fail(`${what} holds a malformed %-escape (a % must be followed by two hex digits: %25 for % itself)`, what === "the database name");
    }
  };
  const database = decode(parsed.pathname.replace(/^\//, ""), "the database name");
  if (!database) fail("names no database");
  const params = new URLSearchParams(parsed.search);
  const user = decode(parsed.username, "the user") || params.get("user") || "";
  const password = decode(parsed.password, "the password") || params.get("password") || "";
  if (!user) fail("names no user");
  params.delete("user");
  params.delete("password");
  const query = params.toString();
  const port = parsed.port || "5432";
  return { jdbcUrl: `jdbc:postgresql://${parsed.hostname}:${port}/${encodeURIComponent(database)}${query ? `?${query}` : ""}`, user, password, host: parsed.hostname };
}

/**
 * Flyway's environment for a connection, split by what may be seen: FLYWAY_USER is plain; the
 * password is a secret, and so is FLYWAY_URL when a parameter of it is one (sslpassword, a
 * token): a plain variable shows in the engine's traces and in `dagger call` output.
 */
export function flywayVariables(connection: FlywayConnection): { plain: Record<string, string>; secret: Record<string, string> } {
  const urlIsSecret = holdsCredentials(connection.jdbcUrl);
  return {
    plain: { ...(urlIsSecret ? {} : { FLYWAY_URL: connection.jdbcUrl }), FLYWAY_USER: connection.user },
    secret: { ...(urlIsSecret ? { FLYWAY_URL: connection.jdbcUrl } : {}), FLYWAY_PASSWORD: connection.password },
  };
}
