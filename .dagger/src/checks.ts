/** Which command runs a check step of a component, per toolchain. */
import type { PipelineConfig } from "./config/schema.js";
import { InputError } from "./errors.js";
import { CHECK_STEPS } from "./plan/plan.js";

/** npm script behind each check step of a node component. */
const NODE_SCRIPTS: Record<string, string> = { lint: "lint", typecheck: "typecheck", unit: "test" };

/** Toolchains whose checks this version runs; the others are planned but not yet runnable. */
const RUNNABLE = ["node"] as const;

/** The toolchain, folder and script of one check; rejects unknown components, steps and toolchains by name. */
export function checkScript(config: PipelineConfig, component: string, step: string): { toolchain: (typeof RUNNABLE)[number]; path: string; script: string } {
  const c = config.components[component];
  if (!c) throw new InputError(`component: "${component}" is not a component of this pipeline; components: ${Object.keys(config.components).join(", ")}`);
  const steps = CHECK_STEPS[c.toolchain];
  if (!steps.includes(step)) throw new InputError(`step: "${step}" is not a check of ${c.toolchain} components; checks: ${steps.join(", ")}`);
  if (c.toolchain !== "node")
    throw new InputError(`component: ${component} uses toolchain ${c.toolchain}, whose checks are not runnable in this version; runnable toolchains: ${RUNNABLE.join(", ")}`);
  return { toolchain: c.toolchain, path: c.path, script: NODE_SCRIPTS[step] };
}
