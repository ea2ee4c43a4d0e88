/** Node.js components, through the node-toolchain module. */
import { dag } from "@dagger.io/dagger";
import type { Component } from "../config/schema.js";
import { baseImage, pinnedBase, type StageContext } from "../stages/context.js";
import type { Toolchain } from "./toolchain.js";

/** npm script behind each check step. */
const SCRIPTS: Record<string, string> = { lint: "lint", typecheck: "typecheck", unit: "test" };
/** Where node-toolchain's check leaves node's JUnit report (its JUNIT_REPORT). */
const JUNIT_REPORT = "/reports/junit.xml";

const toolchainFor = (ctx: StageContext, c: Component, image = baseImage(ctx, c)) =>
  dag.nodeToolchain({ image, registry: ctx.config.mirror?.npm ?? "", npmrc: ctx.npmrc, npmToken: ctx.npmToken, npmAuth: ctx.npmAuth });
const imageOptions = (c: Component) => ({ command: c.image.command, files: c.image.files, port: c.image.port, healthPath: c.image.health, systemPackages: c.image.systemPackages });

/** The node adapter. */
export const node: Toolchain = {
  requiredFiles: () => [{ file: "package.json" }, { file: "package-lock.json", hint: "commit the lockfile: builds install exactly what it pins with npm ci" }],
  async check(ctx, c, dir, step) {
    const ctr = toolchainFor(ctx, c).check(dir, SCRIPTS[step], { junit: step === "unit", runId: ctx.runId });
    const [exitCode, stdout, stderr] = await Promise.all([ctr.exitCode(), ctr.stdout(), ctr.stderr()]);
    const junit =
      step === "unit"
        ? await ctr
            .file(JUNIT_REPORT)
            .contents()
            .catch(() => undefined)
        : undefined;
    return { passed: exitCode === 0, output: `${stdout}${stderr}`, ...(junit ? { junit } : {}) };
  },
  version: (ctx, c, dir) => dag.nodeToolchain({ image: baseImage(ctx, c) }).version(dir),
  // The same probe as the generated Dockerfile's HEALTHCHECK: needs nothing but node (slim images have no curl).
  healthProbe: (c) => ["node", "-e", `fetch(${JSON.stringify(`http://127.0.0.1:${c.image.port}${c.image.health}`)}).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
  dockerfile: (ctx, c, dir) => dag.nodeToolchain({ image: baseImage(ctx, c) }).dockerfile(dir, imageOptions(c)),
  // On the base pinned by digest that the input hash names (item 16).
  build: async (ctx, c, dir, stamp) =>
    toolchainFor(ctx, c, await pinnedBase(ctx, c)).build(dir, stamp.revision, stamp.created, {
      sourceUrl: stamp.sourceUrl,
      ownDockerfile: c.dockerfile ?? "",
      aptMirror: ctx.config.mirror?.apt ?? "",
      ...imageOptions(c),
    }),
};
