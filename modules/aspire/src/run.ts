/**
 * A service graph started as Dagger services, in start order, each bound to the services it
 * refers to under their resource names (so `{x.bindings.http.url}` = http://x:<targetPort> holds;
 * services that refer to each other reach each other by hostname instead),
 * then the tests bound to all of them. Jobs (resources that run to completion, such as a
 * migration container) run before the services after them. Every verdict is an outcome, never
 * an exception, so the reports always come back.
 */
import { type Container, dag, type Directory, NetworkProtocol, ReturnType, type Secret, type Service } from "@dagger.io/dagger";
import { posix } from "node:path";
import { AspireManifestError } from "./errors.js";
import { generateValue } from "./generate.js";
import { type Part, plainText, render } from "./parts.js";
import { dockerfileInContext } from "./paths.js";
import { mirrored } from "./registry-mirrors.js";
import type { GraphService, ServiceGraph } from "./types.js";
import { testEnvironment } from "./test-env.js";

/** What a run needs besides the graph. */
export interface RunInputs {
  /** A folder that holds the manifest and every build context and bind mount it names (e.g. the repository). */
  source: Directory;
  /** The manifest's folder inside source: the manifest's paths are relative to it. */
  manifestDir: string;
  /** Containers that replace resources (the artefacts under test), by resource name. */
  overrides: Map<string, Container>;
  /** Values of secret parameters given by the caller; other secret parameters are generated per run. */
  secrets: Map<string, Secret>;
  /** Resources that run to completion before the services after them start. */
  jobs: Set<string>;
  /** registry=prefix rewrites, e.g. docker.io=nexus.example.com:8443/docker-hub. */
  registryMirrors: string[];
  /** Unique per run: names the run's secrets, and keeps verdicts out of the cache. */
  runId: string;
}

/** The tests: a container, its command (empty: the image's own), where it writes reports, and extra env (NAME=expression). */
export interface TestSpec {
  container: Container;
  command: string[];
  reportsPath: string;
  env: Record<string, Part[]>;
}

/** One step's verdict. */
export interface StepOutcome {
  resource: string;
  step: "build" | "job" | "start" | "tests";
  passed: boolean;
  detail: string;
}

/** What a run found: each step, and the test container's reports directory. */
export interface RunResult {
  steps: StepOutcome[];
  reports: Directory;
  testOutput: string;
}

/** Start the graph, run the jobs and the tests, stop the services. */
export async function runGraph(graph: ServiceGraph, inputs: RunInputs, tests: TestSpec): Promise<RunResult> {
  const run = new GraphRun(graph, inputs);
  await run.loadSecrets();
  try {
    const started = new Set<string>();
    for (const s of graph.services) {
      if (started.has(s.name)) continue;
      // Services that refer to each other start side by side, as the engine's own circular-hostname
      // test does: one that resolves its peer's name at start-up would fail if the peer came later.
      const group = [s, ...graph.services.filter((o) => o !== s && !started.has(o.name) && s.peers?.includes(o.name))];
      for (const g of group) started.add(g.name);
      const ok = await Promise.all(group.map((g) => run.service(g)));
      if (ok.includes(false)) return run.result();
    }
    await run.test(tests);
  } finally {
    await run.stop();
  }
  return run.result();
}

class GraphRun {
  private readonly services = new Map<string, Service>();
  private readonly steps: StepOutcome[] = [];
  private readonly generated = new Map<string, string>();
  private plaintexts = new Map<string, string>();
  private reports: Directory = dag.directory();
  private testOutput = "";

  constructor(
    private readonly graph: ServiceGraph,
    private readonly inputs: RunInputs,
  ) {}

  result(): RunResult {
    return { steps: this.steps, reports: this.reports, testOutput: this.testOutput };
  }

