/**
 * The .NET Aspire manifest (`aspire-manifest.json`, as `dotnet run --project AppHost -- --publisher
 * manifest` writes it), validated with zod. These schemas are the single source of the manifest's
 * types. Shapes follow Aspire's ManifestPublishingContext (dotnet/aspire) and the manifest-format
 * reference (learn.microsoft.com/dotnet/aspire/deployment/manifest-format), including the pre-GA
 * shapes that reference documents (`containerPort`, `dockerfile.v0`, `redis.v0`, `postgres.*.v0`).
 * Unknown fields are dropped, not refused: Aspire adds fields in most releases.
 */
import { z } from "./vendor/zod.js";
import { AspireManifestError } from "./errors.js";
import { isImageReference } from "./images.js";
import { protoKeyPath, resourceNameProblem } from "./names.js";

/** A string that may hold `{resource.path}` expressions. */
const Template = z.string();

/** One endpoint of a service. */
export const ManifestBinding = z.object({
  /** tcp, udp, http, https (or another URI scheme an integration chose, e.g. redis). */
  scheme: z.string().min(1),
  protocol: z.string().min(1).default("tcp"),
  /** Same as scheme, but http2 where the scheme is http. */
  transport: z.string().min(1).optional(),
  /** The port the process listens on inside its container; absent on a project's default http/https endpoints. */
  targetPort: z.number().int().min(1).max(65535).optional(),
  /** Pre-GA name of targetPort (Aspire 8 previews). */
  containerPort: z.number().int().min(1).max(65535).optional(),
  /** The port a deployment exposes it on, when the AppHost asked for one. */
  port: z.number().int().min(1).max(65535).optional(),
  /** Reachable from outside the application (ingress). */
  external: z.boolean().default(false),
});
/** A validated binding (named after the manifest's field: Binding is a core Dagger type). */
export type ManifestBinding = z.output<typeof ManifestBinding>;

/** How a parameter's default value is generated (Aspire's GenerateParameterDefault). */
export const GenerateSpec = z.object({
  minLength: z.number().int().min(0).default(0),
  lower: z.boolean().default(true),
  upper: z.boolean().default(true),
  numeric: z.boolean().default(true),
  special: z.boolean().default(true),
  minLower: z.number().int().min(0).default(0),
  minUpper: z.number().int().min(0).default(0),
  minNumeric: z.number().int().min(0).default(0),
  minSpecial: z.number().int().min(0).default(0),
});
/** A validated generate block, with Aspire's defaults filled in. */
export type GenerateSpec = z.output<typeof GenerateSpec>;

/** One input of a resource: `inputs.value` of a parameter, or `inputs.password` of a pre-GA container. */
export const Input = z.object({
  type: z.literal("string").default("string"),
  secret: z.boolean().default(false),
  default: z.union([z.object({ value: z.string() }), z.object({ generate: GenerateSpec })]).optional(),
});
/** A validated input. */
export type Input = z.output<typeof Input>;

const Env = z.record(z.string(), Template);
const Args = z.array(Template);
const Inputs = z.record(z.string(), Input);
const Bindings = z.record(z.string(), ManifestBinding);

/** A named volume; Aspire omits the name of an anonymous one. */
export const ManifestVolume = z.object({ name: z.string().min(1).optional(), target: z.string().min(1), readOnly: z.boolean().default(false) });
/** A host folder mounted into the container; source is relative to the manifest's folder. */
export const BindMount = z.object({ source: z.string().min(1), target: z.string().min(1), readOnly: z.boolean().default(false) });

/** The deployment target Aspire writes for a cloud host (an azure.bicep module); only a deployment tool reads it. */
export const Deployment = z.looseObject({ type: z.string().min(1) });

/** A Dockerfile build (container.v1 `build`); paths are relative to the manifest's folder. */
export const Build = z.object({
  context: z.string().min(1),
  dockerfile: z.string().min(1),
  stage: z.string().min(1).optional(),
  /** Build arguments; null lets docker take the value from its own environment. */
  args: z.record(z.string(), Template.nullable()).optional(),
  /** Build secrets: an expression (type env) or a file relative to the manifest (type file). */
  secrets: z.record(z.string(), z.union([z.object({ type: z.literal("env"), value: Template.nullable() }), z.object({ type: z.literal("file"), source: z.string().min(1) })])).optional(),
});

const serviceFields = {
  connectionString: Template.optional(),
  args: Args.optional(),
  env: Env.optional(),
  bindings: Bindings.optional(),
  /** Pre-GA: inputs on the resource itself ({name.inputs.password}). */
  inputs: Inputs.optional(),
};
const containerFields = {
  ...serviceFields,
  entrypoint: z.string().min(1).optional(),
  volumes: z.array(ManifestVolume).optional(),
  bindMounts: z.array(BindMount).optional(),
  deployment: Deployment.optional(),
};

