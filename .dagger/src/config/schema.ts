/**
 * The pipeline.yaml schema: the single source of the config's TypeScript types, its defaults,
 * the reference docs in the README and the JSON Schema editors use.
 * Every key carries a description; cross-field rules (references between components and
 * environments) live in ./references.ts because zod skips them when a field beside them is bad.
 */
import { IMAGE_REFERENCE_PATTERN, isPinned, parseImageReference, REGISTRY_PREFIX_PATTERN } from "../vendor/image-reference.js";
import semver from "../vendor/semver.js";
import { refNameProblem } from "../plan/ref-name.js";
import { z } from "../vendor/zod.js";
import { FreezeWindow, SshDeploy, Verify } from "./operations.js";
import { Strategy } from "./strategy.js";

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const NAME_RULE = "lowercase letters, digits and '-', starting with a letter, at most 40 characters";

/** A component or environment name: it becomes an image name, a CLI value and a namespace part. */
const name = z.string().regex(NAME, { error: `must be ${NAME_RULE}` });

/**
 * A path inside the application repository, written the way users write it in YAML. A pattern
 * rather than a refinement, so the editor JSON Schema carries the rule too.
 */
const repoPath = z.string().regex(/^(?!\/)(?!(.*\/)?\.\.(\/|$)).+$/, { error: "must be a relative path inside the repository (no leading '/', no '..')" });

const IMAGE_REF_RULE = "must be an image reference such as node:22-bookworm-slim or node:22-bookworm-slim@sha256:<digest>";

/**
 * A third-party image reference with a version tag (and optionally a digest), never `latest`:
 * the image-reference grammar as a pattern (so the editor JSON Schema carries it), then what a
 * pattern cannot check (name length, digest algorithm and length, the tag).
 */
const imageRef = z
  .string()
  .regex(IMAGE_REFERENCE_PATTERN, { error: IMAGE_REF_RULE })
  .superRefine((ref, ctx) => {
    // A reference the pattern refused has been reported once already.
    if (!IMAGE_REFERENCE_PATTERN.test(ref)) return;
    const parsed = parseImageReference(ref);
    if (parsed === undefined) ctx.addIssue({ code: "custom", message: IMAGE_REF_RULE });
    else if (!isPinned(parsed) || parsed.tag === "latest") ctx.addIssue({ code: "custom", message: "must name a tag or digest other than latest: images are addressed by version and digest" });
  });

/** A registry host with an optional port and repository path, e.g. ghcr.io/acme/webshop (the image-reference grammar's). */
const registryPrefix = (error: string) => z.string().regex(REGISTRY_PREFIX_PATTERN, { error });

/**
 * Environment variables of a container. Values may refer to other components as
 * {component.attribute} ({db.url}, {backend.url}, {db.version}, …); a value that refers to a
 * database's password or url is a secret wherever the topology runs.
 */
const env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an environment variable name (letters, digits, '_', not starting with a digit)" }), z.string()).default({});

/**
 * A git clone URL the engine can fetch and push: http(s) or ssh with a host and a path, the scp
 * form git@host:path, or a file:// URL. A pattern, so the editor JSON Schema carries it too.
 */
