// Database URLs as users keep them in secret stores, turned into Flyway's settings; the password never reaches a message.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flywayVariables, parseDatabaseUrl } from "../../modules/flyway/src/connection.js";

describe("database URL for Flyway", () => {
  it("takes postgresql:// URLs with credentials, decoding them, and keeps other parameters", () => {
    assert.deepEqual(parseDatabaseUrl("postgresql://app:p%40ss%2Fw@db.internal:6432/shop?sslmode=require"), {
      jdbcUrl: "jdbc:postgresql://db.internal:6432/shop?sslmode=require",
      user: "app",
      password: "p@ss/w",
      host: "db.internal",
    });
    assert.equal(parseDatabaseUrl("postgres://app:x@db/shop").jdbcUrl, "jdbc:postgresql://db:5432/shop");
  });

  it("takes JDBC URLs with the credentials as parameters, and removes them from the URL Flyway logs", () => {
    assert.deepEqual(parseDatabaseUrl("jdbc:postgresql://db:5432/shop?user=app&password=s3cret&ssl=true"), {
      jdbcUrl: "jdbc:postgresql://db:5432/shop?ssl=true",
      user: "app",
      password: "s3cret",
      host: "db",
    });
  });

  it("refuses other URLs naming the problem, with the password masked", () => {
    const refused = (url: string, why: RegExp) =>
      assert.throws(
        () => parseDatabaseUrl(url),
        (e: Error) => why.test(e.message) && !e.message.includes("s3cret") && e.message.includes("expected a postgresql://user:password@host:5432/database URL"),
        url,
      );
    refused("mysql://app:s3cret@db/shop", /"mysql:\/\/app:\*\*\*@db\/shop": scheme mysql is not supported/);
    refused("postgresql://app:s3cret@db/", /names no database/);
    refused("postgresql://db/shop?password=s3cret", /names no user/);
    refused("not a url s3cret", /is not a URL/);
  });

  it("masks every credential of a refused URL: the password, and secret parameters such as sslpassword", () => {
    assert.throws(
      () => parseDatabaseUrl("mysql://app:s3cret@db/shop?sslpassword=k3y&sslmode=require"),
      (e: Error) => e.message.includes('"mysql://app:***@db/shop?sslpassword=***&sslmode=require"') && !/s3cret|k3y/.test(e.message),
    );
  });

  it("refuses a malformed %-escape naming the part, not with a URIError", () => {
    assert.throws(
      () => parseDatabaseUrl("postgresql://app:s3cret%zz@db/shop"),
      (e: Error) => /the password holds a malformed %-escape/.test(e.message) && !e.message.includes("s3cret"),
    );
    assert.throws(() => parseDatabaseUrl("postgresql://app:s3cret@db/sh%zzop"), /the database name holds a malformed %-escape/);
  });

  it("passes FLYWAY_URL as a secret when a parameter of it is one (sslpassword), as a plain variable otherwise", () => {
    assert.deepEqual(flywayVariables(parseDatabaseUrl("postgresql://app:s3cret@db/shop?sslmode=verify-full&sslpassword=k3y")), {
      plain: { FLYWAY_USER: "app" },
      secret: { FLYWAY_URL: "jdbc:postgresql://db:5432/shop?sslmode=verify-full&sslpassword=k3y", FLYWAY_PASSWORD: "s3cret" },
    });
    assert.deepEqual(flywayVariables(parseDatabaseUrl("postgresql://app:s3cret@db/shop?sslmode=require")), {
      plain: { FLYWAY_URL: "jdbc:postgresql://db:5432/shop?sslmode=require", FLYWAY_USER: "app" },
      secret: { FLYWAY_PASSWORD: "s3cret" },
    });
  });
});
