/**
 * Node.js toolchain: install a package's dependencies reproducibly and run its npm scripts.
 * Usable on its own: `dagger -m modules/node-toolchain call run --source=./backend --script=test`.
 */
import { type Container, type Directory, dag, func, object } from "@dagger.io/dagger";
import { installLayers, NPM_CACHE, npmEnvironment } from "./install.js";

@object()
export class NodeToolchain {
  /** Base image with Node.js and npm. */
  image: string;
  /** npm registry to install from (the organisation's mirror); empty uses the image's default. */
  registry: string;

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

  /** The package's dependencies installed with `npm ci`, then its sources copied in. */
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

  /** Run one npm script of the package (lint, typecheck, test, build…). */
  @func()
  run(source: Directory, script: string): Container {
    return this.install(source).withExec(["npm", "run", script]);
  }
}
