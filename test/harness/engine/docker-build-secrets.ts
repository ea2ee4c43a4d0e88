/**
 * Engine rule (d): `Directory.dockerBuild` keeps the build's secrets mounted in the resulting
 * container, Dagger v0.21.9 (see source.ts for the exact commit).
 *
 * Read in dagger/dagger:
 * - core/schema/directory.go `(*directorySchema).dockerBuild` loads `args.Secrets` and calls
 *   core/container.go `(*Container).Build`, which appends, for every secret passed, a
 *   `ContainerSecret{MountPath: "/run/secrets/<secret name>"}` to the built container
 *   (`builtContainer.Secrets = append(builtContainer.Secrets, returnedSecretMounts...)`), whether or
 *   not the Dockerfile uses it; a nameless secret is refused.
 * - util/llbtodagger/exec.go (the Dockerfile's RUN → withExec conversion): a
 *   `RUN --mount=type=secret,…` becomes `withMountedSecret(path: <target>)` and `…,env=NAME` becomes
 *   `withSecretVariable(NAME)`, and both are kept after the exec ("Back-compat: preserve Dockerfile
 *   secret mounts in the resulting container"): they stay on that stage and on every stage built
 *   FROM it, so the final stage carries those of its own chain. A secret mount whose id was not
 *   passed is skipped when optional (the Dockerfile default).
 * - core/container.go `(*Container).WithoutMount` removes a secret whose MountPath is the target
 *   (`container.Secrets = slices.Delete(...)`), `WithoutSecretVariable` one whose EnvName is the name.
 *   `Container.mounts()` lists `container.Mounts` only (`MountTargets`), never secret mounts.
 * - core/container_exec.go: each later exec (and a service started from the container) gets every
 *   remaining secret as a file or env variable.
 *
 * Behaviour: a container returned by dockerBuild has /run/secrets/<name> for each build secret, plus
 * the secret mounts and secret env variables of the final stage's RUN lines, and a service or exec
 * started from it can read them until `withoutMount`/`withoutSecretVariable` removes them.
 */
import { stageChain } from "./dockerfile-stages.js";

/** A secret reachable inside a container: mounted as a file at `path`, or set as the env variable `env`. */
export interface MountedSecret {
  secret: string;
  path?: string;
  env?: string;
}

/** A wrong model for the mutant test: "dockerBuild only uses secrets while building". */
export type DockerBuildMutant = "secrets-dropped-after-build";

/** One operation applied to a container after the build (the recorder graph's ops). */
export type SecretOp =
  | { op: "withoutMount"; path: string }
  | { op: "withoutSecretVariable"; name: string }
  | { op: "withMountedSecret"; path: string; source: string }
  | { op: "withSecretVariable"; name: string; secret: string }
  | { op: string };

interface Stage {
  name?: string;
  from: string;
  mounts: MountedSecret[];
}

/** The stages of a Dockerfile: FROM (with AS name) and the secret mounts/env of its RUN lines. */
export function dockerfileStages(dockerfile: string): Stage[] {
  const stages: Stage[] = [];
  const lines = dockerfile.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      stages.push({ from: from[1], ...(from[2] ? { name: from[2].toLowerCase() } : {}), mounts: [] });
      continue;
    }
    if (!/^RUN\s/i.test(line) || stages.length === 0) continue;
    for (const m of line.matchAll(/--mount=(\S+)/g)) {
      const opts = Object.fromEntries(
        m[1].split(",").map((kv) => {
          const [k, ...v] = kv.split("=");
          return [k, v.join("=")];
        }),
      );
      if (opts.type !== "secret") continue;
      const target = opts.target ?? opts.dst ?? opts.destination;
      const id = opts.id ?? (target ? target.split("/").pop() : undefined);
      if (!id) continue;
      const stage = stages[stages.length - 1];
      if (opts.env) stage.mounts.push({ secret: id, env: opts.env });
      if (!opts.env || target) stage.mounts.push({ secret: id, path: target ?? `/run/secrets/${id}` });
    }
  }
  return stages;
}

/** The secrets the container returned by dockerBuild carries, for the secrets passed (by name), the Dockerfile and the target stage. */
export function dockerBuildSecrets(secrets: string[], dockerfile = "", target?: string, mutant?: DockerBuildMutant): MountedSecret[] {
  if (mutant === "secrets-dropped-after-build") return [];
  const passed = [...new Set(secrets)];
  const stages = dockerfileStages(dockerfile);
  const chain = stageChain(stages, target);
  const fromRuns = chain.flatMap((s) => s.mounts).filter((m) => passed.includes(m.secret));
  return [...fromRuns, ...passed.map((name) => ({ secret: name, path: `/run/secrets/${name}` }))];
}

/** The secrets left after applying later container operations (withoutMount, withoutSecretVariable, …) in order. */
export function applySecretOps(mounted: MountedSecret[], ops: SecretOp[]): MountedSecret[] {
  let out = [...mounted];
  for (const o of ops) {
    if (o.op === "withoutMount" && "path" in o) {
      const i = out.map((m) => m.path).lastIndexOf(o.path);
      if (i >= 0) out = out.filter((_, j) => j !== i);
    } else if (o.op === "withoutSecretVariable" && "name" in o) out = out.filter((m) => m.env !== o.name);
    else if (o.op === "withMountedSecret" && "source" in o) out.push({ secret: o.source, path: o.path });
    else if (o.op === "withSecretVariable" && "secret" in o) out = [...out.filter((m) => m.env !== o.name), { secret: o.secret, env: o.name }];
  }
  return out;
}
