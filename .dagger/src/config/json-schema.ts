/** The editor JSON Schema of pipeline.yaml, generated from the zod schema so the two cannot drift. */
import { z } from "../vendor/zod.js";
import { PipelineConfig } from "./schema.js";

/** JSON Schema (draft 2020-12) of pipeline.yaml as users write it: keys with defaults are optional. */
export function configJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(PipelineConfig, { io: "input" }), title: "pipeline.yaml" };
}