/** A container from an image. */
export const ContainerV0 = z.object({ type: z.literal("container.v0"), image: z.string().min(1), ...containerFields });
/** A container from an image or a Dockerfile build, optionally with a deployment target. */
export const ContainerV1 = z
  .object({ type: z.literal("container.v1"), image: z.string().min(1).optional(), build: Build.optional(), ...containerFields })
  .refine((c) => (c.image === undefined) !== (c.build === undefined), { message: "a container.v1 has either image or build, not both and not neither" });
/** Pre-GA Dockerfile resource (AsDockerfileInManifest): path is the Dockerfile, context its build context. */
export const DockerfileV0 = z.object({
  type: z.literal("dockerfile.v0"),
  path: z.string().min(1),
  context: z.string().min(1),
  buildArgs: z.record(z.string(), Template.nullable()).optional(),
  ...serviceFields,
});
/** A .NET project, built by the caller or replaced by a published image. */
export const Project = z.object({ type: z.enum(["project.v0", "project.v1"]), path: z.string().min(1), deployment: Deployment.optional(), ...serviceFields });
/** A process on the AppHost's machine (dotnet tool, node, npm, java…). */
export const Executable = z.object({ type: z.literal("executable.v0"), command: z.string().min(1), workingDirectory: z.string().default("."), ...serviceFields });
/** A value the AppHost reads from configuration (Parameters:<name>); a secret when inputs.value.secret. */
export const Parameter = z.object({ type: z.literal("parameter.v0"), value: Template, connectionString: Template.optional(), inputs: Inputs });
/** A connection string or value made of other resources' values (a database of a server, a TLS condition…). */
export const Value = z.object({ type: z.literal("value.v0"), connectionString: Template.optional(), value: Template.optional() });
/** Another resource's value with a filter applied; Aspire writes `filter: "uri"` for URI-encoded passwords. */
export const AnnotatedString = z.object({ type: z.literal("annotated.string"), value: Template, filter: z.literal("uri") });

/** Pre-GA server resources that name no image: the deployment tool provisioned them (azd: a Container Apps add-on). */
export const ABSTRACT_SERVER_TYPES = ["redis.v0", "postgres.server.v0", "rabbitmq.server.v0", "mysql.server.v0", "sqlserver.server.v0", "sqlserver.server.v1", "mongodb.server.v0"] as const;
/** Pre-GA databases of a server resource (`parent`). */
export const DATABASE_TYPES = [
  "postgres.database.v0",
  "mysql.database.v0",
  "mysql.database.v1",
  "sqlserver.database.v0",
  "sqlserver.database.v1",
  "mongodb.database.v0",
  "mongodb.database.v1",
] as const;
/** Pre-GA connection-string-only resources. */
export const CONNECTION_TYPES = ["postgres.connection.v0", "rabbitmq.connection.v0", "sqlserver.connection.v0"] as const;

/** A pre-GA server with no image. */
export const AbstractServer = z.object({ type: z.enum(ABSTRACT_SERVER_TYPES), connectionString: Template.optional(), inputs: Inputs.optional() });
/** A pre-GA database of a server. */
export const Database = z.object({ type: z.enum(DATABASE_TYPES), parent: z.string().min(1), databaseName: z.string().min(1).optional() });
/** A pre-GA connection string. */
export const Connection = z.object({ type: z.enum(CONNECTION_TYPES), connectionString: Template });
/** An Azure resource (azure.bicep.v0/v1, or a pre-GA azure.*.v0): it only exists after a deployment to Azure. */
export const CloudResource = z.looseObject({ type: z.string().regex(/^azure\./), connectionString: Template.optional() });
/** A resource Aspire could not write (it writes `error` and no type), e.g. a Docker Compose environment or a custom resource. */
export const Untyped = z.looseObject({ error: z.string().optional() });

/** The resource types this module reads, for messages; `azure.*` stands for every Azure type. */
export const KNOWN_TYPES = [
  "container.v0",
  "container.v1",
  "dockerfile.v0",
  "project.v0",
  "project.v1",
  "executable.v0",
  "parameter.v0",
  "value.v0",
  "annotated.string",
  ...ABSTRACT_SERVER_TYPES,
  ...DATABASE_TYPES,
  ...CONNECTION_TYPES,
  "azure.*",
] as const;

/** Each typed resource's schema, by type. */
const BY_TYPE: Record<string, z.ZodType> = Object.fromEntries([
  ["container.v0", ContainerV0],
  ["container.v1", ContainerV1],
  ["dockerfile.v0", DockerfileV0],
  ["project.v0", Project],
  ["project.v1", Project],
  ["executable.v0", Executable],
  ["parameter.v0", Parameter],
  ["value.v0", Value],
  ["annotated.string", AnnotatedString],
  ...ABSTRACT_SERVER_TYPES.map((t) => [t, AbstractServer]),
  ...DATABASE_TYPES.map((t) => [t, Database]),
  ...CONNECTION_TYPES.map((t) => [t, Connection]),
]);