  /** Start one service (or run one job); false when the run cannot go on. */
  async service(s: GraphService): Promise<boolean> {
    let ctr: Container;
    try {
      ctr = this.baseContainer(s);
    } catch (e) {
      return this.step(s.name, "build", false, (e as Error).message);
    }
    if (s.entrypoint) ctr = ctr.withEntrypoint([s.entrypoint]);
    for (const [name, parts] of Object.entries(s.env)) ctr = await this.withParts(ctr, `${s.name}-${name}`, name, parts);
    // Fresh per run: an integration run starts from empty volumes, as a new environment does. A
    // temporary mount lives as long as the service; a cache volume keyed by run would outlive it, never reused.
    for (const v of s.volumes) ctr = ctr.withMountedTemp(v.target);
    for (const m of s.bindMounts) ctr = ctr.withMountedDirectory(m.target, this.inputs.source.directory(this.path(m.source, `${s.name} bind mount`)));
    for (const d of s.dependsOn) {
      const svc = this.services.get(d);
      if (svc) ctr = ctr.withServiceBinding(d, svc);
    }
    const args = await Promise.all(s.args.map((a) => this.plain(a, `${s.name} args`)));
    if (this.inputs.jobs.has(s.name)) {
      // Synced once and read from the synced handle: side-by-side reads must not run the job again.
      const done = await ctr.withEnvVariable("ASPIRE_RUN_ID", this.inputs.runId).withExec(args, { useEntrypoint: true, expect: ReturnType.Any }).sync();
      const [code, out, err] = await Promise.all([done.exitCode(), done.stdout(), done.stderr()]);
      return this.step(s.name, "job", code === 0, code === 0 ? "" : `exit code ${code}\n${tail(`${out}${err}`)}`);
    }
    for (const e of s.endpoints) ctr = ctr.withExposedPort(e.targetPort, { protocol: e.protocol === "udp" ? NetworkProtocol.Udp : NetworkProtocol.Tcp, description: `${s.name} ${e.name}` });
    try {
      const service = ctr.asService({ useEntrypoint: true, ...(args.length > 0 ? { args } : {}) });
      // Services that refer to each other cannot be bound both ways (a binding needs the other
      // service first): each gets its name as a hostname, scoped by the engine to this module's
      // domain in this session (core/service.go), which the other resolves through its DNS search list.
      this.services.set(s.name, await (s.peers ? service.withHostname(s.name) : service).start());
      return this.step(s.name, "start", true, "");
    } catch (e) {
      const ports = s.endpoints.map((p) => p.targetPort).join(", ") || "(none)";
      return this.step(s.name, "start", false, `did not start or never listened on port(s) ${ports}: ${(e as Error).message}`);
    }
  }

