/** The Compose export of a release: the topology with the published images and the mirrored database server. */
import { InputError } from "../errors.js";
import { mirrorImage } from "../mirror/images.js";
import { composeFile } from "../topology/compose.js";
import { databaseOf, topologyOf } from "../topology/topology.js";
import { toolchainOf } from "../toolchains/index.js";
import type { StageContext } from "./context.js";

/** component=image arguments as a map; malformed or unknown entries are refused by name. */
export function parseImageArguments(args: string[], components: string[]): Record<string, string> {
  const images: Record<string, string> = {};
  for (const arg of args) {
    const m = /^([a-z][a-z0-9-]*)=(\S+)$/.exec(arg);
    if (!m) throw new InputError(`images: "${arg}" is not component=registry/name:tag@sha256:<digest>`);
    if (!components.includes(m[1])) throw new InputError(`images: "${m[1]}" is not a component; components: ${components.join(", ")}`);
    images[m[1]] = m[2];
  }
  return images;
}

/** The Compose file for these images (by component) and versions. */
export function composeFromImages(ctx: Pick<StageContext, "config">, images: Record<string, string>, versions: Record<string, string>, revision: string): string {
  const { config } = ctx;
  const topology = topologyOf(config, (name) => toolchainOf(name, config.components[name]).healthProbe(config.components[name]));
  const databaseImages = Object.fromEntries(
    Object.keys(config.components)
      .filter((name) => config.components[name].kind === "database")
      .map((name) => [name, mirrorImage(databaseOf(config, name).image, config.mirror?.images)]),
  );
  return composeFile(config, topology, { revision, images, databaseImages, versions });
}
