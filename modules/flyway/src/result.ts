/** What one Flyway command against a database found, as the module returns it. */
import { func, object } from "@dagger.io/dagger";
import { type FlywayJsonCommand, flywayOutcome } from "./info.js";
import { toSemver } from "./migrations.js";

/** The verdict of one Flyway command: never thrown, so a caller can report it; `verify` fails on it. */
@object()
export class FlywayResult {
  /** The Flyway command: migrate, validate or info. */
  @func()
  command: string;
  /** Whether Flyway succeeded. */
  @func()
  succeeded: boolean;
  /** The database's schema version after the command (MAJOR.MINOR.PATCH), empty when it has none or Flyway did not say. */
  @func()
  schemaVersion: string;
  /** One paragraph for people: what was done, or which migration failed and why. */
  @func()
  message: string;
  /** Flyway's own JSON output. */
  @func()
  output: string;
  /**
   * The verdict as JSON: command, succeeded, schemaVersion, message. migrate, validate, info and
   * throwaway are never cached, so every field read runs Flyway again: read this one.
   */
  @func()
  json: string;

  constructor(command: string, succeeded: boolean, schemaVersion: string, message: string, output: string) {
    this.command = command;
    this.succeeded = succeeded;
    this.schemaVersion = schemaVersion;
    this.message = message;
    this.output = output;
    this.json = JSON.stringify({ command, succeeded, schemaVersion, message });
  }

  /** Fail with the message when Flyway failed; otherwise return it. */
  @func()
  async verify(): Promise<string> {
    if (!this.succeeded) throw new Error(this.message);
    return this.message;
  }
}

/** The result of one Flyway run from its exit code and output; when Flyway printed no JSON, the message carries its stderr. */
export function flywayResult(command: FlywayJsonCommand, exitCode: number, stdout: string, stderr: string): FlywayResult {
  const outcome = flywayOutcome(command, exitCode, stdout);
  const message = outcome.succeeded || stdout.trim().startsWith("{") ? outcome.message : `${outcome.message}\n${stderr.trim().split("\n").slice(-20).join("\n")}`.trim();
  // Flyway reports the version as the file wrote it (17.1, 002 under the flyway naming policy); callers compare semvers.
  return new FlywayResult(command, outcome.succeeded, toSemver(outcome.schemaVersion) ?? outcome.schemaVersion, message, stdout);
}
