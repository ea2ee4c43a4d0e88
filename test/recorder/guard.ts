// Keeps tests from provisioning a Dagger engine. Without DAGGER_SESSION_PORT, the
// SDK's connect()/connection() download the dagger CLI and start an engine
// (provisioning/bin.js); with _EXPERIMENTAL_DAGGER_CLI_BIN set it runs that
// binary instead, without downloading. We set it to a stand-in that refuses.
import { accessSync, constants } from "node:fs";
import { fileURLToPath } from "node:url";

/** The stand-in CLI: prints a refusal the SDK reports as "invalid connect params". */
export const NO_ENGINE_CLI = fileURLToPath(new URL("./no-engine.sh", import.meta.url));

/** Points the SDK's CLI override at the refusing stand-in; throws if the stand-in cannot run. */
export function forbidEngineProvisioning(): void {
  // If the executable bit got lost, spawning would fail in a confusing way deep inside the SDK.
  accessSync(NO_ENGINE_CLI, constants.X_OK);
  process.env._EXPERIMENTAL_DAGGER_CLI_BIN = NO_ENGINE_CLI;
}
