/**
 * Node.js toolchain: install a package's dependencies reproducibly and run its npm scripts.
 * Usable on its own: `dagger -m modules/node-toolchain call run --source=./backend --script=test`.
 */
import { type Container, type Directory, dag, func, object } from "@dagger.io/dagger";
import { installLayers, NPM_CACHE, npmEnvironment } from "./install.js";

/** Installs and runs a Node.js package (npm) in a container. */
@object()
export class NodeToolchain {
  /** Base image with Node.js and npm. */
  image: string;
  /** npm registry to install from (the organisation's mirror); empty uses the image's default. */
  registry: string;

  /**
   * @param image Base image with Node.js and npm (through the organisation's image mirror where there is one).
   * @param registry npm registry to install from, e.g. a Nexus npm group; empty keeps npm's default.
   */
  constructor(image = "node:22-bookworm-slim", registry = "") {
    this.image = image;
    this.registry = registry;
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
  install(source: Directory): Container {
    let ctr = this.base().withWorkdir("/app");
    // Manifests first, sources after: a source-only change reuses the cached `npm ci` layer.
    for (const layer of installLayers()) {
      ctr = layer.include ? ctr.withDirectory("/app", source, { include: layer.include, exclude: layer.exclude }) : ctr.withDirectory("/app", source, { exclude: layer.exclude });
      if (layer.exec) ctr = ctr.withExec(layer.exec);
    }
    return ctr;
  }

  /**
   * Run one npm script of the package.
   * @param source The package folder (package.json and package-lock.json at its top).
   * @param script The npm script, e.g. lint, typecheck, test or build.
   */
  @func()
  run(source: Directory, script: string): Container {
    return this.install(source).withExec(["npm", "run", script]);
  }
}
