/**
 * Dagger keeps a dockerBuild's secrets in the container it returns (dagger/dagger v0.21.x:
 * core/container.go Container.Build mounts every secret passed at /run/secrets/<name>;
 * util/llbtodagger/exec.go keeps each `RUN --mount=type=secret` of the final stage as a secret mount
 * or secret variable). A service or exec started from that container could read them. These are
 * the removals that leave none: withoutMount drops a secret mounted at that path and
 * withoutSecretVariable a secret variable (core/container.go WithoutMount / WithoutSecretVariable).
 */

/** One removal: a secret file mount by path, or a secret env variable by name. */
export type SecretRemoval = { mount: string } | { variable: string };

/**
 * Every secret the built container can carry, for the secret names passed to dockerBuild and the
 * Dockerfile text: /run/secrets/<name> for each, plus every RUN secret mount or env of any stage
 * using one of them (removing a path that is not mounted changes nothing).
 */
export function buildSecretRemovals(dockerfile: string, secretNames: string[]): SecretRemoval[] {
  const out: SecretRemoval[] = [];
  const seen = new Set<string>();
  const add = (r: SecretRemoval) => {
    const k = JSON.stringify(r);
    if (!seen.has(k)) seen.add(k), out.push(r);
  };
  const text = dockerfile.replace(/\\\r?\n/g, " ");
  for (const line of text.split(/\r?\n/)) {
    if (!/^\s*RUN\s/i.test(line)) continue;
    for (const m of line.matchAll(/--mount=(\S+)/g)) {
      const opts = new Map(m[1].split(",").map((kv) => [kv.split("=")[0], kv.split("=").slice(1).join("=")] as const));
      if (opts.get("type") !== "secret") continue;
      const target = opts.get("target") ?? opts.get("dst") ?? opts.get("destination");
      const id = opts.get("id") ?? target?.split("/").pop();
      if (!id || !secretNames.includes(id)) continue;
      const env = opts.get("env");
      if (env) add({ variable: env });
      if (!env || target) add({ mount: target ?? `/run/secrets/${id}` });
    }
  }
  for (const name of secretNames) add({ mount: `/run/secrets/${name}` });
  return out;
}
