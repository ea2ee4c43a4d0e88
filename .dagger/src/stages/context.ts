/** What every stage of one pipeline run shares: the config, the sources, the mirror, the run's id. */
import { randomUUID } from "node:crypto";
import { dag, type Directory, type Secret } from "@dagger.io/dagger";
import type { Component, PipelineConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { DEFAULT_BASE_IMAGES, mirrorImage } from "../mirror/images.js";
import { pinImage } from "../run/engine-images.js";
import { type MirrorAuth, mirrorCredentials, npmrc } from "../mirror/npmrc.js";
import { toolchainOf } from "../toolchains/index.js";
import { dockerfileSyntaxProblem } from "./dockerfile-syntax.js";

/** One pipeline run's shared inputs. */
export interface StageContext {
  config: PipelineConfig;
  source: Directory;
  /** Unique per run: checks include it so no verdict comes from an earlier run's cache. */
  runId: string;
  /** The build's .npmrc (mirror, scopes; credentials only as ${NPM_TOKEN}/${NPM_AUTH} references) as a secret, when a mirror is configured. */
  npmrc?: Secret;
  /** The bare mirror token, a secret of its own so the engine scrubs it wherever it is printed (NPM_TOKEN). */
  npmToken?: Secret;
  /** base64(user:token) for a mirror with basic auth (NPM_AUTH), a secret of its own. */
  npmAuth?: Secret;
}

/** Build the context; mirror credentials become secrets of their own, referenced by a secret .npmrc. */
export async function stageContext(config: PipelineConfig, source: Directory, mirrorToken?: Secret, mirrorUsername = ""): Promise<StageContext> {
  const secrets: Pick<StageContext, "npmrc" | "npmToken" | "npmAuth"> = {};
  if (config.mirror?.npm) {
    const auth: MirrorAuth | undefined = mirrorToken ? { token: await mirrorToken.plaintext(), ...(mirrorUsername ? { username: mirrorUsername } : {}) } : undefined;
    secrets.npmrc = dag.setSecret(`pipeline-npmrc-${config.name}`, npmrc(config.mirror.npm, config.mirror.npmScopes, auth));
    if (auth) {
      const { token, basic } = mirrorCredentials(auth);
      secrets.npmToken = dag.setSecret(`pipeline-npm-token-${config.name}`, token);
      if (basic !== undefined) secrets.npmAuth = dag.setSecret(`pipeline-npm-auth-${config.name}`, basic);
    }
  }
  return { config, source, runId: randomUUID(), ...secrets };
}

/** The component's base image, rewritten to the mirror. */
export function baseImage(ctx: StageContext, component: Component): string {
  return mirrorImage(component.image.base ?? DEFAULT_BASE_IMAGES[component.toolchain], ctx.config.mirror?.images);
}

/** Base images pinned by digest, per run: each tag is resolved once, so every component on it gets the same image. */
const pins = new WeakMap<StageContext, Map<string, Promise<string>>>();

/**
 * An image pinned to the digest its tag names now, once per run (`name:tag@sha256:…`). The input
 * hash and the build both use it, so a reused image has the base the hash says and a moved base
 * tag means a rebuild (issue 14, item 16).
 */
export function pinned(ctx: StageContext, image: string): Promise<string> {
  let run = pins.get(ctx);
  if (!run) pins.set(ctx, (run = new Map()));
  let pin = run.get(image);
  if (!pin) run.set(image, (pin = pinImage(image)));
  return pin;
}

/** The component's base image, through the mirror, pinned by digest for this run. */
export function pinnedBase(ctx: StageContext, component: Component): Promise<string> {
  return pinned(ctx, baseImage(ctx, component));
}

/** The named components, or all; unknown names are refused before any work starts. */
export function selectComponents(config: PipelineConfig, names: string[] | undefined): string[] {
  const all = Object.keys(config.components);
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0)
    throw new InputError(
      `components: ${unknown.map((n) => `"${n}"`).join(", ")} ${unknown.length === 1 ? "is not a component" : "are not components"} of this pipeline; components: ${all.join(", ")}`,
    );
  return names;
}

/** Files each toolchain needs before any work starts: a missing lockfile is the user's to fix, not a build failure. */
export async function preflight(ctx: StageContext, components: string[]): Promise<void> {
  const problems: string[] = [];
  await Promise.all(
    components.map(async (name) => {
      const c = ctx.config.components[name];
      const dir = ctx.source.directory(c.path);
      const needs = [...toolchainOf(name, c).requiredFiles(c), ...(c.dockerfile ? [{ file: c.dockerfile }] : [])];
      for (const { file, hint } of needs) if (!(await dir.exists(file))) problems.push(`components.${name}: ${c.path}/${file} is missing${hint ? ` (${hint})` : ""}`);
      // The engine refuses a syntax directive naming a frontend it cannot run, with a message that names neither file nor fix.
      if (c.dockerfile && (await dir.exists(c.dockerfile))) {
        const problem = dockerfileSyntaxProblem(`${c.path}/${c.dockerfile}`, await dir.file(c.dockerfile).contents());
        if (problem) problems.push(`components.${name}: ${problem}`);
      }
    }),
  );
  if (problems.length > 0) throw new InputError(problems.sort().join("\n"));
}
