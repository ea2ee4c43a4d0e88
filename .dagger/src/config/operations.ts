/**
 * What happens to an environment after the GitOps write: `deploy` (a Compose environment applied
 * over SSH), `verify` (each component's health endpoint reports the release, then the smoke specs),
 * and `freeze` (windows in which automatic promotion stops). Part of pipeline.yaml's schema.
 */
import { z } from "../vendor/zod.js";

const url = z.string().regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, { error: "must be an http:// or https:// URL" });

/** A duration in seconds, bounded so a typo cannot make a call wait for a day. */
const seconds = (max: number) => z.number().int().min(1).max(max);

/** A host name or IP address as ssh takes it (no user@, no scheme, no port). */
const host = z.string().regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:]+\])$/, {
  error: "must be a host name or IP address (no user@, scheme or port: those are user and port)",
});

/** One known_hosts line per key: host pattern, key type, base64 key. */
const KNOWN_HOST_LINE = /^[^\s#]\S*\s+(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)\s+[A-Za-z0-9+/]+={0,2}(\s.*)?$/;

/** Where and how a Compose environment is deployed over SSH (the private key is a secret given at call time, --ssh-key). */
export const SshDeploy = z
  .strictObject({
    host: host.describe("The Docker host, e.g. vps.example.com."),
    port: z.number().int().min(1).max(65535).default(22).describe("Its SSH port."),
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "must be a Unix user name (lowercase letters, digits, '_' and '-')" })
      .describe("The SSH user; it must be allowed to use Docker on the host."),
    knownHosts: z
      .string()
      .refine((s) => s.split("\n").filter((l) => l.trim() !== "").length > 0 && s.split("\n").every((l) => l.trim() === "" || KNOWN_HOST_LINE.test(l.trim())), {
        error: "must be known_hosts lines (host key-type base64-key), e.g. the output of ssh-keyscan checked against the host's fingerprint",
      })
      .describe("The host's public key(s) as known_hosts lines: the connection is refused unless the host presents one of them."),
    directory: z
      .string()
      .regex(/^\/(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+$/, { error: "must be an absolute path on the host without '..' or spaces" })
      .describe("The project directory on the host that receives compose.yaml and the environment's flags file."),
    project: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: "must be a Compose project name (lowercase letters, digits, '_' and '-')" })
      .optional()
      .describe("The Compose project name; default: <name>-<environment>."),
    timeout: seconds(3600).default(300).describe("Seconds to wait until every service is healthy (or running, when it has no health check)."),
  })
  .describe("Deploy a Compose environment over SSH: copy the release's compose.yaml and flags, then docker compose pull and up through an SSH Docker context.");

/** The Argo CD application whose sync and health verification waits on. */
const ArgoCdApplication = z
  .strictObject({
    server: url.describe("Argo CD's API server, e.g. https://argocd.example.com."),
    application: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, { error: "must be an Argo CD application name" })
      .describe("The application deploying this environment."),
  })
  .describe("Wait until Argo CD reports the application Synced to the GitOps commit and Healthy (token given at call time, --argocd-token).");

/** How an environment is verified after a deploy or a promotion. */
export const Verify = z
  .strictObject({
    endpoints: z
      .record(z.string(), url)
      .refine((r) => Object.keys(r).length > 0, { error: "must name at least one component's health endpoint" })
      .describe(
        "Each component's public health endpoint, e.g. backend: https://shop.example.com/health, frontend: https://shop.example.com/healthz. It must answer 200 with JSON carrying the release's version (`version`); a backend's `database.schemaVersion` is read as the live schema.",
      ),
    url: url.optional().describe("The environment's public URL: the E2E specs tagged as smoke run against it (Playwright)."),
    smoke: z.string().min(1).default("@smoke").describe("The tag (Playwright --grep) of the smoke specs."),
    timeout: seconds(3600).default(300).describe("Seconds until every endpoint must report the release."),
    interval: seconds(300).default(5).describe("Seconds between polls."),
    argocd: ArgoCdApplication.optional(),
    rollback: z
      .enum(["automatic", "manual"])
      .default("automatic")
      .describe("What a failed verification does: automatic rolls the environment back (and holds automatic promotion); manual only fails."),
  })
  .describe("Verification after every deploy and promotion of the environment.");

/** A window in which automatic promotion stops. */
export const FreezeWindow = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).describe("Start, ISO 8601 with offset, e.g. 2026-12-23T00:00:00+01:00."),
    to: z.iso.datetime({ offset: true }).describe("End (exclusive)."),
    reason: z.string().min(1).describe("Shown in every refusal, e.g. year-end freeze."),
  })
  .refine((w) => Date.parse(w.from) < Date.parse(w.to), { error: "from must be before to", path: ["to"] })
  .describe("A freeze window.");

/** A validated deploy section. */
export type SshDeploy = z.output<typeof SshDeploy>;
/** A validated verify section. */
export type Verify = z.output<typeof Verify>;
/** A validated freeze window. */
export type FreezeWindow = z.output<typeof FreezeWindow>;
