/** The example's topology and a release of it with made-up digests, shared by the topology tests and `npm run generate`. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../.dagger/src/config/load.js";
import type { PipelineConfig } from "../../.dagger/src/config/schema.js";
import { composeFile, type ComposeRelease } from "../../.dagger/src/topology/compose.js";
import { type Topology, topologyOf } from "../../.dagger/src/topology/topology.js";
import { toolchainOf } from "../../.dagger/src/toolchains/index.js";
import { ROOT } from "../tiers/modules.js";

/** The example application's pipeline.yaml, loaded. */
export const exampleConfig = (): PipelineConfig => parseConfig(readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"), "utf8"));

/** The topology with the toolchains' real health probes. */
export const topologyFor = (config: PipelineConfig): Topology => topologyOf(config, (n) => toolchainOf(n, config.components[n]).healthProbe(config.components[n]));

/** A release of the example with fixed, made-up digests. */
export const EXAMPLE_RELEASE: ComposeRelease = {
  revision: "0123456789abcdef0123456789abcdef01234567",
  images: {
    db: `registry.example.com/acme/webshop/db:0123456789abcdef0123456789abcdef01234567@sha256:${"1".repeat(64)}`,
    backend: `registry.example.com/acme/webshop/backend:0123456789abcdef0123456789abcdef01234567@sha256:${"2".repeat(64)}`,
    frontend: `registry.example.com/acme/webshop/frontend:0123456789abcdef0123456789abcdef01234567@sha256:${"3".repeat(64)}`,
  },
  databaseImages: { db: "nexus.example.com:8443/docker-group/library/postgres:15-bookworm" },
  versions: { db: "1.1.0", backend: "1.2.0", frontend: "1.2.0" },
};

/** Where the example's Compose file golden lives. */
export const COMPOSE_GOLDEN = "test/golden/compose/webshop.compose.yaml";

/** The example's Compose file for EXAMPLE_RELEASE. */
export const exampleCompose = (): string => {
  const config = exampleConfig();
  return composeFile(config, topologyFor(config), EXAMPLE_RELEASE);
};
