/**
 * `npm run dockerfile -- --config <pipeline.yaml> --component <name> [--out <dir>]`: the Dockerfile
 * (and .dockerignore) the pipeline generates for a component, without an engine. Tests build
 * exactly this text with real BuildKit; `dagger call build` hands the same text to dockerBuild.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../.dagger/src/config/load.js";
import { flywayDockerfile } from "../modules/flyway/src/dockerfile.js";
import { nodeDockerfile } from "../modules/node-toolchain/src/dockerfile.js";
import { DOCKERIGNORE, imageSpec } from "../modules/node-toolchain/src/package-spec.js";

const { values } = parseArgs({ options: { config: { type: "string", default: "pipeline.yaml" }, component: { type: "string" }, out: { type: "string" } }, strict: true });
try {
  const config = parseConfig(readFileSync(values.config), values.config);
  const name = values.component ?? "";
  const component = config.components[name];
  if (!component) throw new Error(`component: "${name}" is not a component of ${values.config}; components: ${Object.keys(config.components).join(", ")}`);
  if (component.toolchain !== "node" && component.toolchain !== "flyway")
    throw new Error(`component: ${name} uses toolchain ${component.toolchain}; this command generates node and flyway Dockerfiles`);
  const dir = join(dirname(values.config), component.path);
  let dockerfile: string;
  if (component.toolchain === "flyway") dockerfile = flywayDockerfile(component.migrations ?? "migrations");
  else dockerfile = nodeDockerfile(imageSpec(readFileSync(join(dir, "package.json"), "utf8"), { ...component.image, healthPath: component.image.health }, join(dir, "package.json")).spec);
  if (values.out) {
    writeFileSync(join(values.out, "Dockerfile"), dockerfile);
    if (component.toolchain === "node") writeFileSync(join(values.out, ".dockerignore"), DOCKERIGNORE);
  } else process.stdout.write(dockerfile);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 2;
}
