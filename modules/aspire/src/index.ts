/**
 * Aspire: a .NET Aspire AppHost's manifest as an integration-test environment. The manifest
 * (generated from the AppHost in a .NET SDK container, or committed) becomes a graph of services;
 * `test` starts it as Dagger services with the artefacts under test in place of their resources
 * and runs the tests against it; `compose` writes the same graph as a Compose file. Usable on its
 * own: `dagger -m modules/aspire call --manifest=aspire-manifest.json test --override orders=<image@digest> --tests=<image>`.
 */
import { randomUUID } from "node:crypto";
import { posix } from "node:path";
import { argument, type Container, dag, type Directory, type File, func, object, type Secret } from "@dagger.io/dagger";
import { parseAssignments } from "./assignments.js";
import { composeFile } from "./compose.js";
import { requireServices } from "./empty.js";
import { describeGraph } from "./describe.js";
import { AspireManifestError } from "./errors.js";
import { type GraphOptions, serviceGraph } from "./graph.js";
import { checkDigestPinned } from "./images.js";
import { parseManifest } from "./manifest.js";
import { manifestDirFrom } from "./paths.js";
import { renderRun } from "./outcome.js";
import { mirrored, parseRegistryMirrors } from "./registry-mirrors.js";
import { runGraph } from "./run.js";
import { testEnvironmentOverrides } from "./test-env.js";
import type { ServiceGraph } from "./types.js";

/** The outcome of an integration run: every step's verdict, the test output, and the test container's reports. */
@object()
export class AspireRun {
  /** Markdown: the graph as it ran (which resources were overridden), each step's verdict, the failing step's output. */
  @func()
  summary: string;
  /** Whether every service started, every job succeeded and the tests passed. */
  @func()
  passed: boolean;
  /** What the tests wrote to their reports folder, plus summary.md and result.json ({"passed": …}): read this one field, since every field read runs the never-cached test again. */
  @func()
  reports: Directory;

  constructor(summary: string, passed: boolean, reports: Directory) {
    this.summary = summary;
    this.passed = passed;
    this.reports = reports;
  }

  /** Fail with the summary when the run failed: the step that makes the caller's CI job red. */
  @func()
  async verify(): Promise<string> {
    if (!this.passed) throw new Error(this.summary);
    return this.summary;
  }
}

/** An Aspire application (its AppHost or its manifest) as an integration-test environment. */
@object()
export class Aspire {
  /** A folder holding the manifest (or the AppHost) and every build context and bind mount it names. */
  source: Directory;
  /** The manifest's path inside source. */
  manifest: string;
  /** The AppHost project's path inside source; when set, the manifest is generated from it. */
  appHost: string;
  /** registry=prefix rules for the images the manifest names, e.g. docker.io=nexus.example.com:8443/docker-hub. */
  registryMirrors: string[];
  /** The .NET SDK image that generates the manifest. */
  dotnetImage: string;
  /** NuGet feed to restore the AppHost from (the organisation's mirror); empty: nuget.org. */
  nugetSource: string;
  /** Resources replaced by containers (withOverride), by name; kept as two lists so the object stays serialisable. */
  overrideNames: string[] = [];
  overrideContainers: Container[] = [];
  /** Secret parameters given by the caller (withSecretParameter). */
  secretNames: string[] = [];
  secretValues: Secret[] = [];

  /**
   * @param source A folder holding the manifest (or the AppHost) and every build context and bind mount it names; default: the caller's repository.
   * @param manifest The manifest's path inside source, as `--publisher manifest` wrote it.
   * @param appHost The AppHost project's path inside source (e.g. aspire/Shop.AppHost/Shop.AppHost.csproj); when set, the manifest is generated from it in a .NET SDK container, next to the project.
   * @param registryMirrors registry=prefix rules for the images the manifest names, e.g. docker.io=nexus.example.com:8443/docker-hub (also used for the .NET SDK image).
   * @param dotnetImage The .NET SDK image that generates the manifest.
   * @param nugetSource NuGet feed to restore the AppHost from (the organisation's mirror); empty: the project's own NuGet.Config.
   */
  constructor(
    @argument({ defaultPath: "/", ignore: ["**/node_modules", "**/bin", "**/obj", ".git"] }) source: Directory,
    manifest = "aspire-manifest.json",
    appHost = "",
    registryMirrors: string[] = [],
    dotnetImage = "mcr.microsoft.com/dotnet/sdk:10.0",
    nugetSource = "",
  ) {
    this.source = source;
    this.manifest = manifest;
    this.appHost = appHost;
    this.registryMirrors = registryMirrors;
    this.dotnetImage = dotnetImage;
    this.nugetSource = nugetSource;
  }