const GIT_URL = /^(?:(?:https?|ssh):\/\/[^\s/?#]+\/[^\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\s]+|file:\/\/\/[^\s]+)$/;
const GIT_URL_RULE = "must be a git URL: https://host/owner/repo.git, ssh://git@host/owner/repo.git, git@host:owner/repo.git or file:///path/to/repo.git";

/** A branch name git would create (`git check-ref-format --branch`): it becomes a ref, a CLI value and a log line. */
const branchName = z.string().superRefine((branch, ctx) => {
  const problem = refNameProblem(branch);
  if (problem !== undefined)
    ctx.addIssue({
      code: "custom",
      message: `is not a branch name git allows: it ${problem}; a branch name has no spaces, control characters, "..", "@{" or any of ~ ^ : ? * [ \\, does not start with "-" or end with "/" or ".", and no part of it starts with "." or ends in ".lock" (e.g. main, release/2.x)`,
    });
});

/** An http(s) URL of a mirror endpoint. */
const url = z.string().regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, { error: "must be an http:// or https:// URL" });

/** Toolchains a component can be built with; each maps to a module under modules/. */
export const Toolchain = z.enum(["node", "flyway", "dotnet", "maven"]).describe("How the component is linted, tested and built: node (npm), flyway (SQL migrations), dotnet, maven.");

/** What role a component plays in a release; the gates and the E2E topology read this. */
export const ComponentKind = z.enum(["database", "backend", "frontend", "service"]).describe("The component's role: database (schema migrations), backend, frontend, or another service.");

/** How a component's runtime image is made when it has no Dockerfile of its own. */
export const ImageSettings = z
  .strictObject({
    base: imageRef.optional().describe("Base image (before mirror rewriting); default per toolchain, e.g. node:22-bookworm-slim."),
    command: z.array(z.string().min(1)).min(1).optional().describe("Command the runtime image starts; default: node <package.json main>."),
    files: z.array(repoPath).default(["dist"]).describe("Built files and folders the runtime image needs besides package.json and production node_modules."),
    port: z.number().int().min(1).max(65535).default(8080).describe("Port the component listens on."),
    health: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]*$/, { error: "must be an absolute URL path such as /health" })
      .default("/health")
      .describe("HTTP path of the health check."),
    systemPackages: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, { error: "must be a Debian package name" }))
      .default([])
      .describe("Debian packages the runtime needs, installed through the apt mirror."),
  })
  .prefault({})
  .describe("Runtime image settings for the generated Dockerfile.");

/** A database identifier: Postgres accepts more, but these need no quoting anywhere. */
const sqlName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be lowercase letters, digits and '_', not starting with a digit, at most 63 characters" });

/** The database server a database component's migrations run against, in E2E and in Compose. */
export const DatabaseSettings = z
  .strictObject({
    engine: z.enum(["postgres"]).default("postgres").describe("Database engine; Flyway migrates it."),
    image: imageRef.default("postgres:17-bookworm").describe("Server image (before mirror rewriting), e.g. postgres:17-bookworm; use the major version production runs."),
    name: sqlName.optional().describe("Database name; default: the application name with '-' written as '_'."),
    user: sqlName
      .optional()
      .describe("Owner of the schema, used by the migrations and the application; default: as name. Its password is a secret: generated per E2E run, ${<COMPONENT>_PASSWORD} in Compose."),
    port: z.number().int().min(1).max(65535).default(5432).describe("Port the server listens on."),
  })
  .prefault({})
  .describe("The database server of a database component (kind: database).");

/** One deployable part of the application: it gets its own image and its own semver. */
export const Component = z
  .strictObject({
    kind: ComponentKind,
    toolchain: Toolchain,
    path: repoPath.describe("Folder of the component in the repository; a change under it marks the component as affected."),
    migrations: repoPath.optional().describe("Flyway migrations folder, relative to the component's path (database components; default: migrations)."),
    migrationNaming: z
      .enum(["semver", "flyway"])
      .optional()
      .describe(
        "How migration versions are written (flyway components; default: semver): semver, MAJOR.MINOR.PATCH (V1_2_0__x.sql); flyway, every name Flyway reads (V2.1__x.sql, V002__x.sql), the schema's semver being the highest version as MAJOR.MINOR.PATCH (2.1 is 2.1.0). Undo (U) and baseline (B) scripts follow the same rule; repeatable ones (R__x.sql) have no version.",
      ),
    dockerfile: repoPath.optional().describe("The component's own Dockerfile, relative to its path; without one the toolchain module generates one."),
    image: ImageSettings,
    database: DatabaseSettings,
    env: env.describe(
      "Environment variables of the component's container. {component.attribute} refers to another component: {db.url} (postgresql://user:password@host:port/name, secret), {db.host}, {db.port}, {db.name}, {db.user}, {db.password} (secret), {db.jdbcUrl}, {backend.url} (http://host:port), {backend.host}, {backend.port}, {<any>.version}.",
    ),
    requires: z
      .record(
        name,
        z
          .string()
          // semver reads "" as "*": an empty range is more likely a slip than "any version".
          .regex(/\S/, { error: "is empty: give a semver range such as >=1.4.0 or ^2.1.0 ('*' for any version)", abort: true })
          .refine((range) => semver.validRange(range) !== null, { error: "must be a semver range such as >=1.4.0 or ^2.1.0" })
          .describe("semver range, e.g. >=1.4.0"),
      )
      .default({})
      .describe('What this component needs of the others, as semver ranges by component name (e.g. backend requires db: ">=1.1.0"). Checked at every promotion; no flag overrides it.'),
  })
  .describe("A deployable part of the application.");

