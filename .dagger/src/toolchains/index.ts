/** The adapter of each toolchain; a toolchain without one is refused by name before any work. */
import type { Component } from "../config/schema.js";
import { InputError } from "../errors.js";
import { flyway } from "./flyway.js";
import { node } from "./node.js";
import type { Toolchain } from "./toolchain.js";

const TOOLCHAINS: Partial<Record<Component["toolchain"], Toolchain>> = { node, flyway };

/** The adapter for a component, or an error naming the toolchains that exist. */
export function toolchainOf(name: string, component: Component): Toolchain {
  const t = TOOLCHAINS[component.toolchain];
  if (!t) throw new InputError(`components.${name}.toolchain: ${component.toolchain} has no module yet; toolchains that run: ${Object.keys(TOOLCHAINS).join(", ")}`);
  return t;
}
