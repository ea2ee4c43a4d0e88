/** The service graph: what a runner (Dagger services, a Compose file) needs to start an Aspire application. */
import type { GenerateSpec } from "./manifest.js";
import type { Part } from "./parts.js";

/** One endpoint of a service; other services reach it at the service's name on targetPort. */
export interface Endpoint {
  /** The binding's name in the manifest (http, https, tcp…). */
  name: string;
  scheme: string;
  protocol: string;
  transport: string;
  /** The port the process listens on in its container. */
  targetPort: number;
  /** Set when targetPort is our default, not the manifest's (a project's default http/https endpoint: 8080). */
  defaultedTargetPort?: true;
  /** The host port the AppHost asked for, if any. */
  port?: number;
  /** Reachable from outside the application: a Compose file publishes it. */
  external: boolean;
}

/** A Dockerfile build; context and dockerfile are relative to the manifest's folder, as Aspire writes them. */
export interface BuildSource {
  context: string;
  dockerfile: string;
  stage?: string;
  /** Build arguments; null lets docker take the value from its environment. */
  args: Record<string, Part[] | null>;
  /** Build secrets: a value (type env) or a file relative to the manifest's folder (type file). */
  secrets: Record<string, { type: "env"; value: Part[] | null } | { type: "file"; source: string }>;
}

/** Where a service's process comes from. */
export type ServiceSource =
  | { image: string }
  | { build: BuildSource }
  /** A .NET project (path relative to the manifest's folder) the caller builds, e.g. with `dotnet publish /t:PublishContainer`. */
  | { project: string }
  /** A process on the AppHost's machine; workingDirectory is relative to the manifest's folder. */
  | { executable: { command: string; workingDirectory: string } };

/** A named or anonymous volume. */
export interface GraphVolume {
  /** Absent for an anonymous volume. */
  name?: string;
  target: string;
  readOnly: boolean;
}

/** A host folder mounted into the container; source is relative to the manifest's folder. */
export interface GraphBindMount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** One runnable resource: a container, a project, an executable or a pre-GA Dockerfile. */
export interface GraphService {
  /** The resource name: also the service's hostname. */
  name: string;
  /** The manifest type (container.v0, project.v1…). */
  type: string;
  source: ServiceSource;
  /** The image the caller put in place of the manifest's source (overrides); env, args and endpoints are kept. */
  overridden?: string;
  /** The container's entrypoint, when the manifest sets one. */
  entrypoint?: string;
  /** Arguments, each as parts. */
  args: Part[][];
  /** Environment variables as parts. */
  env: Record<string, Part[]>;
  endpoints: Endpoint[];
  volumes: GraphVolume[];
  bindMounts: GraphBindMount[];
  /** Services this one refers to (env, args, build), directly or through values, outside its reference cycle: they start first. */
  dependsOn: string[];
  /** Services in a reference cycle with this one (A refers to B, B to A): no start order between them; they reach each other by name once started. */
  peers?: string[];
  /** What `{name.connectionString}` resolves to, when the resource has one. */
  connectionString?: Part[];
  /** The type of the manifest's deployment target (e.g. azure.bicep.v0), ignored for local runs. */
  deployment?: string;
}

/** Where a parameter's value comes from. */
export type ParameterSource =
  /** The caller gave it; a secret's value never enters the graph. */
  | { kind: "given"; value?: string }
  /** The manifest's default value (for a secret too: it is plain text in the manifest already, and the runner needs it). */
  | { kind: "default"; value: string }
  /** Generated per Aspire's rules; a non-secret's generated value is recorded, a secret's is the runner's to generate (generateValue). */
  | { kind: "generate"; spec: GenerateSpec; value?: string }
  /** No value and no default, and nothing needs it (a service that needs it is an error). */
  | { kind: "unset" };

/** A parameter (parameter.v0, or a pre-GA input such as `postgres2.inputs.password`, named "postgres2.password"). */
export interface GraphParameter {
  name: string;
  secret: boolean;
  source: ParameterSource;
  /** The services whose env, args or build use it, directly or through values. */
  usedBy: string[];
}

/** A resolved value.v0, annotated.string or pre-GA connection/database resource. */
export interface GraphValue {
  name: string;
  type: string;
  /** Its connection string (or value), as parts. */
  parts: Part[];
}

/** A resource that is not in the graph, and why. */
export interface SkippedResource {
  name: string;
  /** The manifest type; null when Aspire wrote no type. */
  type: string | null;
  reason: string;
}

/** A manifest turned into what runs: every resource is in exactly one of services, parameters, values or skipped. */
export interface ServiceGraph {
  /** The manifest's file name, for messages. */
  file: string;
  /** In start order: each service after those in its dependsOn. */
  services: GraphService[];
  parameters: GraphParameter[];
  values: GraphValue[];
  skipped: SkippedResource[];
}