/** Where images are pushed; the token arrives as a secret, never in this file. */
export const Registry = z
  .strictObject({
    address: registryPrefix("must be a registry host with an optional port and path, without scheme or tag, e.g. ghcr.io/acme/webshop").describe(
      "Registry and repository prefix; each component's image is <address>/<component>.",
    ),
    username: z
      .string()
      .min(1, { error: "is empty: give the registry user, or leave username out" })
      .optional()
      .describe("User for registry login; the token comes as a secret (--registry-token env://…)."),
    plainHttp: z
      .boolean()
      .optional()
      .describe(
        'The registry speaks plain HTTP, not HTTPS (default: only for 127.0.0.1, localhost and [::1]). Tell the engine too (engine.toml: [registry."<host>"] http = true): it pulls and pushes, the pipeline only retags.',
      ),
  })
  .describe("The container registry images are published to.");

/** The organisation's artifact proxy: every third-party fetch goes through it. */
export const Mirror = z
  .strictObject({
    npm: url.optional().describe("npm registry URL of the proxy (e.g. a Nexus npm group)."),
    npmScopes: z
      .record(z.string().regex(/^@[a-z0-9][a-z0-9._-]*$/, { error: "must be an npm scope such as @acme" }), url)
      .default({})
      .describe('Registries for npm scopes (e.g. "@acme": https://nexus.example/repository/npm-internal/), written to the build\'s .npmrc.'),
    nuget: url.optional().describe("NuGet v3 source URL of the proxy."),
    maven: url.optional().describe("Maven repository URL of the proxy."),
    apt: url.optional().describe("Debian/Ubuntu apt mirror URL of the proxy."),
    images: registryPrefix("must be a registry host and path, without scheme, e.g. nexus.example:8443/docker-group")
      .optional()
      .describe("Registry prefix that serves base images, e.g. nexus.example:8443/docker-group (node:22-slim becomes <prefix>/library/node:22-slim)."),
  })
  .describe("The artifact proxy (Nexus or similar) that is the only place fetching third-party packages and base images.");

/** The GitOps repository whose files say what runs in each environment. */
export const Gitops = z
  .strictObject({
    repository: z
      .string()
      .regex(GIT_URL, { error: GIT_URL_RULE })
      .describe("Clone URL of the GitOps repository: https://host/owner/repo.git, ssh://git@host/owner/repo.git, git@host:owner/repo.git or file:///path/repo.git."),
    branch: branchName.default("main").describe("Branch that environments are deployed from."),
    provider: z.enum(["github", "gitea", "git"]).default("git").describe("Where pull requests are opened: github, gitea, or git (plain commits only, no pull requests)."),
  })
  .describe("The GitOps repository that promotion writes to.");

/** Where a component's image goes in a Helm values file. */
export const HelmPaths = z
  .strictObject({
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: "must be a dotted values path such as backend.image.repository" })
      .describe("Dotted path of the image repository."),
    tag: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: "must be a dotted values path such as backend.image.tag" })
      .describe("Dotted path of the image tag (set to the git SHA)."),
    digest: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: "must be a dotted values path such as backend.image.digest" })
      .optional()
      .describe("Dotted path of the image digest, when the chart takes one."),
    registry: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: "must be a dotted values path such as backend.image.registry" })
      .optional()
      .describe(
        "Dotted path of the image registry, for charts that keep it in its own value (image.registry, as Bitnami's do): the registry goes there and repository gets the name below it. Required when the repository's mapping has a non-empty registry.",
      ),
    digestFormat: z
      .enum(["prefixed", "bare"])
      .optional()
      .describe("What the digest path holds: prefixed (default) sha256:<64 hex>; bare the 64 hex digits alone, for charts whose template writes @sha256:{{ .digest }}."),
  })
  .describe("Helm values paths of one component's image.");

