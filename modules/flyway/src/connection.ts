/**
 * A database URL as users hold it in their secret store, turned into what Flyway takes: a JDBC
 * URL without credentials, a user and a password. The password only ever goes into a secret;
 * error messages show the URL with it masked.
 */

/** Flyway's connection settings. */
export interface FlywayConnection {
  /** jdbc:postgresql://host:port/database, without credentials. */
  jdbcUrl: string;
  user: string;
  password: string;
  /** Host name, which is also the alias a database service is bound under. */
  host: string;
}

/** The URL with any password replaced by ***, for messages. */
export function maskUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@").replace(/([?&]password=)[^&]*/i, "$1***");
}

const VALID = "a postgresql://user:password@host:5432/database URL, or jdbc:postgresql://host:5432/database?user=…&password=…";

/** Parse a postgresql:// or jdbc:postgresql:// URL; anything else is refused naming the (masked) value and what is valid. */
export function parseDatabaseUrl(raw: string): FlywayConnection {
  const url = raw.trim();
  const fail = (why: string, show = true): never => {
    // A value that is not a URL cannot be masked reliably: it is not shown at all. Nor is one the
    // mask may have missed: no "scheme://" (postgresql:user:pw@host, user:pw), or an "@" left
    // beside the masked password (an unencoded "@" in the password).
    const masked = maskUrl(url);
    const safe = show && /^[a-z][a-z0-9+.:-]*:\/\//i.test(masked) && !masked.replace(/:\*\*\*@/, "").includes("@") && !/[?&]password=(?!\*\*\*)/i.test(masked);
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
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) fail("names no database");
  const params = new URLSearchParams(parsed.search);
  const user = decodeURIComponent(parsed.username) || params.get("user") || "";
  const password = decodeURIComponent(parsed.password) || params.get("password") || "";
  if (!user) fail("names no user");
  params.delete("user");
  params.delete("password");
  const query = params.toString();
  const port = parsed.port || "5432";
  return { jdbcUrl: `jdbc:postgresql://${parsed.hostname}:${port}/${encodeURIComponent(database)}${query ? `?${query}` : ""}`, user, password, host: parsed.hostname };
}
