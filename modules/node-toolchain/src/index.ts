/**
 * Node.js toolchain: install a package's dependencies reproducibly, run its npm scripts and
 * checks, and build its runtime image. Usable on its own:
 * `dagger -m modules/node-toolchain call run --source=./backend --script=test`.
 */
import { argument, type Container, type Directory, dag, func, object, ReturnType, type Secret } from "@dagger.io/dagger";
import { buildSecretRemovals } from "./build-secrets.js";
import { nodeDockerfile, NPM_AUTH_SECRET, NPM_TOKEN_SECRET, NPMRC_SECRET } from "./dockerfile.js";
import { DOCKERIGNORE, imageSpec, packageVersion } from "./package-spec.js";
import { installLayers, JUNIT_NODE_OPTIONS, NPM_CACHE, npmEnvironment } from "./install.js";
import { credentialFree } from "./vendor/credentials.js";

/**
 * What a package folder never needs to send to the engine: installed dependencies (npm ci makes
 * them afresh in the container) and git's history. Without it, a `--source=./backend` uploads node_modules.
 */
const SOURCE_IGNORE = ["**/node_modules", ".git"];

/** Installs, checks and builds a Node.js package (npm) in containers. */
@object()
export class NodeToolchain {
  /** Base image with Node.js and npm. */
  image: string;
  /** npm registry to install from (the organisation's mirror); empty uses the image's default. */
  registry: string;
  /** An .npmrc with scopes and mirror credential references, mounted only while installing. */
  npmrc?: Secret;
  /** The bare mirror token, set as NPM_TOKEN only while installing. */
  npmToken?: Secret;
  /** base64(user:token) for a basic-auth mirror, set as NPM_AUTH only while installing. */
  npmAuth?: Secret;

  /**
   * @param image Base image with Node.js and npm (through the organisation's image mirror where there is one).
   * @param registry npm registry to install from, e.g. a Nexus npm group; empty keeps npm's default.
   * @param npmrc An .npmrc (scopes, credentials as ${NPM_TOKEN} or ${NPM_AUTH}) mounted only while dependencies install.
   * @param npmToken The mirror token the .npmrc references as ${NPM_TOKEN}: a secret of its own, so the engine scrubs it from any output.
   * @param npmAuth base64(user:token), referenced as ${NPM_AUTH} by an .npmrc for a basic-auth mirror.
   */
  constructor(image = "node:22-bookworm-slim", registry = "", npmrc?: Secret, npmToken?: Secret, npmAuth?: Secret) {
    this.image = image;
    this.registry = registry;
    this.npmrc = npmrc;
    this.npmToken = npmToken;
    this.npmAuth = npmAuth;
  }

  /** A Node.js container with the npm cache mounted and the mirror configured. */
  @func()
  base(): Container {
    let ctr = dag.container().from(this.image).withMountedCache(NPM_CACHE.path, dag.cacheVolume(NPM_CACHE.key));
    for (const [name, value] of npmEnvironment(this.registry)) ctr = ctr.withEnvVariable(name, value);
    return ctr;
  }

  /**
   * The package's dependencies installed with `npm ci`, then its sources copied in.
   * @param source The package folder (package.json and package-lock.json at its top).
   */
  @func()
  install(@argument({ ignore: SOURCE_IGNORE }) source: Directory): Container {
    let ctr = this.base().withWorkdir("/app");
    // Manifests first, sources after: a source-only change reuses the cached `npm ci` layer.
    for (const layer of installLayers()) {
      ctr = layer.include ? ctr.withDirectory("/app", source, { include: layer.include, exclude: layer.exclude }) : ctr.withDirectory("/app", source, { exclude: layer.exclude });
      if (layer.exec) ctr = layer.installs ? this.withCredentials(ctr, (c) => c.withExec(layer.exec as string[])) : ctr.withExec(layer.exec);
    }
    return ctr;
  }

  /** Run `step` with the .npmrc mounted and the credentials it references set, then remove them all. */
  private withCredentials(ctr: Container, step: (c: Container) => Container): Container {
    const env = [
      ["NPM_TOKEN", this.npmToken],
      ["NPM_AUTH", this.npmAuth],
    ].filter((e): e is [string, Secret] => e[1] !== undefined);
    let c = this.npmrc ? ctr.withMountedSecret("/root/.npmrc", this.npmrc) : ctr;
    for (const [name, secret] of env) c = c.withSecretVariable(name, secret);
    c = step(c);
    if (this.npmrc) c = c.withoutMount("/root/.npmrc");
    for (const [name] of env) c = c.withoutSecretVariable(name);
    return c;
  }

  /**
   * Run one npm script of the package; fails when the script fails.
   * @param source The package folder (package.json and package-lock.json at its top).
   * @param script The npm script, e.g. lint, typecheck, test or build.
   */
  @func()
  run(@argument({ ignore: SOURCE_IGNORE }) source: Directory, script: string): Container {
    return this.install(source).withExec(["npm", "run", script]);
  }

