/**
 * Engine rules (d), (e) and (g) applied to the containers the harness answers while a root function
 * runs (the models themselves, each read in dagger/dagger at 00c993cbe4, are in engine/):
 *
 * - (d) engine/docker-build-secrets.ts: a container a chain builds with `Directory.dockerBuild`
 *   carries the build's secrets (core/container.go `(*Container).Build` appends
 *   /run/secrets/<name> for each; util/llbtodagger/exec.go keeps the final stage's RUN secret
 *   mounts and secret env), until `withoutMount`/`withoutSecretVariable` removes them
 *   (core/container.go `WithoutMount`, `WithoutSecretVariable`). Every service started and every
 *   image published is recorded with the secrets its container still carries (`Engine.services`,
 *   `Engine.published`). A published image does not carry them in the registry: core/container.go
 *   `Publish` pushes the container's rootfs and image config, and secrets are mounts, not layers; the
 *   record says what the container object carried when it was pushed, i.e. what every other use of
 *   the same object (a service, an exec) can read.
 * - (e) engine/service-start.ts: when a service is started (`Service.start`, or lazily when a
 *   container bound to it runs an exec that is read), the start condition the engine waits for
 *   (core/service.go `startContainer`, core/healthcheck.go) is evaluated from the container's image
 *   config as the chain built it: a Dockerfile's HEALTHCHECK and EXPOSE (util/llbtodagger/metadata.go),
 *   `withDockerHealthcheck` (core/schema/container.go `withHealthcheck`, which replaces the whole
 *   config), `withoutDockerHealthcheck`, `withExposedPort`. A healthcheck the engine cannot run fails
 *   the start, here too. Containers do not run in the harness, so *when* a probe first passes is not
 *   known: a record says what the engine waits for and how often it probes, not how long it took.
 * - (g) engine/secret-scrub.ts: every string a container leaf answers (stdout, stderr, combinedOutput,
 *   whether a `node` script run on the host, a test's stub or a placeholder; and the message of an
 *   error such a leaf raises) goes through the exact-value scrubber with the secrets of that exec, as
 *   engine/engineutil/executor_spec.go `setupSecretScrubbing` does: the exec's secret env variables
 *   and secret files (core/container_exec.go: every secret the container carries). A secret the
 *   session knows but the exec was not given is not scrubbed, as in the engine; nor is a file the
 *   exec wrote (`file(…).contents`): the engine scrubs the exec's stdout and stderr only. A secret
 *   whose plaintext the engine model does not know (secret(uri) other than env://) cannot be scrubbed.
 */
import { renderChain } from "../recorder/render.js";
import { type Call, type Chain, isRef, type Value } from "../recorder/types.js";
import { dockerBuildSecrets, type MountedSecret } from "./engine/docker-build-secrets.js";
import { scrub } from "./engine/secret-scrub.js";
import { dockerfileConfig, type ExposedPort, type Healthcheck, type StartCondition, startCondition, withDockerHealthcheck } from "./engine/service-start.js";
import type { Engine } from "./engine.js";

/** A secret a container carries: where (file or env variable), which secret (its name and chain), and how it got there. */
export interface CarriedSecret extends MountedSecret {
  origin: "dockerBuild" | "withMountedSecret" | "withSecretVariable";
  /** The secret's chain (setSecret(name), secret(uri)…): the engine model knows its plaintext. */
  chain: Chain;
}

/** The parts of a container's state the rules need. */
export interface ContainerState {
  secrets: CarriedSecret[];
  /** The image config's HEALTHCHECK: none (undefined), or `{ unknown }` when it comes from an image the harness does not have. */
  healthcheck: Healthcheck | undefined | { unknown: string };
  ports: ExposedPort[];
  /** What the engine refuses when the container is evaluated (e.g. a withDockerHealthcheck it cannot parse). */
  error?: string;
}

/** What the engine waits for before a service counts as started, or why the harness cannot say. */
export type ModelledStart = StartCondition | { kind: "unknown"; why: string };