/** How an environment receives a release. */
export const Trigger = z.enum(["push", "tag", "manual"]).describe("What promotes to the environment: push (to the main branch, after E2E), tag (a release tag), manual (promote --env).");

/** One deployment target: dev, staging, prod, … */
export const Environment = z
  .strictObject({
    on: Trigger,
    after: name.optional().describe("Environment a release must have reached before this one (unless an emergency is declared)."),
    writeBack: z.enum(["commit", "pull-request"]).default("commit").describe("How the GitOps repository is updated: a direct commit, or a pull request that needs approval."),
    approvals: z.number().int().min(0).default(0).describe("Approvals the pull request needs before it may merge (requires writeBack: pull-request when above 0)."),
    path: repoPath.describe("Folder of this environment in the GitOps repository."),
    format: z.enum(["kustomize", "helm", "compose", "manifests"]).describe("File format of the environment's deployment description."),
    file: repoPath
      .optional()
      .describe("The file promotion rewrites, relative to path; default: kustomization.yaml (kustomize), values.yaml (helm), compose.yaml (compose); manifests: every .yaml/.yml under path."),
    helm: z.record(name, HelmPaths).default({}).describe("Helm values paths of each component's image (format: helm), e.g. backend: { repository: backend.image.repository, tag: backend.image.tag }."),
    flags: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { error: "must be a feature flag name declared under features" }), z.boolean())
      .default({})
      .describe("Feature flags of this environment (on/off), written by promotion into the environment; unset flags take their default."),
    admission: z
      .enum(["kyverno"])
      .optional()
      .describe(
        "Admission checks in the cluster: kyverno writes a Kyverno policy into the environment's folder that admits only images signed as signing says, with the pipeline's attestations (needs signing and a Kubernetes format).",
      ),
    deploy: SshDeploy.optional(),
    verify: Verify.optional(),
    freeze: z
      .array(FreezeWindow)
      .default([])
      .describe("Windows in which every promotion to the environment is refused with the window's reason; an emergency passes, recorded; a rollback passes. `freeze --env` sets a freeze flag too."),
    strategy: Strategy,
  })
  .describe("A deployment environment.");

/** Which branches do what on a push. */
export const Branches = z
  .strictObject({
    main: branchName.default("main").describe("The branch whose pushes run the whole pipeline and promote to the push environments."),
    buildOnly: z.array(z.string().min(1)).default(["dev"]).describe("Branch patterns whose pushes end after the image build (no publish, no deploy)."),
    previews: z.array(z.string().min(1)).default(["feature/*"]).describe("Branch patterns that get a preview environment; '*' matches within one path segment, '**' across."),
  })
  .prefault({})
  .describe("Branch rules for push events.");

/** Per-branch preview environments. */
export const Previews = z
  .strictObject({
    namespace: z
      .string()
      .regex(/^(?:[a-z0-9][a-z0-9-]*)?\{branch\}(?:[a-z0-9-]*[a-z0-9])?$/, {
        error: "must contain {branch} once and otherwise only lowercase letters, digits and '-', not starting or ending with '-' (a namespace is a DNS label)",
      })
      // 63 characters a namespace, at least 9 of them the branch's (its hash, when the name is lossy).
      .max(62, { error: "must leave the branch at least 9 of a namespace's 63 characters (at most 54 characters besides {branch})" })
      .default("preview-{branch}")
      .describe(
        "Kubernetes namespace of a branch's preview; {branch} is the branch name made DNS-safe, with a short hash of the exact name when that loses anything (upper case, '/', other letters, length), so every branch gets its own.",
      ),
    path: repoPath.default("previews").describe("Folder in the GitOps repository holding one subfolder per preview."),
    base: repoPath.optional().describe("Kustomize base every preview overlays, in the GitOps repository; default: the path of the first kustomize environment promoted on push."),
  })
  .prefault({})
  .describe("Preview environments (K3s namespaces, as Kustomize overlays) for branches matching branches.previews.");