  /**
   * Run one npm script as a check: the container keeps the exit code and output instead of
   * failing, and with junit=true node's test runner also writes a JUnit report.
   * @param source The package folder.
   * @param script The npm script, e.g. lint, typecheck or test.
   * @param junit Write a JUnit report of node's test runner to /reports/junit.xml.
   * @param runId A value unique to this pipeline run, so a verdict is never reused from an earlier run's cache.
   */
  @func()
  check(@argument({ ignore: SOURCE_IGNORE }) source: Directory, script: string, junit = false, runId = ""): Container {
    let ctr = this.install(source);
    if (runId !== "") ctr = ctr.withEnvVariable("PIPELINE_RUN_ID", runId);
    if (junit) ctr = ctr.withExec(["mkdir", "-p", "/reports"]).withEnvVariable("NODE_OPTIONS", JUNIT_NODE_OPTIONS);
    return ctr.withExec(["npm", "run", script], { expect: ReturnType.Any });
  }

  /**
   * The package's semantic version, from package.json.
   * @param source The package folder.
   */
  @func()
  async version(@argument({ ignore: SOURCE_IGNORE }) source: Directory): Promise<string> {
    return packageVersion(await source.file("package.json").contents());
  }

  /**
   * The Dockerfile this module generates for the package (multi-stage, non-root, health check).
   * @param source The package folder.
   * @param command Command the image starts; default: node <package.json main>.
   * @param files Built files and folders the runtime needs besides package.json and node_modules.
   * @param port Port the package listens on.
   * @param healthPath HTTP path of the health check.
   * @param systemPackages Debian packages the runtime needs.
   */
  @func()
  async dockerfile(
    @argument({ ignore: SOURCE_IGNORE }) source: Directory,
    command?: string[],
    files: string[] = ["dist"],
    port = 8080,
    healthPath = "/health",
    systemPackages: string[] = [],
  ): Promise<string> {
    const { spec } = imageSpec(await source.file("package.json").contents(), { command, files, port, healthPath, systemPackages });
    return nodeDockerfile(spec);
  }

  /**
   * The runtime image, built from the package's own Dockerfile or the generated one, with the
   * image mirror, npm mirror and .npmrc secret applied and the OCI labels set.
   * @param source The package folder.
   * @param revision The full git SHA the image is built from.
   * @param created Build time (RFC 3339), normally the commit time so builds are repeatable.
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label.
   * @param ownDockerfile Path of the package's own Dockerfile inside source; empty generates one.
   * @param aptMirror apt mirror URL for system packages.
   * @param command Command the image starts; default: node <package.json main>.
   * @param files Built files and folders the runtime needs besides package.json and node_modules.
   * @param port Port the package listens on.
   * @param healthPath HTTP path of the health check.
   * @param systemPackages Debian packages the runtime needs.
   */
  @func()
  async build(
    @argument({ ignore: SOURCE_IGNORE }) source: Directory,
    revision: string,
    created: string,
    sourceUrl = "",
    ownDockerfile = "",
    aptMirror = "",
    command?: string[],
    files: string[] = ["dist"],
    port = 8080,
    healthPath = "/health",
    systemPackages: string[] = [],
  ): Promise<Container> {
    const { version, spec } = imageSpec(await source.file("package.json").contents(), { command, files, port, healthPath, systemPackages });
    const dockerfile = ownDockerfile !== "" ? await source.file(ownDockerfile).contents() : nodeDockerfile(spec);
    const context = ownDockerfile !== "" ? source : source.withNewFile(GENERATED_DOCKERFILE, dockerfile).withNewFile(".dockerignore", DOCKERIGNORE);
    // Build arguments are plain text (traces, the image's history): a URL carrying credentials is refused, not passed on.
    const args: Record<string, string> = { BASE_IMAGE: this.image, REVISION: revision, VERSION: version, CREATED: created, SOURCE: credentialFree("sourceUrl", sourceUrl) };
    if (this.registry !== "") args.NPM_REGISTRY = credentialFree("registry", this.registry);
    if (aptMirror !== "") args.APT_MIRROR = credentialFree("aptMirror", aptMirror);
    // BuildKit mounts a secret by its name: the generated Dockerfile expects "npmrc".
    const given: [string, Secret | undefined][] = [
      [NPMRC_SECRET, this.npmrc],
      [NPM_TOKEN_SECRET, this.npmToken],
      [NPM_AUTH_SECRET, this.npmAuth],
    ];
    const secrets = await Promise.all(given.filter((g): g is [string, Secret] => g[1] !== undefined).map(async ([name, s]) => ({ name, secret: dag.setSecret(name, await s.plaintext()) })));
    const built = context.dockerBuild({
      dockerfile: ownDockerfile !== "" ? ownDockerfile : GENERATED_DOCKERFILE,
      buildArgs: Object.entries(args).map(([name, value]) => ({ name, value })),
      secrets: secrets.map((s) => s.secret),
    });
    // The engine leaves the build's secrets in the returned container; the image that becomes a
    // service or is published must not carry them (build-secrets.ts).
    return buildSecretRemovals(
      dockerfile,
      secrets.map((s) => s.name),
    ).reduce((ctr, r) => ("mount" in r ? ctr.withoutMount(r.mount) : ctr.withoutSecretVariable(r.variable)), built);
  }
}

/** Where the generated Dockerfile is written in the build context (a name no package uses). */
const GENERATED_DOCKERFILE = ".pipeline.Dockerfile";