/** A service started during a run, with what its container carried. */
export interface ServiceRecord {
  session: number;
  /** Started by `Service.start`, or lazily by an exec of a container bound to it. */
  how: "start" | "bound";
  /** The container the service runs (the chain before asService). */
  container: Chain;
  secrets: CarriedSecret[];
  healthcheck: ContainerState["healthcheck"];
  ports: ExposedPort[];
  /** Rule (e) as the model evaluates it. */
  start: ModelledStart;
}

/** An image published during a run, with what its container carried. */
export interface PublishRecord {
  session: number;
  address: string;
  /** The answer (the reference with digest). */
  ref: string;
  container: Chain;
  secrets: CarriedSecret[];
}

/** Container leaves whose answer is the last exec's output: scrubbed (rule (g)). */
const OUTPUT_LEAVES = new Set(["stdout", "stderr", "combinedOutput"]);
/** Leaves that run the container's last exec (and so start the services bound to it). */
const EXEC_LEAVES = new Set(["stdout", "stderr", "combinedOutput", "exitCode", "sync"]);
/** Calls on a container that return something else: a chain going on after one is no longer a container. */
const LEAVES_CONTAINER = new Set(["directory", "file", "rootfs", "asService", "asTarball", "terminal", "export", "exportImage", "publish", "up"]);

const str = (v: Value | undefined): string => (typeof v === "string" ? v : "");
const refChain = (v: Value | undefined): Chain | undefined => (v !== undefined && isRef(v) ? v.$ref : undefined);

/**
 * A secret chain's name, as `dockerBuild` mounts it (core/container.go Build: `secret.Self().Name`,
 * core/secret.go `Name`: setSecret's name). A secret(uri) or any other has no name the harness knows:
 * its URI or chain stands in (our code passes dockerBuild setSecret secrets only).
 */
function secretName(chain: Chain): string {
  const last = chain[chain.length - 1];
  if (last?.field === "setSecret") return str(last.args.name);
  if (last?.field === "secret") return str(last.args.uri);
  return renderChain(chain);
}

/** Engine rules (d), (e), (g) for the chains of one engine model. */
export class ContainerRules {
  constructor(
    private readonly engine: Engine,
    /** The content of the file a `<directory>.file(path)` chain reaches (the core model), for a Dockerfile. */
    private readonly readFile: (fileChain: Chain) => string | undefined,
  ) {}

  /** The state of the container a chain reaches; undefined when the chain does not end on a container the model follows. */
  state(chain: Chain): ContainerState | undefined {
    let start = -1;
    for (let i = chain.length - 1; i >= 0; i--)
      if (chain[i].field === "dockerBuild" || (i === 0 && chain[i].field === "container")) {
        start = i;
        break;
      }
    if (start < 0 || chain.slice(start + 1).some((c) => LEAVES_CONTAINER.has(c.field))) return undefined;
    let s: ContainerState = chain[start].field === "container" ? { secrets: [], healthcheck: undefined, ports: [] } : this.built(chain.slice(0, start), chain[start]);
    for (const c of chain.slice(start + 1)) s = this.apply(s, c);
    return s;
  }

  /** Dockerfiles read, by session and file chain (a host folder is read again in a later session). */
  private readonly dockerfiles = new Map<string, string | undefined>();

