/**
 * Drone's documented pipeline format (docs.drone.io/pipeline/docker/syntax: pipeline, steps,
 * trigger, conditions, volumes, services, platform, workspace, clone, depends_on), as a strict zod
 * schema: an unknown key or a wrong value is an error, as a typo in .drone.yml is a pipeline that
 * silently never runs. Plus the rules the docs state across keys (step volumes name pipeline
 * volumes, depends_on names other pipelines or steps, names are unique).
 */
import { parseAllDocuments } from "yaml";
import { z } from "zod";

/** The events Drone sets in DRONE_BUILD_EVENT (docs.drone.io/pipeline/environment/reference/drone-build-event). */
export const DRONE_EVENTS = ["push", "pull_request", "tag", "promote", "rollback", "cron", "custom"] as const;

// An empty list entry (`-` alone) is YAML null, which Drone's parser keeps and matches nothing (seen in drone-cache's file).
const list = (item: z.ZodType<string>) => {
  const entry = z.union([item, z.null()]);
  return z.union([item, z.array(entry).min(1), z.strictObject({ include: z.array(entry).optional(), exclude: z.array(entry).optional() })]);
};
/** A trigger or a step's `when`: every condition the docs list, each a value, a list, or include/exclude. */
const Conditions = z.strictObject({
  branch: list(z.string().min(1)).optional(),
  event: list(z.enum(DRONE_EVENTS)).optional(),
  ref: list(z.string().min(1)).optional(),
  repo: list(z.string().min(1)).optional(),
  status: list(z.enum(["success", "failure"])).optional(),
  target: list(z.string().min(1)).optional(),
  cron: list(z.string().min(1)).optional(),
  instance: list(z.string().min(1)).optional(),
  action: list(z.string().min(1)).optional(),
});
const EnvValue = z.union([z.string(), z.number(), z.boolean(), z.strictObject({ from_secret: z.string().min(1) })]);
const Step = z.strictObject({
  name: z.string().min(1),
  image: z.string().min(1),
  commands: z.array(z.string().min(1)).optional(),
  entrypoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), EnvValue).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  volumes: z.array(z.strictObject({ name: z.string().min(1), path: z.string().startsWith("/") })).optional(),
  when: Conditions.optional(),
  depends_on: z.array(z.string().min(1)).optional(),
  detach: z.boolean().optional(),
  privileged: z.boolean().optional(),
  pull: z.enum(["always", "never", "if-not-exists"]).optional(),
  failure: z.enum(["ignore", "always"]).optional(),
  network_mode: z.string().optional(),
  user: z.string().optional(),
  working_dir: z.string().optional(),
  shm_size: z.union([z.string(), z.number()]).optional(),
  /** Ports a service exposes (drone-runner-docker's Step.Ports). */
  ports: z.array(z.union([z.number().int(), z.string()])).optional(),
});
const Volume = z.union([
  z.strictObject({ name: z.string().min(1), host: z.strictObject({ path: z.string().startsWith("/") }) }),
  z.strictObject({ name: z.string().min(1), temp: z.strictObject({ medium: z.literal("memory").optional() }) }),
]);
/** One `kind: pipeline, type: docker` document. */
export const DronePipeline = z.strictObject({
  kind: z.literal("pipeline"),
  // Drone's default type is docker.
  type: z.literal("docker").default("docker"),
  name: z.string().min(1),
  platform: z.strictObject({ os: z.enum(["linux", "windows"]), arch: z.enum(["amd64", "arm64", "arm"]), version: z.string().optional() }).optional(),
  workspace: z.strictObject({ path: z.string() }).optional(),
  clone: z.strictObject({ disable: z.boolean().optional(), depth: z.number().int().positive().optional(), skip_verify: z.boolean().optional() }).optional(),
  trigger: Conditions.optional(),
  environment: z.record(z.string(), EnvValue).optional(),
  steps: z.array(Step).min(1),
  services: z.array(Step).optional(),
  volumes: z.array(Volume).optional(),
  node: z.record(z.string(), z.string()).optional(),
  depends_on: z.array(z.string().min(1)).optional(),
  concurrency: z.strictObject({ limit: z.number().int().positive() }).optional(),
  image_pull_secrets: z.array(z.string()).optional(),
});
/** A validated pipeline document. */
export type DronePipeline = z.output<typeof DronePipeline>;

/**
 * Steps and services share one namespace, with `clone` taken unless the clone is disabled:
 * drone-runner-docker's linter (engine/linter/linter.go checkSteps) refuses the whole pipeline on
 * a repeat ("duplicate step names"), so the file must never reach it with one.
 */
function containerNameProblems(p: DronePipeline): string[] {
  const seen = new Map<string, string>(p.clone?.disable ? [] : [["clone", "Drone's clone step"]]);
  const problems: string[] = [];
  const containers = [...(p.services ?? []).map((s, i) => ({ name: s.name, at: `services.${i}` })), ...p.steps.map((s, i) => ({ name: s.name, at: `steps.${i}` }))];
  for (const c of containers) {
    const first = seen.get(c.name);
    if (first !== undefined) problems.push(`${c.at}: name ${JSON.stringify(c.name)} is already used by ${first}; step and service names must be unique in a pipeline`);
    else seen.set(c.name, c.at);
  }
  return problems;
}

/** Parse a .drone.yml: every document must be a valid pipeline and the cross-key rules hold; the problems otherwise, each naming the document and path. */
export function parseDroneFile(text: string, file: string): { pipelines: DronePipeline[]; problems: string[] } {
  const problems: string[] = [];
  const pipelines: DronePipeline[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if ("errors" in doc && doc.errors.length > 0) return problems.push(`${file} document ${i + 1}: not YAML: ${doc.errors[0].message}`);
    const parsed = DronePipeline.safeParse(doc.toJS());
    if (!parsed.success) return problems.push(...parsed.error.issues.map((e) => `${file} document ${i + 1}: ${e.path.join(".") || "(root)"}: ${e.message}`));
    pipelines.push(parsed.data);
  });
  const names = pipelines.map((p) => p.name);
  for (const [i, n] of names.entries()) if (names.indexOf(n) !== i) problems.push(`${file}: pipeline name ${n} is used twice`);
  for (const p of pipelines) {
    const volumes = new Set((p.volumes ?? []).map((v) => v.name));
    const steps = p.steps.map((s) => s.name);
    for (const s of p.steps) {
      for (const v of s.volumes ?? []) if (!volumes.has(v.name)) problems.push(`${file}: ${p.name}.${s.name}: volume ${v.name} is not a volume of the pipeline`);
      for (const d of s.depends_on ?? []) if (!steps.includes(d)) problems.push(`${file}: ${p.name}.${s.name}: depends_on ${d} is not a step of the pipeline`);
    }
    problems.push(...containerNameProblems(p).map((m) => `${file}: ${p.name}: ${m}`));
    for (const d of p.depends_on ?? []) if (!names.includes(d)) problems.push(`${file}: ${p.name}: depends_on ${d} is not a pipeline of the file`);
  }
  return { pipelines, problems };
}