/** The end-to-end test project. */
export const E2e = z
  .strictObject({
    path: repoPath.describe("Folder of the Playwright project (package.json with @playwright/test, and its lockfile)."),
    image: imageRef
      .optional()
      .describe(
        "Playwright image (before mirror rewriting); default: mcr.microsoft.com/playwright:v<the lockfile's @playwright/test version>-noble. A different Playwright version than the lockfile's is refused.",
      ),
    target: name.optional().describe("The component the tests open in the browser (its url becomes BASE_URL); default: the frontend component."),
    env: env.describe('Environment variables of the test run, e.g. EXPECTED_SCHEMA_VERSION: "{db.version}"; same references as a component\'s env.'),
  })
  .describe("End-to-end tests run against the built images.");

/** A resource name of an Aspire manifest (Aspire allows letters, digits and '-'). */
const aspireResource = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, { error: "must be an Aspire resource name: a letter, then letters, digits and '-'" });

/** Integration through the application's .NET Aspire AppHost (the aspire module). */
export const AspireIntegration = z
  .strictObject({
    manifest: repoPath.describe("The AppHost's manifest (aspire-manifest.json, as `dotnet run --project <AppHost> -- --publisher manifest` writes it), relative to pipeline.yaml's folder."),
    resources: z
      .record(name, aspireResource)
      .default({})
      .describe("The manifest resource each component's image replaces; default: the component's own name, and <name>-migrate for a database component's migration image."),
    jobs: z.array(aspireResource).default([]).describe("Resources that run to completion before the services after them start, e.g. [db-migrate]."),
  })
  .describe("Integration tests through the application's Aspire AppHost: the release's images in place of their resources, the e2e tests against the graph.");

/** Who hears of a failed run, and how (the notify module). The webhook URL and SMTP password are secrets: ci takes them as --notify-webhook and --smtp-password. */
export const Notifications = z
  .strictObject({
    on: z.enum(["failure", "always"]).default("failure").describe("Notify on failed runs only, or on every run."),
    webhook: z
      .strictObject({
        format: z.enum(["slack", "teams", "google-chat"]).default("slack").describe("Payload format: slack (also Mattermost, Rocket.Chat), teams (Workflows, Adaptive Card) or google-chat."),
      })
      .optional()
      .describe("A chat webhook; its URL comes as ci --notify-webhook=env://CHAT_WEBHOOK."),
    email: z
      .strictObject({
        host: z.string().min(1).describe("SMTP server."),
        port: z.number().int().min(1).max(65535).default(587).describe("SMTP port: 587 (STARTTLS) or 465 with secure."),
        secure: z.boolean().default(false).describe("TLS from the start (port 465)."),
        user: z.string().default("").describe("SMTP user; its password comes as ci --smtp-password=env://SMTP_PASSWORD."),
        from: z
          .string()
          .regex(/^[^\s@]+@[^\s@]+$/, { error: "must be an e-mail address" })
          .describe("Sender address."),
        to: z
          .array(z.string().regex(/^[^\s@]+@[^\s@]+$/, { error: "must be an e-mail address" }))
          .min(1)
          .describe("Recipients."),
      })
      .optional()
      .describe("E-mail through SMTP."),
  })
  .describe("Notifications of ci runs: a chat webhook and/or e-mail, with the failing stage, component and the run's link.");

/** The host's release page of a tag (GitHub or Gitea Releases): notes and downloadable files. The token comes as release --release-token. */
export const Releases = z
  .strictObject({
    provider: z.enum(["github", "gitea"]).describe("The host of the application repository, where each release tag gets its release page."),
    repository: url.optional().describe("The application repository's https URL, e.g. https://gitea.example.com/acme/webshop; default: release --repository (the CI host's repository link)."),
    apiUrl: url.optional().describe("The host's API base when it is not the default: GitHub Enterprise (https://host/api/v3) or Gitea under a sub-path."),
  })
  .describe("Release pages: a release tag publishes the release's notes (components, versions, image digests, migrations) and its files (release record, Compose file) on the host.");

