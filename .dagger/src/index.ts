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

/** The delivery pipeline of one application, configured by its pipeline.yaml. */
@object()
export class Pipeline {
  /** The application repository (the folder that holds pipeline.yaml). */
  source: Directory;
  /** Path of the pipeline config inside the source. */
  config: string;

  /**
   * @param source The application repository (the folder that holds pipeline.yaml); defaults to the caller's repository root.
   * @param config Path of the pipeline config inside the source.
   */
  constructor(
    @argument({ defaultPath: "/", ignore: ["**/node_modules", "**/dist", ".git"] }) source: Directory,
    config = "pipeline.yaml",
  ) {
    this.source = source;
    this.config = config;
  }

  /**
   * What a CI event would run: stages in order, parallel jobs, affected components, promotions.
   * @param event One of pull-request, push, tag, promote, delete.
   * @param ref The branch (pull-request, push, delete) or the release tag (tag), e.g. main or v1.4.0.
   * @param environment The target environment of a promote event, e.g. prod.
   * @param changed Changed files relative to the folder of pipeline.yaml; without them every component counts as affected.
   * @param emergency Plan an emergency promotion (vulnerability gate and upstream rule waived, compatibility kept).
   * @param json Print the plan as JSON instead of text.
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

  /**
   * One check of one component, run by its toolchain.
   * @param component A component named in pipeline.yaml, e.g. backend.
   * @param step lint, typecheck or unit (the checks of the component's toolchain).
   */
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