/** Any resource of a manifest. */
export const Resource = z.union([ContainerV0, ContainerV1, DockerfileV0, Project, Executable, Parameter, Value, AnnotatedString, AbstractServer, Database, Connection, CloudResource, Untyped]);
/** A validated resource. */
export type Resource = z.output<typeof Resource>;
/** A resource that runs: a container, a project, an executable or a pre-GA Dockerfile. */
export type ServiceResource = z.output<typeof ContainerV0> | z.output<typeof ContainerV1> | z.output<typeof DockerfileV0> | z.output<typeof Project> | z.output<typeof Executable>;

/** The resource of that name, or undefined: never a property every object has (constructor, toString). */
export const resourceNamed = (manifest: AspireManifest, name: string): Resource | undefined => (Object.hasOwn(manifest.resources, name) ? manifest.resources[name] : undefined);

/** A resource's type, or null when Aspire wrote none. */
export const typeOf = (r: Resource): string | null => (typeof (r as { type?: unknown }).type === "string" ? (r as { type: string }).type : null);

/** The types that run: containers, projects, executables, pre-GA Dockerfiles. */
export const SERVICE_TYPES = ["container.v0", "container.v1", "dockerfile.v0", "project.v0", "project.v1", "executable.v0"] as const;
/** A type that runs. */
export const isServiceType = (type: string | null): boolean => type !== null && (SERVICE_TYPES as readonly string[]).includes(type);
/** A type whose resource is a value: value.v0, annotated.string, a pre-GA database or connection. */
export const isValueType = (type: string | null): boolean => type !== null && (type === "value.v0" || type === "annotated.string" || /\.(database|connection)\.v\d+$/.test(type));

/** A whole manifest. */
export const AspireManifest = z.object({ $schema: z.string().optional(), resources: z.record(z.string(), Resource) });
/** A validated manifest. */
export type AspireManifest = z.output<typeof AspireManifest>;

/** What an image in a manifest looks like, for messages. */
const IMAGE_FORM_IN_MANIFEST = "registry/name:tag as Aspire writes it, e.g. docker.io/library/redis:8.6; no spaces or control characters";

/** The schema a resource of this type is validated with; undefined for a type this module does not know. */
function schemaOf(type: unknown): z.ZodType | undefined {
  if (type === undefined) return Untyped;
  if (typeof type !== "string") return undefined;
  return BY_TYPE[type] ?? (type.startsWith("azure.") ? CloudResource : undefined);
}

/** Parse and validate a manifest's text; `file` names it in every error. */
export function parseManifest(text: string, file: string): AspireManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AspireManifestError(file, `not valid JSON: ${jsonErrorWithPosition(text, e)}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json) || typeof (json as { resources?: unknown }).resources !== "object" || (json as { resources?: unknown }).resources === null) {
    throw new AspireManifestError(file, 'not an Aspire manifest: expected an object with a "resources" object');
  }
  const raw = (json as { resources: Record<string, unknown> }).resources;
  // No prototype: a resource named constructor or toString is the manifest's, never Object's.
  const resources: Record<string, Resource> = Object.create(null);
  for (const [name, value] of Object.entries(raw)) {
    const nameProblem = resourceNameProblem(name);
    if (nameProblem) throw new AspireManifestError(file, `resources: ${nameProblem}`);
    const proto = protoKeyPath(value, `resources.${name}`);
    if (proto) throw new AspireManifestError(file, `${proto}: a key named "__proto__" is refused (it cannot be kept as written); rename it`);
    const type = (value as { type?: unknown } | null)?.type;
    const schema = schemaOf(type);
    if (!schema) {
      throw new AspireManifestError(file, `resources.${name}: unknown resource type ${JSON.stringify(type)}; known types: ${KNOWN_TYPES.join(", ")}`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = ["resources", name, ...issue.path.map(String)].join(".");
      throw new AspireManifestError(file, `${where}: ${issue.message} (resource type ${String(type)})`);
    }
    const image = (parsed.data as { image?: unknown }).image;
    if (typeof image === "string" && !isImageReference(image)) {
      throw new AspireManifestError(file, `resources.${name}.image: ${JSON.stringify(image)} is not an image reference (${IMAGE_FORM_IN_MANIFEST})`);
    }
    resources[name] = parsed.data as Resource;
  }
  return { ...(typeof (json as { $schema?: unknown }).$schema === "string" ? { $schema: (json as { $schema: string }).$schema } : {}), resources };
}

/** JSON.parse's message with the line and column of the position it names, which V8 gives only as an offset. */
function jsonErrorWithPosition(text: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const m = /position (\d+)/.exec(message);
  // Node 22 adds "(line L column C)" itself; Node 20 gives only the offset.
  if (!m || /line \d+/.test(message)) return message;
  const offset = Number(m[1]);
  const before = text.slice(0, offset).split("\n");
  return `${message} (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}