  /** The tests, bound to every service under its name, with Aspire's service-discovery variables. */
  async test(t: TestSpec): Promise<void> {
    let ctr = t.container.withDirectory(t.reportsPath, dag.directory());
    for (const [name, svc] of this.services) ctr = ctr.withServiceBinding(name, svc);
    const env = { ...testEnvironment(this.graph), ...t.env };
    for (const [name, parts] of Object.entries(env)) ctr = await this.withParts(ctr, `tests-${name}`, name, parts);
    // Unique per run: a test verdict is never served from an earlier run's cache.
    ctr = ctr.withEnvVariable("ASPIRE_TEST_REPORTS", t.reportsPath).withEnvVariable("ASPIRE_RUN_ID", this.inputs.runId);
    // Synced once: the reports below come from this run, not from a re-run after the services stopped.
    const done = await ctr.withExec(t.command, { useEntrypoint: t.command.length === 0, expect: ReturnType.Any }).sync();
    const [code, out, err] = await Promise.all([done.exitCode(), done.stdout(), done.stderr()]);
    this.reports = done.directory(t.reportsPath);
    this.testOutput = `${out}${err}`;
    this.step("tests", "tests", code === 0, code === 0 ? "" : `exit code ${code}\n${tail(this.testOutput)}`);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop().catch(() => undefined)));
  }

  /** The container a service starts from: its override, its image (through the mirrors) or its Dockerfile build. */
  private baseContainer(s: GraphService): Container {
    const override = this.inputs.overrides.get(s.name);
    if (override) return override;
    const src = s.source;
    if ("image" in src) return dag.container().from(mirrored(src.image, this.inputs.registryMirrors));
    if ("build" in src) {
      const b = src.build;
      const args = Object.entries(b.args).flatMap(([name, parts]) => {
        const value = parts === null ? undefined : plainText(parts);
        if (parts !== null && value === undefined) throw new AspireManifestError(this.graph.file, `${s.name}: build argument ${name} holds a secret; pass it as a build secret instead`);
        return value === undefined ? [] : [{ name, value }];
      });
      const contextPath = this.path(b.context, `${s.name} build context`);
      const dockerfilePath = this.path(b.dockerfile, `${s.name} Dockerfile`);
      const relative = dockerfileInContext(contextPath, dockerfilePath);
      const inside = relative.startsWith("../") ? undefined : relative;
      // A Dockerfile outside its context (Aspire allows it) is copied in, as docker build -f reads it.
      const context = inside ? this.inputs.source.directory(contextPath) : this.inputs.source.directory(contextPath).withFile(OUTSIDE_DOCKERFILE, this.inputs.source.file(dockerfilePath));
      return context.dockerBuild({ dockerfile: inside ?? OUTSIDE_DOCKERFILE, buildArgs: args, ...(b.stage ? { target: b.stage } : {}) });
    }
    if ("project" in src)
      throw new AspireManifestError(this.graph.file, `${s.name}: the .NET project ${src.project} has no image; publish it and pass --image ${s.name}=<registry/name:tag@sha256:…>, or override it`);
    throw new AspireManifestError(this.graph.file, `${s.name}: the executable ${src.executable.command} runs on the AppHost's machine; override it with an image (--override ${s.name}=<image>)`);
  }

  /** A manifest path inside source; one that leaves it cannot be read and is an error saying what to pass. */
  private path(p: string, what: string): string {
    const joined = posix.normalize(posix.join(this.inputs.manifestDir || ".", p.replace(/\\/g, "/")));
    if (joined === ".." || joined.startsWith("../") || posix.isAbsolute(joined))
      throw new AspireManifestError(this.graph.file, `${what} ${p} is outside the source folder; pass a --source that holds it (e.g. the repository root) and the manifest's path in it`);
    return joined;
  }

  /** Set one variable; a value that carries a secret parameter becomes a Dagger secret. */
  private async withParts(ctr: Container, id: string, name: string, parts: Part[]): Promise<Container> {
    const text = plainText(parts);
    if (text !== undefined) return ctr.withEnvVariable(name, text);
    const value = render(parts, (p) => this.secretValue(p));
    return ctr.withSecretVariable(name, dag.setSecret(`aspire-${id}-${this.inputs.runId}`, value));
  }

  /** Arguments are visible in the engine's logs: one that carries a secret is refused, not leaked. */
  private async plain(parts: Part[], where: string): Promise<string> {
    const text = plainText(parts);
    if (text === undefined) throw new AspireManifestError(this.graph.file, `${where}: an argument holds a secret parameter; pass it through env instead, where it stays a secret`);
    return text;
  }

  /** A secret parameter's value: the caller's, or one generated for this run by the manifest's rules. */
  private secretValue(name: string): string {
    const known = this.plaintexts.get(name) ?? this.generated.get(name);
    if (known !== undefined) return known;
    const parameter = this.graph.parameters.find((p) => p.name === name);
    if (parameter?.source.kind === "generate") {
      const value = generateValue(parameter.source.spec);
      this.generated.set(name, value);
      return value;
    }
    throw new AspireManifestError(this.graph.file, `secret parameter ${name} has no value: pass it with with-secret-parameter --name ${name} --value env://…`);
  }

  /** Read the caller's secret values once, before any container is configured. */
  async loadSecrets(): Promise<void> {
    const entries = await Promise.all([...this.inputs.secrets].map(async ([name, s]) => [name, await s.plaintext()] as const));
    this.plaintexts = new Map(entries);
  }

  private step(resource: string, step: StepOutcome["step"], passed: boolean, detail: string): boolean {
    this.steps.push({ resource, step, passed, detail });
    return passed;
  }
}

/** Where a Dockerfile from outside its build context is put inside it. */
const OUTSIDE_DOCKERFILE = ".aspire.Dockerfile";

/** The last lines of an output: enough to see the cause. */
function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