  /** The container Directory.dockerBuild returns: rule (d)'s secrets, and the target stage's HEALTHCHECK and EXPOSE. */
  private built(directory: Chain, build: Call): ContainerState {
    const passed = ((build.args.secrets as Value[] | undefined) ?? []).map(refChain).filter((c): c is Chain => c !== undefined);
    const byName = new Map(passed.map((c) => [secretName(c), c]));
    const path = str(build.args.dockerfile) || "Dockerfile";
    const target = str(build.args.target) || undefined;
    const file: Chain = [...directory, { field: "file", args: { path } }];
    const key = `${this.engine.session} ${renderChain(file)}`;
    if (!this.dockerfiles.has(key)) this.dockerfiles.set(key, this.readFile(file));
    const dockerfile = this.dockerfiles.get(key);
    const kept = this.engine.rules.buildSecretsKept === false ? "secrets-dropped-after-build" : undefined;
    // Without the Dockerfile's text only Build's own /run/secrets/<name> mounts are known.
    const secrets = dockerBuildSecrets([...byName.keys()], dockerfile ?? "", target, kept).map((m) => ({ ...m, origin: "dockerBuild" as const, chain: byName.get(m.secret) as Chain }));
    if (dockerfile === undefined) return { secrets, healthcheck: { unknown: `the Dockerfile ${path} (not readable by the harness)` }, ports: [] };
    const config = dockerfileConfig(dockerfile, target);
    const healthcheck = config.healthcheck && "inherited" in config.healthcheck ? { unknown: `the image config of ${config.healthcheck.inherited}` } : config.healthcheck;
    return { secrets, healthcheck, ports: config.ports.map((port) => ({ port })) };
  }

  /** One call on a container (core/container.go, core/schema/container.go). */
  private apply(s: ContainerState, c: Call): ContainerState {
    const a = c.args;
    switch (c.field) {
      case "from":
        // The image's config replaces the container's: its HEALTHCHECK is not known here.
        return { ...s, healthcheck: { unknown: `the image config of ${str(a.address)}` } };
      case "withMountedSecret": {
        const chain = refChain(a.source);
        return chain ? { ...s, secrets: [...s.secrets, { secret: secretName(chain), path: str(a.path), origin: "withMountedSecret", chain }] } : s;
      }
      case "withSecretVariable": {
        const chain = refChain(a.secret);
        // WithSecretVariable replaces a secret variable of the same name.
        return chain ? { ...s, secrets: [...s.secrets.filter((m) => m.env !== str(a.name)), { secret: secretName(chain), env: str(a.name), origin: "withSecretVariable", chain }] } : s;
      }
      case "withoutMount": {
        // WithoutMount deletes the last secret mounted at that path.
        const i = s.secrets.map((m) => m.path).lastIndexOf(str(a.path));
        return i < 0 ? s : { ...s, secrets: s.secrets.filter((_, j) => j !== i) };
      }
      case "withoutSecretVariable": {
        // WithoutSecretVariable deletes the first secret variable of that name.
        const i = s.secrets.findIndex((m) => m.env === str(a.name));
        return i < 0 ? s : { ...s, secrets: s.secrets.filter((_, j) => j !== i) };
      }
      case "withDockerHealthcheck":
        try {
          return {
            ...s,
            healthcheck: withDockerHealthcheck({
              args: (a.args as string[] | undefined) ?? [],
              ...(typeof a.shell === "boolean" ? { shell: a.shell } : {}),
              ...(typeof a.interval === "string" ? { interval: a.interval } : {}),
              ...(typeof a.timeout === "string" ? { timeout: a.timeout } : {}),
              ...(typeof a.startPeriod === "string" ? { startPeriod: a.startPeriod } : {}),
              ...(typeof a.startInterval === "string" ? { startInterval: a.startInterval } : {}),
              ...(typeof a.retries === "number" ? { retries: a.retries } : {}),
            }),
          };
        } catch (e) {
          return { ...s, error: (e as Error).message };
        }
      case "withoutDockerHealthcheck":
        return { ...s, healthcheck: undefined };
      case "withExposedPort":
        return { ...s, ports: [...s.ports.filter((p) => p.port !== a.port), { port: Number(a.port), ...(a.experimentalSkipHealthcheck === true ? { skipHealthcheck: true } : {}) }] };
      case "withoutExposedPort":
        return { ...s, ports: s.ports.filter((p) => p.port !== a.port) };
      default:
        return s;
    }
  }

  /** Rule (e): what the engine waits for before a service of this container counts as started. */
  startOf(s: ContainerState): ModelledStart {
    if (s.healthcheck && "unknown" in s.healthcheck) return { kind: "unknown", why: `its HEALTHCHECK would come from ${s.healthcheck.unknown}` };
    return startCondition(s.healthcheck, s.ports, this.engine.rules.healthcheckDecidesStart === false ? "ports-only" : undefined);
  }

