/** Loads the recorded registry exchanges of fixtures/ and builds clients that talk to them (test helper). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Credentials } from "../../.dagger/src/registry/auth.js";
import { RegistryClient } from "../../.dagger/src/registry/client.js";
import { type Exchange, type Fixture, type RecordedRequest, replayFetch } from "./recording.js";

/** The fixture file fixtures/<name>.json. */
export function loadFixture(name: "anonymous" | "basic" | "bearer" | "bearer-spec"): Fixture {
  return JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", `${name}.json`), "utf8")) as Fixture;
}

/** The exchanges of one step of a fixture, in recorded order. */
export function stepOf(fixture: Fixture, step: string): Exchange[] {
  const found = fixture.exchanges.filter((e) => e.step === step);
  if (found.length === 0) throw new Error(`fixture has no step "${step}"`);
  return found;
}

/** A client for the fixture's registry whose fetch replays `exchanges` (default: all of the fixture's); `requests` lists what it sent. */
export function replayClient(fixture: Fixture, credentials?: Credentials, exchanges: Exchange[] = fixture.exchanges): { client: RegistryClient; requests: RecordedRequest[] } {
  const { fetch, requests } = replayFetch(exchanges);
  return { client: new RegistryClient({ registry: fixture.registry, credentials, fetch }), requests };
}

/** A deep copy of exchanges, so a test can alter one answer without touching the others. */
export function copy(exchanges: Exchange[]): Exchange[] {
  return structuredClone(exchanges);
}
