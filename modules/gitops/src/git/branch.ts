/** Names of what a promotion creates in the GitOps repository. */

/** Length of the release SHA in branch names and subjects (as in the upstream gate's messages). */
export const SHORT_SHA = 12;

const ENVIRONMENT = /^[a-z][a-z0-9-]{0,39}$/;
const SHA = /^[0-9a-f]{40}$/;

/** The release's short SHA; refuses anything but a full lowercase git SHA. */
export function shortSha(release: string): string {
  if (!SHA.test(release)) throw new Error(`release: ${JSON.stringify(release)} is not a full git SHA (40 lowercase hex digits)`);
  return release.slice(0, SHORT_SHA);
}

/** The environment name, checked against pipeline.yaml's rule for names. */
export function environmentName(environment: string): string {
  if (!ENVIRONMENT.test(environment)) throw new Error(`environment: ${JSON.stringify(environment)} is not an environment name (lowercase letters, digits and '-', starting with a letter)`);
  return environment;
}