  /** The manifest: generated from the AppHost (`dotnet run --project … -- --publisher manifest`) when one is set, else read from source. */
  @func()
  manifestFile(): File {
    if (!this.appHost) return this.source.file(this.manifest);
    const out = posix.join(posix.dirname(this.appHost), "aspire-manifest.json");
    const restore = ["dotnet", "restore", this.appHost, ...(this.nugetSource ? ["--source", this.nugetSource] : [])];
    return dag
      .container()
      .from(mirrored(this.dotnetImage, this.registryMirrors))
      .withMountedCache("/root/.nuget/packages", dag.cacheVolume("aspire-nuget-packages"))
      .withEnvVariable("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
      .withEnvVariable("DOTNET_NOLOGO", "1")
      .withDirectory("/src", this.source)
      .withWorkdir("/src")
      .withExec(restore)
      .withExec(["dotnet", "run", "--no-restore", "--project", this.appHost, "--", "--publisher", "manifest", "--output-path", out])
      .file(out);
  }

  /**
   * The service graph as text: services in start order with their image, endpoints and dependencies; parameters; skipped resources and why.
   * @param override Images in place of resources, as resource=registry/name:tag@sha256:… (the artefacts under test).
   * @param image Published images of .NET project resources, as resource=registry/name:tag@sha256:….
   * @param parameter Values of non-secret parameters, as name=value.
   */
  @func()
  async graph(override: string[] = [], image: string[] = [], parameter: string[] = []): Promise<string> {
    return describeGraph(await this.serviceGraph(override, image, parameter));
  }

  /**
   * The same graph as a Compose file, so the integration environment also runs on one host; secret parameters are ${VARIABLE} references only.
   * @param override Images in place of resources, as resource=registry/name:tag@sha256:….
   * @param image Published images of .NET project resources, as resource=registry/name:tag@sha256:….
   * @param parameter Values of non-secret parameters, as name=value.
   * @param project The Compose project name written into the file's header.
   * @param composeDir The folder inside source the Compose file will be written to (default: source's root, where `dagger call … compose > compose.yaml` puts it); build contexts and bind mounts are written relative to it.
   */
  @func()
  async compose(override: string[] = [], image: string[] = [], parameter: string[] = [], project = "", composeDir = "."): Promise<string> {
    const graph = await this.serviceGraph(override, image, parameter);
    const rules = parseRegistryMirrors(this.registryMirrors);
    for (const s of graph.services) if ("image" in s.source) s.source = { image: mirrored(s.source.image, rules) };
    return composeFile(graph, { ...(project ? { project } : {}), manifestDir: manifestDirFrom(composeDir, this.manifestDir(), graph.file) });
  }

  /** The manifest's folder inside source: its paths (build contexts, bind mounts) are relative to it. */
  private manifestDir(): string {
    return posix.dirname(this.appHost || this.manifest);
  }

  /**
   * Replace a resource by a container (the artefact under test, built by the caller's pipeline); its env, args and endpoints are kept.
   * @param resource The resource's name in the manifest.
   * @param container The container to run in its place.
   */
  @func()
  withOverride(resource: string, container: Container): Aspire {
    this.overrideNames = [...this.overrideNames, resource];
    this.overrideContainers = [...this.overrideContainers, container];
    return this;
  }

  /**
   * Give a secret parameter's value (otherwise one is generated per run where the manifest says how).
   * @param name The parameter's name, e.g. db-password.
   * @param value The value, e.g. env://DB_PASSWORD.
   */
  @func()
  withSecretParameter(name: string, value: Secret): Aspire {
    this.secretNames = [...this.secretNames, name];
    this.secretValues = [...this.secretValues, value];
    return this;
  }

  /**
   * Start the graph as Dagger services with the artefacts under test in place, run the tests
   * bound to every service, and return the verdict with the test report; never cached across runs.
   * The tests get `services__<name>__<endpoint>__0` (each endpoint's URL) and `ConnectionStrings__<name>`, as Aspire gives a referencing resource.
   * @param tests The test container (a test project's image, Playwright…), e.g. mcr.microsoft.com/playwright:v1.56.1-noble.
   * @param command The test command; default: the image's own entrypoint and command.
   * @param override Images in place of resources, as resource=registry/name:tag@sha256:… (the artefacts under test; their dependencies keep the manifest's images).
   * @param image Published images of .NET project resources, as resource=registry/name:tag@sha256:….
   * @param parameter Values of non-secret parameters, as name=value.
   * @param testEnv More variables for the tests, as NAME=value where value may use the manifest's expressions, e.g. BASE_URL={frontend.bindings.http.url}.
   * @param jobs Resources that run to completion (e.g. a migration container) before the services after them start.
   * @param reports Where the tests write their reports inside their container.
   */
  @func({ cache: "never" })
  async test(
    tests: Container,
    command: string[] = [],
    override: string[] = [],
    image: string[] = [],
    parameter: string[] = [],
    testEnv: string[] = [],
    jobs: string[] = [],
    reports = "/reports",
  ): Promise<AspireRun> {
    const graph = await this.serviceGraph(override, image, parameter);
    const names = new Set(graph.services.map((s) => s.name));
    requireServices(graph, "nothing to test");
    for (const j of jobs) if (!names.has(j)) throw new AspireManifestError(this.manifest, `--jobs ${j}: not a service of the graph; services: ${[...names].join(", ")}`);
    // A job runs to completion before the services that refer to it start: one that refers back to them would wait forever.
    for (const s of graph.services)
      if (jobs.includes(s.name) && s.peers)
        throw new AspireManifestError(
          this.manifest,
          `--jobs ${s.name}: ${s.name} and ${s.peers.join(", ")} refer to each other, so ${s.name} cannot run to completion before them; run it as a service`,
        );
    const result = await runGraph(
      graph,
      {
        source: this.source,
        manifestDir: this.manifestDir(),
        overrides: new Map(this.overrideNames.map((n, i) => [n, this.overrideContainers[i]])),
        secrets: new Map(this.secretNames.map((n, i) => [n, this.secretValues[i]])),
        jobs: new Set(jobs),
        registryMirrors: this.registryMirrors,
        runId: randomUUID(),
      },
      { container: tests, command, reportsPath: reports, env: testEnvironmentOverrides(graph, this.manifest, parseAssignments(testEnv, "--test-env")) },
    );
    const { summary, passed } = renderRun(graph, result, this.overrideNames);
    // The verdict is also a file: test is never cached, so a caller reads the folder once and everything from it.
    return new AspireRun(summary, passed, result.reports.withNewFile("summary.md", summary).withNewFile("result.json", `${JSON.stringify({ passed })}\n`));
  }

  /** The manifest turned into a graph with the caller's choices; bad input fails here, before any container. */
  private async serviceGraph(override: string[], image: string[], parameter: string[]): Promise<ServiceGraph> {
    const file = this.appHost ? `${this.appHost} (generated manifest)` : this.manifest;
    const options: GraphOptions = {
      file,
      overrides: checkDigestPinned(parseAssignments(override, "--override"), "--override"),
      images: parseAssignments(image, "--image"),
      parameters: parseAssignments(parameter, "--parameter"),
      secrets: this.secretNames,
    };
    const graph = serviceGraph(parseManifest(await this.manifestFile().contents(), file), options);
    const unknown = this.overrideNames.filter((n) => !graph.services.some((s) => s.name === n));
    if (unknown.length > 0) throw new AspireManifestError(file, `with-override ${unknown.join(", ")}: not a service of the graph; services: ${graph.services.map((s) => s.name).join(", ")}`);
    return graph;
  }
}