  /**
   * A leaf on a core chain, answered by `answer` (a stub, the core model or a placeholder), with the
   * rules applied: a service start is recorded (and fails as the engine's would), services bound to
   * an exec are recorded as started, a publish is recorded, and output is scrubbed.
   */
  async leaf(receiver: Chain, call: Call, answer: () => unknown): Promise<unknown> {
    const exec = EXEC_LEAVES.has(call.field) ? this.state(receiver) : undefined;
    try {
      if (call.field === "start" && receiver[receiver.length - 1]?.field === "asService") this.serviceStarted(receiver.slice(0, -1), "start");
      // An exec starts the services its container is bound to (core/container_exec.go); already started ones are recorded once per session.
      if (exec && receiver.some((c) => c.field === "withExec"))
        for (const c of receiver)
          if (c.field === "withServiceBinding" && refChain(c.args.service)?.at(-1)?.field === "asService") this.serviceStarted((refChain(c.args.service) as Chain).slice(0, -1), "bound");
      const value = await answer();
      if (call.field === "publish" && typeof value === "string") this.publishedImage(receiver, str(call.args.address), value);
      return exec && OUTPUT_LEAVES.has(call.field) && typeof value === "string" ? this.scrub(receiver, value) : value;
    } catch (e) {
      // An exec's failure carries its (scrubbed) output; any error of a chain through an exec is scrubbed with that exec's secrets.
      if (e instanceof Error) e.message = this.scrub(receiver, e.message);
      throw e;
    }
  }

  /** Rule (g): text as the engine returns it from the last exec of a container chain. */
  scrub(receiver: Chain, text: string): string {
    if (this.engine.rules.outputScrubbed === false) return text;
    return scrub(text, this.execSecretValues(receiver));
  }

  /** The plaintext of every secret the chain's last exec was given (env variables and files), as setupSecretScrubbing collects them. */
  execSecretValues(receiver: Chain): string[] {
    const last = receiver.map((c) => c.field).lastIndexOf("withExec");
    const s = last < 0 ? undefined : this.state(receiver.slice(0, last));
    return (s?.secrets ?? []).map((m) => this.engine.secretValue(m.chain)).filter((v): v is string => typeof v === "string" && v.length > 0);
  }

  private serviceStarted(container: Chain, how: ServiceRecord["how"]): void {
    const s = this.state(container);
    if (!s) return;
    const key = renderChain(container);
    if (this.engine.services.some((r) => r.session === this.engine.session && renderChain(r.container) === key)) return;
    if (s.error) throw new Error(s.error);
    const start = this.startOf(s);
    this.engine.services.push({ session: this.engine.session, how, container, secrets: s.secrets, healthcheck: s.healthcheck, ports: s.ports, start });
    if (start.kind === "error") throw new Error(start.message);
  }

  private publishedImage(container: Chain, address: string, ref: string): void {
    const s = this.state(container);
    this.engine.published.push({ session: this.engine.session, address, ref, container, secrets: s?.secrets ?? [] });
  }
}

/** A carried secret in words, for a test's message (never its value): `npmrc at /run/secrets/npmrc (dockerBuild)`. */
export function describeSecret(m: CarriedSecret): string {
  return `${m.secret} ${m.env ? `as $${m.env}` : `at ${m.path}`} (${m.origin})`;
}

/** A container in words, for a test's message: `dockerBuild of backend` or `from postgres:15`. */
export function describeContainer(chain: Chain): string {
  const build = chain.map((c) => c.field).lastIndexOf("dockerBuild");
  if (build >= 0) {
    const dir = chain
      .slice(0, build)
      .filter((c) => c.field === "directory")
      .at(-1);
    return `dockerBuild of ${dir ? str(dir.args.path) : "a directory"}`;
  }
  const from = chain.filter((c) => c.field === "from").at(-1);
  return from ? `from ${str(from.args.address)}` : "container()";
}
