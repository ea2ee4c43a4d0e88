/**
 * Pipeline: one place to run an application's whole delivery pipeline.
 * Start with `dagger call plan --event push --ref main` to see what a push would do.
 */
import { argument, type Container, dag, type Directory, func, object } from "@dagger.io/dagger";
import { checkScript } from "./checks.js";
import { parseConfig } from "./config/load.js";
import { configJsonSchema } from "./config/json-schema.js";
import type { PipelineConfig } from "./config/schema.js";
import { summarise } from "./config/summary.js";
import { toEvent } from "./plan/event.js";
import { plan } from "./plan/plan.js";
import { renderPlan } from "./plan/render.js";

@object()
export class Pipeline {
  /** The application repository (the folder that holds pipeline.yaml). */
  source: Directory;
  /** Path of the pipeline config inside the source. */
  config: string;

  constructor(
    @argument({ defaultPath: "/", ignore: ["**/node_modules", "**/dist", ".git"] }) source: Directory,
    config = "pipeline.yaml",
  ) {
    this.source = source;
    this.config = config;
  }

  /**
   * What a CI event would run: stages in order, parallel jobs, affected components, promotions.
   * event: pull-request, push, tag, promote or delete. ref: the branch or tag. changed: files
   * relative to the folder of pipeline.yaml (all components count as affected without them).
   */
  @func()
  async plan(event: string, ref?: string, environment?: string, changed?: string[], emergency = false, json = false): Promise<string> {
    const result = plan(await this.loadConfig(), toEvent({ event, ref, environment, changed, emergency }));
    return json ? `${JSON.stringify(result, null, 2)}\n` : renderPlan(result);
  }

  /** Validate pipeline.yaml and summarise it; fails listing every problem with its line. */
  @func()
  async validate(): Promise<string> {
    return summarise(await this.loadConfig());
  }

  /** The JSON Schema of pipeline.yaml, for editors (yaml-language-server) and other tools. */
  @func()
  configSchema(): string {
    return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  }

  /** One check (lint, typecheck or unit) of one component, run by its toolchain. */
  @func()
  async check(component: string, step: string): Promise<Container> {
    const config = await this.loadConfig();
    const { toolchain, path, script } = checkScript(config, component, step);
    switch (toolchain) {
      case "node":
        return dag.nodeToolchain({ registry: config.mirror?.npm ?? "" }).run(this.source.directory(path), script);
    }
  }

  private async loadConfig(): Promise<PipelineConfig> {
    return parseConfig(await this.source.file(this.config).contents(), this.config);
  }
}