/** Image signatures and attestations with cosign: publish signs, promote verifies. */
export const Signing = z
  .strictObject({
    publicKey: repoPath
      .optional()
      .describe("cosign public key (PEM) in the application repository. publish signs with its private key (ci --signing-key, --signing-password, as secrets); promote verifies with this one."),
    keyless: z
      .strictObject({
        issuer: url.describe("OIDC issuer of the signing identity, e.g. https://token.actions.githubusercontent.com for GitHub Actions."),
        identity: z
          .string()
          .min(1)
          .describe("The certificate identity that must have signed: for GitHub Actions the workflow, e.g. https://github.com/acme/webshop/.github/workflows/ci.yml@refs/heads/main."),
      })
      .optional()
      .describe("Keyless signing (Sigstore's Fulcio certificates for the CI's OIDC identity; ci --signing-token gives the identity token). Needs the transparency log."),
    transparencyLog: z
      .boolean()
      .default(true)
      .describe(
        "Record each signature in a Rekor transparency log, and require it at verification. false for a private setup without Rekor (keys only): signatures are then checked against the key alone.",
      ),
    rekorUrl: url.optional().describe("The Rekor instance (default: Sigstore's public one, https://rekor.sigstore.dev)."),
    fulcioUrl: url.optional().describe("The Fulcio instance for keyless signing (default: Sigstore's public one, https://fulcio.sigstore.dev)."),
    trustedRoot: repoPath
      .optional()
      .describe("A private Sigstore's trusted root (trusted_root.json) in the application repository, for verification against your own Fulcio and Rekor (default: Sigstore's public trust root)."),
  })
  .refine((s) => (s.publicKey === undefined) !== (s.keyless === undefined), { error: "must name exactly one of publicKey (a key pair) or keyless (an OIDC identity)" })
  .refine((s) => s.keyless === undefined || s.transparencyLog, {
    error: "keyless signing needs the transparency log (transparencyLog: true): a short-lived certificate is only trusted through its log entry",
  })
  .describe("Signatures and in-toto attestations (SBOM, test results, SLSA provenance) of every published image, verified at promotion.");

/** Promotion gates' settings (compatibility has none: it cannot be switched off). */
export const Gates = z
  .strictObject({
    vulnerabilities: z
      .strictObject({
        severities: z
          .array(z.enum(["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"]))
          .min(1)
          .default(["CRITICAL"])
          .describe("Trivy severities that block a promotion unless waived."),
        waivers: repoPath
          .default("waivers.yaml")
          .describe(
            "Waivers file in the GitOps repository (per CVE or misconfiguration ID and image digest, with reason, an approver who names who decided (placeholders such as - or TBD are refused) and an expiry at most one year after the day the gate judges it; secrets are never waived).",
          ),
      })
      .prefault({})
      .describe("The vulnerability gate: a Trivy JSON report per image; a missing or unreadable report blocks."),
  })
  .prefault({})
  .describe("Promotion gates.");

/** The whole pipeline.yaml. */
export const PipelineConfig = z
  .strictObject({
    name: name.describe("Application name; used in release records and as the default image prefix."),
    components: z
      .record(name, Component)
      .refine((c) => Object.keys(c).length > 0, { error: "must name at least one component" })
      .describe("The application's components by name (e.g. db, backend, frontend)."),
    e2e: E2e.optional(),
    aspire: AspireIntegration.optional(),
    registry: Registry,
    mirror: Mirror.optional(),
    branches: Branches,
    environments: z.record(name, Environment).default({}).describe("Deployment environments by name (e.g. dev, staging, prod)."),
    previews: Previews,
    gitops: Gitops.optional(),
    features: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { error: "must start with a letter and hold letters, digits, '_', '.', '-'" }),
        z.strictObject({ description: z.string().default(""), default: z.boolean().default(false).describe("Value where an environment does not set it.") }),
      )
      .default({})
      .describe("Feature flags, so unfinished features can ship switched off; environments.<name>.flags switches them per environment."),
    gates: Gates,
    signing: Signing.optional(),
    notifications: Notifications.optional(),
    releases: Releases.optional(),
    ignore: z.array(z.string().min(1)).default(["**/*.md", "docs/**"]).describe("Changed files matching these patterns affect no component."),
  })
  .describe("pipeline.yaml: what the pipeline builds, tests and promotes.");

/** A validated pipeline.yaml with all defaults applied. */
export type PipelineConfig = z.output<typeof PipelineConfig>;
/** One component of a validated config. */
export type Component = z.output<typeof Component>;
/** The image settings of a validated component. */
export type ImageSettings = z.output<typeof ImageSettings>;
/** One environment of a validated config. */
export type Environment = z.output<typeof Environment>;
/** The signing settings of a validated config. */
export type Signing = z.output<typeof Signing>;
