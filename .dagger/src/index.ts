/**
 * Pipeline: one place to run an application's whole delivery pipeline.
 * Start with `dagger call plan --event push --ref main` to see what a push would do.
 */
import { argument, check, type Container, type Directory, type File, func, object, type Secret, type Service } from "@dagger.io/dagger";
import { parseConfig } from "./config/load.js";
import { flywayModule } from "./mirror/flyway.js";
import { InputError, quoted } from "./errors.js";
import { configJsonSchema } from "./config/json-schema.js";
import type { PipelineConfig } from "./config/schema.js";
import { summarise } from "./config/summary.js";
import { toEvent } from "./plan/event.js";
import { type Plan, plan } from "./plan/plan.js";
import { daggerPorts, type DeliveryOptions, deliveryPorts, type Operations } from "./run/dagger-ports.js";
import { runSmoke, type SmokeTarget } from "./verify/smoke.js";
import { executePlan } from "./run/execute.js";
import { renderPlan } from "./plan/render.js";
import { checkRun, integrationRun, type CheckRun, type RunExtras, runOf } from "./runs.js";
import type { RunFacts } from "./report/run.js";
import { type BuildStamp, buildImage, buildRelease, checkRevision, releaseVersions } from "./stages/build.js";
import { runChecks } from "./stages/checks.js";
import { preflight, selectComponents, type StageContext, stageContext } from "./stages/context.js";
import { runE2e } from "./stages/e2e.js";
import { parsePublishedOverrides, runAspireIntegration } from "./stages/aspire.js";
import { notifyRun } from "./stages/notify.js";
import { freeze } from "./stages/freeze.js";
import { preview, prunePreviews } from "./stages/promote.js";
import { migrationRecords, releasedMigrationRecords } from "./stages/deliver.js";
import { publishImages, registryHost, renderImages } from "./stages/publish.js";
import { signPublished } from "./stages/attest.js";
import { integrationEvidence } from "./release/evidence.js";
import { readSigningTrust, type SigningSecrets, whyCannotSign } from "./stages/sign.js";
import { engineImageLookup } from "./run/engine-images.js";
import { composeFromImages, parseImageArguments } from "./stages/compose.js";
import { trivyDatabase } from "./stages/scan.js";
import { credentialProblem } from "./vendor/credentials.js";

/** The delivery pipeline of one application, configured by its pipeline.yaml. */
@object()
export class Pipeline {
  /** The application repository (the folder that holds pipeline.yaml). */
  source: Directory;
  /** Path of the pipeline config inside the source. */
  config: string;
  /** Token for the artifact mirror (npm registry group…), never written anywhere but a secret .npmrc. */
  mirrorToken?: Secret;
  /** User for the mirror when it wants basic auth; empty sends the token as a bearer token. */
  mirrorUsername: string;

  /**
   * @param source The application repository (the folder that holds pipeline.yaml); default: the root of the repository whose dagger.json names this module as blueprint (with -m, pass --source=.).
   * @param config Path of the pipeline config inside the source.
   * @param mirrorToken Token for the artifact mirror, e.g. env://NEXUS_TOKEN.
   * @param mirrorUsername User for the mirror when it wants basic auth.
   */
  constructor(@argument({ defaultPath: "/", ignore: ["**/node_modules", "**/dist", ".git"] }) source: Directory, config = "pipeline.yaml", mirrorToken?: Secret, mirrorUsername = "") {
    this.source = source;
    this.config = config;
    this.mirrorToken = mirrorToken;
    this.mirrorUsername = mirrorUsername;
  }

  /**
   * What a CI event would run: stages in order, parallel jobs, affected components, promotions.
   * @param event One of pull-request, push, tag, promote, rollback, deploy, delete.
   * @param ref The branch (pull-request, push, delete) or the release tag (tag), e.g. main or v1.4.0.
   * @param environment The target environment of a promote, rollback or deploy event, e.g. prod.
   * @param changed Changed files relative to the folder of pipeline.yaml; without them every component counts as affected.
   * @param emergency Plan an emergency promotion (vulnerability gate and upstream rule waived, compatibility kept).
   * @param json Print the plan as JSON instead of text.
   */
  @func()
  async plan(event: string, ref?: string, environment?: string, changed?: string[], emergency = false, json = false): Promise<string> {
    const result = plan(await this.loadConfig(), toEvent({ event, ref, environment, changed, emergency }));
    return json ? `${JSON.stringify(result, null, 2)}\n` : renderPlan(result);
  }

  /** Validate pipeline.yaml and summarise it; fails listing every problem with its line. */
  @func()
  async validate(): Promise<string> {
    return summarise(await this.loadConfig());
  }

  /** The JSON Schema of pipeline.yaml, for editors (yaml-language-server) and other tools. */
  @func()
  configSchema(): string {
    return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  }

  /**
   * Lint and typecheck every component (or the named ones) at once; never cached across runs.
   * @param components Components to check; default: all.
   */
  @func({ cache: "never" })
  async lint(components?: string[]): Promise<CheckRun> {
    const { ctx, names } = await this.prepare(components);
    return checkRun(await runChecks(ctx, names, ["lint", "typecheck"]));
  }

  /**
   * Unit tests of every component (or the named ones) at once, with JUnit reports; never cached across runs.
   * @param components Components to test; default: all.
   */
  @func({ cache: "never" })
  async test(components?: string[]): Promise<CheckRun> {
    const { ctx, names } = await this.prepare(components);
    return checkRun(await runChecks(ctx, names, ["unit"]));
  }

  /** For `dagger check`: lint and typecheck of every component; fails naming each failing component and check. */
  @check()
  @func({ cache: "never" })
  async lintAll(): Promise<void> {
    await (await this.lint()).verify();
  }

  /** For `dagger check`: unit tests of every component; fails naming each failing component and test. */
  @check()
  @func({ cache: "never" })
  async unitTests(): Promise<void> {
    await (await this.test()).verify();
  }

  /**
   * The runtime image of one component, built through the mirror and labelled with the release.
   * @param component A component named in pipeline.yaml.
   * @param revision The full git SHA being built (e.g. $GITHUB_SHA).
   * @param created Build time in RFC 3339 for the image label; pass the commit time. Default: none (repeatable images).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label.
   */
  @func()
  async build(component: string, revision: string, created = "", sourceUrl = ""): Promise<Container> {
    checkRevision(revision);
    const { ctx } = await this.prepare([component]);
    return buildImage(ctx, component, stamp(revision, created, sourceUrl));
  }

  /**
   * Build every component's image and push it tagged with the git SHA; returns each image's address with its digest.
   * @param revision The full git SHA being built (e.g. $GITHUB_SHA).
   * @param registryToken Token for the registry in pipeline.yaml, e.g. env://REGISTRY_TOKEN.
   * @param created Build time in RFC 3339 for the image label; pass the commit time. Default: none (repeatable images).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label.
   * @param signingKey cosign's private key (pipeline.yaml signing.publicKey): each image is signed, with its provenance attested (ci also attests its SBOM and test results).
   * @param signingPassword The private key's password.
   * @param signingToken An OIDC identity token for keyless signing (pipeline.yaml signing.keyless), still valid when the images are signed.
   * @param githubOidcUrl Keyless signing on GitHub Actions: the runner's token endpoint (env://ACTIONS_ID_TOKEN_REQUEST_URL; the job needs permissions id-token: write); cosign asks it for a fresh token when it signs.
   * @param githubOidcToken The endpoint's bearer token (env://ACTIONS_ID_TOKEN_REQUEST_TOKEN).
   */
  // Never cached: a push is a side effect, and a cached answer would report digests without pushing.
  @func({ cache: "never" })
  async publish(
    revision: string,
    registryToken?: Secret,
    created = "",
    sourceUrl = "",
    signingKey?: Secret,
    signingPassword?: Secret,
    signingToken?: Secret,
    githubOidcUrl?: Secret,
    githubOidcToken?: Secret,
  ): Promise<string> {
    checkRevision(revision);
    const { ctx, names } = await this.prepare();
    const secrets = signingSecrets(signingKey, signingPassword, signingToken, githubOidcUrl, githubOidcToken);
    const why = whyCannotSign(ctx.config, secrets);
    if (why) throw new InputError(`publish: cannot publish signed images ${why}`);
    const { address, username } = ctx.config.registry;
    const lookup = engineImageLookup(registryToken && username ? { registry: registryHost(address), username, token: registryToken } : undefined);
    const theStamp = stamp(revision, created, sourceUrl);
    const signing = { secrets, stamp: theStamp, runUrl: "", ...(registryToken ? { registryToken } : {}) };
    return renderImages(
      await publishImages(
        ctx,
        names,
        (name) => buildImage(ctx, name, theStamp),
        revision,
        lookup,
        registryToken,
        (name, ref, reused) => signPublished(ctx, signing, name, ref, reused),
      ),
    );
  }

  /**
   * End-to-end tests of this commit: its images on an ephemeral database migrated by its
   * migration image, tested by Playwright; never cached across runs. Export the Playwright
   * report with `e2e … reports export --path reports`, fail the job with `verify`.
   * @param revision The full git SHA being tested (labels of the images under test).
   * @param releasedMigrations The migrations record of the release in production (JSON from the flyway module's `checksums`): an edited released migration fails the stage.
   */
  @func({ cache: "never" })
  async e2e(revision: string, releasedMigrations?: File): Promise<CheckRun> {
    checkRevision(revision);
    const { ctx, names } = await this.prepare();
    const release = await buildRelease(ctx, names, stamp(revision, "", ""));
    return checkRun([], "", await runE2e(ctx, release, releasedMigrations ? [await releasedMigrations.contents()] : []));
  }

  /**
   * Integration through the application's Aspire AppHost (pipeline.yaml `aspire`): this commit's
   * images in place of their resources, every other resource from the manifest's image (through
   * the mirror), and the E2E tests against the graph; never cached across runs.
   * Another repository's CI tests its new artefact in the whole system with one call:
   * `dagger -m github.com/acme/webshop@<sha> call integration --revision=<sha> --override orders=<image@digest> reports export --path=reports`, then `ci/report.sh reports` for the verdict;
   * reports/evidence.json holds the verdict per overridden digest.
   * @param revision The full git SHA being tested (labels of the images under test).
   * @param override Published images in place of resources, as resource=registry/name:tag@sha256:… (a service repository's artefact under test); such a resource is not built from this repository.
   */
  @func({ cache: "never" })
  async integration(revision: string, override: string[] = []): Promise<CheckRun> {
    checkRevision(revision);
    const published = parsePublishedOverrides(override);
    const { ctx, names } = await this.prepare();
    if (!ctx.config.aspire) throw new InputError(`aspire: ${this.config} has no aspire section; add aspire.manifest (the AppHost's aspire-manifest.json) to run the integration through Aspire`);
    const release = await buildRelease(ctx, names, stamp(revision, "", ""));
    const { outcome, reports } = await runAspireIntegration(ctx, release, published);
    // Another repository's images were tested in the whole system: its pipeline keeps this verdict with their digests.
    const evidence =
      Object.keys(published).length > 0 ? `${JSON.stringify(integrationEvidence(ctx.config.name, revision, published, outcome.status, new Date().toISOString()), null, 2)}\n` : undefined;
    return integrationRun(outcome, reports, evidence);
  }

  /**
   * The pipeline of one CI event, executed from its plan (`plan` shows the same stages): on a push
   * to main, every check of the affected components at once; only if all passed, the images are
   * built (a component whose inputs are already published is reused, not rebuilt), tested end to
   * end and scanned (and run through the Aspire AppHost when pipeline.yaml has one); only if that
   * passed, they are published (with a registry token), the release is recorded and promoted to the
   * environments promoted on push, each through its gates judged on this run's scan reports. A pull
   * request runs the checks of the affected components. Never cached across runs. The summary gives
   * every stage of the plan in order with its verdict (or why it did not start); reports/result.json
   * holds the verdict and what failed for CI wrappers. On a failure (or always, per pipeline.yaml
   * notifications) the team is told by chat and/or e-mail; a notification never changes the verdict.
   * @param revision The full git SHA being built (e.g. $GITHUB_SHA).
   * @param registryToken Token for the registry in pipeline.yaml; without it (or without --branch) images are built and tested but not pushed.
   * @param created Build time in RFC 3339 for the image label; pass the commit time. Default: no creation time (repeatable images).
   * @param sourceUrl Repository URL for the org.opencontainers.image.source label.
   * @param releasedMigrations The migrations record of the release in production: an edited released migration fails E2E.
   * @param gitopsToken Token for the GitOps repository: released migrations are read from it, and on the main branch the release is recorded and promoted to the environments promoted on push.
   * @param branch The branch being built (e.g. $GITHUB_REF_NAME): the run executes the plan of a push to it (main: record and promote; build-only branches: stop after the build; preview branches: publish and write the preview; others: checks only). Empty (a local run): the plan of a push to main, without publishing or recording.
   * @param runUrl The CI run's URL, recorded as who built the release and linked from notifications.
   * @param notifyWebhook The chat webhook URL for notifications (pipeline.yaml notifications.webhook), e.g. env://CHAT_WEBHOOK.
   * @param smtpPassword The SMTP password for e-mail notifications (pipeline.yaml notifications.email), e.g. env://SMTP_PASSWORD.
   * @param event push (default) or pull-request: a pull request runs the checks of the affected components only.
   * @param changed Changed files relative to the folder of pipeline.yaml (the wrappers pass them); without them every component counts as affected.
   * @param signingKey cosign's private key (pipeline.yaml signing.publicKey), e.g. env://COSIGN_KEY: publish signs and attests each image with it.
   * @param signingPassword The private key's password, e.g. env://COSIGN_PASSWORD.
   * @param signingToken An OIDC identity token for keyless signing (pipeline.yaml signing.keyless), still valid when the images are signed (after the build and tests).
   * @param githubOidcUrl Keyless signing on GitHub Actions: the runner's token endpoint (env://ACTIONS_ID_TOKEN_REQUEST_URL; the job needs permissions id-token: write); cosign asks it for a fresh token when it signs.
   * @param githubOidcToken The endpoint's bearer token (env://ACTIONS_ID_TOKEN_REQUEST_TOKEN).
   * @param trivyDb Trivy's vulnerability databases for an air-gapped scan, as `trivy image --download-db-only --cache-dir <dir>` leaves <dir> (db/, optionally java-db/): Trivy then downloads nothing.
   * @param sshKey The private SSH key of Compose environments with a deploy section (environments.<name>.deploy), e.g. env://DEPLOY_SSH_KEY: after the GitOps commit the environment is deployed over SSH.
   * @param argocdToken An Argo CD API token that may read the applications of environments verified with verify.argocd, e.g. env://ARGOCD_TOKEN.
   */
  @func({ cache: "never" })
  async ci(
    revision: string,
    registryToken?: Secret,
    created = "",
    sourceUrl = "",
    releasedMigrations?: File,
    gitopsToken?: Secret,
    branch = "",
    runUrl = "",
    notifyWebhook?: Secret,
    smtpPassword?: Secret,
    event = "push",
    changed?: string[],
    signingKey?: Secret,
    signingPassword?: Secret,
    signingToken?: Secret,
    githubOidcUrl?: Secret,
    githubOidcToken?: Secret,
    trivyDb?: Directory,
    sshKey?: Secret,
    argocdToken?: Secret,
  ): Promise<CheckRun> {
    const signing = signingSecrets(signingKey, signingPassword, signingToken, githubOidcUrl, githubOidcToken);
    const ran = await this.ciRun({
      operations: operations(sshKey, argocdToken),
      revision,
      created,
      sourceUrl,
      branch,
      runUrl,
      event,
      signing,
      ...(changed ? { changed } : {}),
      ...(registryToken ? { registryToken } : {}),
      ...(gitopsToken ? { gitopsToken } : {}),
      ...(releasedMigrations ? { releasedMigrations } : {}),
      ...(trivyDb ? { trivyDb } : {}),
    });
    const run = runOf(ran.facts, ran.extras);
    const notes = await notifyRun(await this.loadConfig(), run, { ...(notifyWebhook ? { webhook: notifyWebhook } : {}), ...(smtpPassword ? { smtpPassword } : {}), runUrl, revision, branch });
    // A notification's outcome goes into the summary; the verdict stays the run's own.
    return notes ? runOf(ran.facts, { ...ran.extras, notes }) : run;
  }

  /** ci without the notifications: the plan of the event, executed through the Dagger ports. */
  private async ciRun(o: {
    revision: string;
    created: string;
    sourceUrl: string;
    branch: string;
    runUrl: string;
    event: string;
    signing: SigningSecrets;
    changed?: string[];
    registryToken?: Secret;
    gitopsToken?: Secret;
    releasedMigrations?: File;
    trivyDb?: Directory;
    operations: Operations;
  }): Promise<{ facts: RunFacts; extras: RunExtras }> {
    checkRevision(o.revision);
    if (o.event !== "push" && o.event !== "pull-request")
      throw new InputError(`event: ${quoted(o.event)} is not an event ci runs; ci runs push or pull-request (tags: dagger call release; promotions: dagger call promote)`);
    const trivyDb = o.trivyDb ? await trivyDatabase(o.trivyDb) : undefined;
    const config = await this.loadConfig();
    const branch = o.branch || config.branches.main;
    const thePlan = plan(config, toEvent({ event: o.event, ref: branch, ...(o.changed ? { changed: o.changed } : {}) }));
    const names = [...new Set(thePlan.stages.flatMap((s) => s.jobs.map((j) => j.component)).filter((c): c is string => c !== undefined))];
    // A run that would publish but cannot sign fails before anything is built: unsigned images would never be promoted.
    const unsigned = whyCannotSign(config, o.signing);
    if (unsigned && o.registryToken && o.branch && thePlan.stages.some((s) => s.name === "publish")) throw new InputError(`signing: cannot publish ${unsigned}`);
    const ctx = await stageContext(config, this.source, this.mirrorToken, this.mirrorUsername);
    await preflight(ctx, names);
    const buildStamp = stamp(o.revision, o.created, o.sourceUrl);
    const ports = await daggerPorts(ctx, {
      stamp: buildStamp,
      branch,
      signing: o.signing,
      runUrl: o.runUrl,
      ...(o.registryToken ? { registryToken: o.registryToken } : {}),
      ...(o.gitopsToken ? { gitopsToken: o.gitopsToken } : {}),
      ...(trivyDb ? { trivyDb } : {}),
      operations: o.operations,
      // Every migration a recorded environment runs must be unchanged: read their releases from GitOps.
      released: async () => [
        ...(o.releasedMigrations ? [await o.releasedMigrations.contents()] : []),
        ...(o.gitopsToken && config.gitops ? await releasedMigrationRecords(config, o.gitopsToken) : []),
      ],
    });
    const run = await executePlan(config, thePlan, ports, {
      revision: o.revision,
      created: buildStamp.created,
      source: o.sourceUrl,
      builtBy: o.runUrl,
      noPublish: !o.registryToken
        ? `because no --registry-token was given${thePlan.flow === "preview" ? ", so there is no preview" : ""}`
        : // Item 18: a local run (no --branch) builds the working tree, uncommitted edits and all: publishing it under the revision's tag would lie.
          !o.branch
          ? `because no --branch was given (a local run builds the working tree, which may differ from ${o.revision.slice(0, 12)}): pass --branch to publish`
          : "",
      noDelivery: !config.gitops ? "because pipeline.yaml has no gitops repository" : o.gitopsToken ? "" : "because no --gitops-token was given",
      migrations: () => migrationRecords(ctx, o.revision),
    });
    const images = Object.fromEntries(Object.entries(run.facts.images ?? {}).map(([name, p]) => [name, p.ref]));
    const published: Record<string, string> = Object.keys(images).length > 0 ? { "compose.yaml": composeFromImages(ctx, images, run.facts.versions ?? {}, o.revision) } : {};
    // Each scanned image's CycloneDX SBOM beside its report (the same document publish attests).
    const sboms = Object.fromEntries(
      Object.entries(run.scans)
        .filter(([, s]) => s.sbom !== "")
        .map(([c, s]) => [`scan/${c}.cdx.json`, s.sbom]),
    );
    const extras: RunExtras = {
      overview: true,
      ...(run.e2eReports ? { e2eReports: run.e2eReports } : {}),
      ...(run.integrationReports ? { integrationReports: run.integrationReports } : {}),
      scans: Object.fromEntries(Object.entries(run.scans).map(([c, s]) => [c, s.report])),
      files: { ...sboms, ...published },
      // What the plan said of this event (why a branch ends after the build, which components are reused).
      sections: `${renderPlanNotes(thePlan)}${run.sections.join("")}`,
    };
    return { facts: { ...run.facts, branch: o.branch, runUrl: o.runUrl }, extras };
  }

  /**
   * The Compose file of a release: database, migration job, every component by digest, health
   * checks and start order; secrets as ${VAR} references only.
   * @param revision The release's git SHA.
   * @param images Every component's published image by digest, as component=registry/name:tag@sha256:… (the output of publish works after cutting it to those two columns).
   */
  @func()
  async compose(revision: string, images: string[]): Promise<string> {
    checkRevision(revision);
    const { ctx, names } = await this.prepare();
    return composeFromImages(ctx, parseImageArguments(images, names), await releaseVersions(ctx, names), revision);
  }

  /**
   * The schema version a live database reports (Flyway's history), for gates such as
   * "backend requires db >=1.1.0" against the real target.
   * @param url Database URL secret, e.g. env://PROD_DATABASE_URL (postgresql://user:password@host:5432/name).
   * @param database The database as a service when it is not reachable by URL from the engine (bound under the URL's host).
   */
  @func({ cache: "never" })
  async databaseVersion(url: Secret, database?: Service): Promise<string> {
    return flywayModule(await this.loadConfig()).schemaVersion(url, { database });
  }

  /**
   * Promote a recorded release to an environment: its exact digests (nothing is rebuilt) into the
   * environment's GitOps files, after the gates. One commit, or one pull request where the
   * environment needs approval (running it again reports the pull request's state). Refusals fail
   * with every gate's verdict; the same promotion twice says "already there".
   * @param env The target environment, e.g. prod.
   * @param revision The release's git SHA; default: the release the environment it follows runs.
   * @param components Components to move; default: all of the release.
   * @param emergency Waive the vulnerability gate and the upstream rule (never compatibility); needs --reason.
   * @param reason Why this is an emergency; written into the commit and the environment's history.
   * @param gitopsToken Token for the GitOps repository and its pull requests, e.g. env://GITOPS_TOKEN.
   * @param scans Trivy JSON reports of the release's images, one <component>.json each; default: with signing, the reports attested at publish for these digests, else a Trivy scan in this call.
   * @param databaseUrl The environment's live database (e.g. env://PROD_DATABASE_URL): its schema version counts for compatibility.
   * @param dryRun Print every gate's verdict and the GitOps diff; write nothing.
   * @param today The date waivers are judged on (YYYY-MM-DD); default: today (UTC).
   * @param registryToken Token for the registry in pipeline.yaml, to pull the release's images for the scan and read their signatures, e.g. env://REGISTRY_TOKEN.
   * @param rescan With signing: scan the release's images again with today's vulnerability databases instead of judging the reports attested at publish.
   * @param trivyDb Trivy's vulnerability databases for an air-gapped scan, as `trivy image --download-db-only --cache-dir <dir>` leaves <dir> (db/, optionally java-db/): Trivy then downloads nothing.
   * @param sshKey The private SSH key of Compose environments with a deploy section (environments.<name>.deploy), e.g. env://DEPLOY_SSH_KEY: after the GitOps commit the environment is deployed over SSH.
   * @param argocdToken An Argo CD API token that may read the applications of environments verified with verify.argocd, e.g. env://ARGOCD_TOKEN.
   * @param notifyWebhook The chat webhook URL (pipeline.yaml notifications.webhook): a failed deploy or verification, and the automatic rollback after it, are told there.
   * @param smtpPassword The SMTP password for e-mail notifications (pipeline.yaml notifications.email).
   */
  @func({ cache: "never" })
  async promote(
    env: string,
    revision = "",
    components: string[] = [],
    emergency = false,
    reason = "",
    gitopsToken?: Secret,
    scans?: Directory,
    databaseUrl?: Secret,
    dryRun = false,
    today = "",
    registryToken?: Secret,
    rescan = false,
    trivyDb?: Directory,
    sshKey?: Secret,
    argocdToken?: Secret,
    notifyWebhook?: Secret,
    smtpPassword?: Secret,
  ): Promise<string> {
    if (revision) checkRevision(revision);
    if (emergency && !reason.trim()) throw new InputError('reason: --emergency needs --reason "…", which is written into the commit and the environment\'s history');
    const database = trivyDb ? await trivyDatabase(trivyDb) : undefined;
    const config = await this.loadConfig();
    const thePlan = plan(config, toEvent({ event: "promote", environment: env, emergency }));
    return this.deliver(config, thePlan, "promote", {
      ...(revision ? { revision } : {}),
      components,
      ...(emergency ? { emergency: reason.trim() } : {}),
      dryRun,
      ...(gitopsToken ? { token: gitopsToken } : {}),
      ...(scans ? { scans } : {}),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(today ? { today } : {}),
      ...(registryToken ? { registryToken } : {}),
      ...(rescan ? { rescan } : {}),
      ...(database ? { trivyDb: database } : {}),
      operations: operations(sshKey, argocdToken),
      notify: { ...(notifyWebhook ? { webhook: notifyWebhook } : {}), ...(smtpPassword ? { smtpPassword } : {}), runUrl: "", revision, branch: "" },
    });
  }

  /**
   * A release tag, in one call: the tag's release page on the host (GitHub or Gitea Releases, when
   * pipeline.yaml has releases) with the notes and files of the release ci recorded for the tagged
   * commit, then its promotion to every environment promoted on a tag. Nothing is rebuilt. A
   * refused promotion fails the call after the page is written.
   * @param tag The release tag, e.g. v1.4.0 ($GITHUB_REF_NAME, $DRONE_TAG).
   * @param revision The tagged commit's full git SHA.
   * @param gitopsToken Token of the GitOps repository (reads the release, writes the promotions), e.g. env://GITOPS_TOKEN.
   * @param releaseToken Token of the application repository's host with release write access (GitHub: the job's GITHUB_TOKEN with contents: write; Gitea: a token with repository write scope).
   * @param repository The application repository's https URL ("$GITHUB_SERVER_URL/$GITHUB_REPOSITORY", $DRONE_REPO_LINK) unless pipeline.yaml releases.repository names it.
   * @param databaseUrl The live database of the environment promoted on a tag, for the compatibility gate.
   * @param dryRun Show the page and the promotions' verdicts; nothing is written.
   * @param scans Trivy JSON reports of the release's images, one <component>.json each, for the vulnerability gate of the promotions; default: with signing, the reports attested at publish for these digests, else a Trivy scan in this call.
   * @param registryToken Token for the registry in pipeline.yaml, to pull the release's images for the scan and read their signatures, e.g. env://REGISTRY_TOKEN.
   * @param rescan With signing: scan the release's images again with today's vulnerability databases instead of judging the reports attested at publish.
   * @param trivyDb Trivy's vulnerability databases for an air-gapped scan, as `trivy image --download-db-only --cache-dir <dir>` leaves <dir> (db/, optionally java-db/): Trivy then downloads nothing.
   * @param sshKey The private SSH key of Compose environments with a deploy section (environments.<name>.deploy), e.g. env://DEPLOY_SSH_KEY: after the GitOps commit the environment is deployed over SSH.
   * @param argocdToken An Argo CD API token that may read the applications of environments verified with verify.argocd, e.g. env://ARGOCD_TOKEN.
   * @param notifyWebhook The chat webhook URL (pipeline.yaml notifications.webhook): a failed deploy or verification, and the automatic rollback after it, are told there.
   * @param smtpPassword The SMTP password for e-mail notifications (pipeline.yaml notifications.email).
   */
  @func({ cache: "never" })
  async release(
    tag: string,
    revision: string,
    gitopsToken?: Secret,
    releaseToken?: Secret,
    repository = "",
    databaseUrl?: Secret,
    dryRun = false,
    scans?: Directory,
    registryToken?: Secret,
    rescan = false,
    trivyDb?: Directory,
    sshKey?: Secret,
    argocdToken?: Secret,
    notifyWebhook?: Secret,
    smtpPassword?: Secret,
  ): Promise<string> {
    checkRevision(revision);
    const database = trivyDb ? await trivyDatabase(trivyDb) : undefined;
    const config = await this.loadConfig();
    // The tag must be a semantic version, as the plan requires; the run is the plan of that tag.
    const thePlan = plan(config, toEvent({ event: "tag", ref: tag }));
    if (thePlan.stages.length === 0) return `Release ${tag}: nothing to do: pipeline.yaml has no releases section and no environment promoted on a tag.\n`;
    const sections = await this.deliver(config, thePlan, "release", {
      revision,
      automatic: true,
      dryRun,
      page: { tag, repository, ...(releaseToken ? { releaseToken } : {}) },
      ...(gitopsToken ? { token: gitopsToken } : {}),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(scans ? { scans } : {}),
      ...(registryToken ? { registryToken } : {}),
      ...(rescan ? { rescan } : {}),
      ...(database ? { trivyDb: database } : {}),
      operations: operations(sshKey, argocdToken),
      notify: { ...(notifyWebhook ? { webhook: notifyWebhook } : {}), ...(smtpPassword ? { smtpPassword } : {}), runUrl: "", revision, branch: "" },
    });
    return `# Release ${tag}\n${sections}`;
  }

  /**
   * Roll an environment back through the same gates: by default to the newest earlier release it
   * ran whose requires the live database schema still satisfies (migrations are forward-only; the
   * database component stays), never to a release it was rolled back from, so a second rollback
   * goes further back. Recorded in the environment's history and the commit's trailers.
   * @param env The environment, e.g. prod.
   * @param to The release to go back to: its git SHA (or a unique prefix of 7+ digits) among the releases the environment ran.
   * @param gitopsToken Token for the GitOps repository, e.g. env://GITOPS_TOKEN.
   * @param databaseUrl The environment's live database: its schema version counts for compatibility.
   * @param dryRun Print the verdicts and the diff; write nothing.
   * @param registryToken Token for the registry in pipeline.yaml, to read the signatures of the release rolled back to (pipeline.yaml signing), e.g. env://REGISTRY_TOKEN.
   * @param sshKey The private SSH key of Compose environments with a deploy section (environments.<name>.deploy), e.g. env://DEPLOY_SSH_KEY: after the GitOps commit the environment is deployed over SSH.
   * @param argocdToken An Argo CD API token that may read the applications of environments verified with verify.argocd, e.g. env://ARGOCD_TOKEN.
   */
  @func({ cache: "never" })
  async rollback(env: string, to = "", gitopsToken?: Secret, databaseUrl?: Secret, dryRun = false, registryToken?: Secret, sshKey?: Secret, argocdToken?: Secret): Promise<string> {
    const config = await this.loadConfig();
    return this.deliver(config, plan(config, toEvent({ event: "rollback", environment: env })), "rollback", {
      dryRun,
      ...(to ? { to } : {}),
      ...(gitopsToken ? { token: gitopsToken } : {}),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(registryToken ? { registryToken } : {}),
      operations: operations(sshKey, argocdToken),
    });
  }

  /**
   * Deploy an environment as the GitOps repository says it runs (its files at the branch's tip),
   * then verify it: for a Compose environment with a deploy section, docker compose pull and up
   * over SSH until every service is healthy; with a verify section, the health endpoints and smoke
   * specs, rolling back automatically on a failure (verify.rollback). Run by the GitOps
   * repository's own push for environments written by pull request (ci/github/gitops-deploy.yml).
   * @param env The environment, e.g. prod.
   * @param sshKey The private SSH key of environments.<env>.deploy's user, e.g. env://DEPLOY_SSH_KEY.
   * @param gitopsToken Token for the GitOps repository (reads it; writes it only for an automatic rollback), e.g. env://GITOPS_TOKEN.
   * @param argocdToken An Argo CD API token that may read the environment's application (verify.argocd), e.g. env://ARGOCD_TOKEN.
   * @param databaseUrl The environment's live database: its schema version counts when an automatic rollback chooses its target.
   * @param registryToken Token for the registry in pipeline.yaml, to read the signatures of a release rolled back to (pipeline.yaml signing).
   * @param notifyWebhook The chat webhook URL (pipeline.yaml notifications.webhook): a failed deploy or verification, and the automatic rollback after it, are told there.
   * @param smtpPassword The SMTP password for e-mail notifications (pipeline.yaml notifications.email).
   * @param runUrl The CI run's URL, linked from notifications.
   */
  @func({ cache: "never" })
  async deploy(
    env: string,
    sshKey?: Secret,
    gitopsToken?: Secret,
    argocdToken?: Secret,
    databaseUrl?: Secret,
    registryToken?: Secret,
    notifyWebhook?: Secret,
    smtpPassword?: Secret,
    runUrl = "",
  ): Promise<string> {
    const config = await this.loadConfig();
    return this.deliver(config, plan(config, toEvent({ event: "deploy", environment: env })), "deploy", {
      dryRun: false,
      ...(gitopsToken ? { token: gitopsToken } : {}),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(registryToken ? { registryToken } : {}),
      operations: operations(sshKey, argocdToken),
      notify: { ...(notifyWebhook ? { webhook: notifyWebhook } : {}), ...(smtpPassword ? { smtpPassword } : {}), runUrl, revision: "", branch: "" },
    });
  }

  /**
   * Verify an environment against what its state in the GitOps repository says it runs: Argo CD
   * synced and healthy (verify.argocd), every health endpoint reporting its component's version,
   * then the smoke specs against verify.url. Fails when any does; changes nothing (no rollback).
   * @param env The environment, e.g. prod.
   * @param gitopsToken Token for the GitOps repository, e.g. env://GITOPS_TOKEN.
   * @param argocdToken An Argo CD API token that may read the environment's application (verify.argocd), e.g. env://ARGOCD_TOKEN.
   */
  @func({ cache: "never" })
  async verify(env: string, gitopsToken?: Secret, argocdToken?: Secret): Promise<string> {
    const config = await this.loadConfig();
    const deployment = plan(config, toEvent({ event: "deploy", environment: env }));
    const verifyOnly = { ...deployment, stages: deployment.stages.filter((s) => s.name === "verify") };
    if (verifyOnly.stages.length === 0) throw new InputError(`env: ${env} has no verify section in pipeline.yaml (environments.${env}.verify): nothing to verify`);
    return this.deliver(config, verifyOnly, "verify", { dryRun: false, ...(gitopsToken ? { token: gitopsToken } : {}), operations: operations(undefined, argocdToken) });
  }

  /**
   * Freeze an environment (a flag in its state in the GitOps repository, one commit): every
   * promotion to it is refused with the reason until the freeze is lifted; a rollback and an
   * emergency promotion pass, recorded. Freeze windows can also be set in pipeline.yaml.
   * @param env The environment, e.g. prod.
   * @param reason Why (one line), shown in every refused promotion, e.g. "year-end change freeze".
   * @param lift Lift the freeze instead.
   * @param gitopsToken Token for the GitOps repository, e.g. env://GITOPS_TOKEN.
   * @param dryRun Say what would be written; write nothing.
   */
  @func({ cache: "never" })
  async freeze(env: string, reason = "", lift = false, gitopsToken?: Secret, dryRun = false): Promise<string> {
    return freeze(await this.loadConfig(), { environment: env, reason, lift, dryRun, ...(gitopsToken ? { token: gitopsToken } : {}) });
  }

  /**
   * Create or update a branch's preview environment (namespace preview-<branch>, a Kustomize overlay
   * in the GitOps repository), or remove it.
   * @param branch The branch, e.g. feature/new-checkout.
   * @param images The branch build's images, as component=registry/name:<sha>@sha256:<digest>.
   * @param remove Remove the preview (the branch was deleted).
   * @param gitopsToken Token for the GitOps repository, e.g. env://GITOPS_TOKEN.
   * @param dryRun Print the diff; write nothing.
   */
  @func({ cache: "never" })
  async preview(branch: string, images: string[] = [], remove = false, gitopsToken?: Secret, dryRun = false): Promise<string> {
    const config = await this.loadConfig();
    return preview(config, { branch, images: remove ? {} : parseImageArguments(images, Object.keys(config.components)), remove, dryRun, ...(gitopsToken ? { token: gitopsToken } : {}) });
  }

  /**
   * Remove the preview environments of branches that no longer exist, in one commit: for CI hosts
   * with no branch-deletion event (Drone), run on a schedule with the repository's live branches.
   * @param branches Every live branch of the repository (e.g. from git ls-remote --heads); an empty list is refused.
   * @param gitopsToken Token for the GitOps repository, e.g. env://GITOPS_TOKEN.
   * @param dryRun Print which previews would go; write nothing.
   */
  @func({ cache: "never" })
  async prunePreviews(branches: string[], gitopsToken?: Secret, dryRun = false): Promise<string> {
    return prunePreviews(await this.loadConfig(), { liveBranches: branches, dryRun, ...(gitopsToken ? { token: gitopsToken } : {}) });
  }

  /**
   * Run a plan that builds nothing (a tag, a promotion, a rollback) through the delivery ports:
   * what each stage wrote, in order; a refusal fails the call with everything done before it.
   */
  private async deliver(config: PipelineConfig, thePlan: Plan, run: string, o: DeliveryOptions): Promise<string> {
    const trust = await readSigningTrust(config, this.source);
    // The smoke specs need the application's E2E project: its context is built only when a verification runs them.
    const smoke = (target: SmokeTarget) => stageContext(config, this.source, this.mirrorToken, this.mirrorUsername).then((ctx) => runSmoke(ctx, target));
    const { ports, errors } = deliveryPorts(config, { ...o, trust, smoke });
    const done = await executePlan(config, thePlan, ports, { run, revision: o.revision ?? "", created: "", source: "", builtBy: "", noPublish: "", noDelivery: "", migrations: async () => ({}) });
    const text = done.sections.join("");
    const failed = Object.entries(done.facts.stages ?? {}).filter(([, v]) => v?.status === "failed");
    // A failed deploy or verification (and the automatic rollback after it) is told to the team, whatever else failed.
    const told = failed.some(([stage]) => stage === "deploy" || stage === "verify") && o.notify ? await notifyRun(config, runOf(done.facts), o.notify) : "";
    if (errors.length > 0) {
      // What was already done (the page, earlier promotions) stays in the message of the failure.
      const [first] = errors;
      first.message = `${text.trim() || first.message}${told ? `\n${told}` : ""}`;
      throw first;
    }
    // A deploy or verification that failed (after any automatic rollback) fails the call, with everything it did.
    if (failed.length > 0) throw new Error(`${text.trim()}\n\n${failed.map(([stage, v]) => `${stage}: ${v?.note}`).join("\n")}${told ? `\n${told}` : ""}`);
    return text;
  }

  /** Load and check everything a stage needs before any container runs. */
  private async prepare(components?: string[]): Promise<{ ctx: StageContext; names: string[] }> {
    const config = await this.loadConfig();
    const names = selectComponents(config, components);
    const ctx = await stageContext(config, this.source, this.mirrorToken, this.mirrorUsername);
    await preflight(ctx, names);
    return { ctx, names };
  }

  private async loadConfig(): Promise<PipelineConfig> {
    return parseConfig(await this.source.file(this.config).contents(), this.config);
  }
}

/** The secrets of deploy and verify a call was given. */
function operations(sshKey?: Secret, argocdToken?: Secret): Operations {
  return { ...(sshKey ? { sshKey } : {}), ...(argocdToken ? { argocdToken } : {}) };
}

/** The plan's flow and notes, as a section of ci's summary. */
function renderPlanNotes(p: Plan): string {
  return `\n## Plan\n\nFlow: ${p.flow}${p.notes.length > 0 ? `\n\n${p.notes.map((n) => `- ${n}`).join("\n")}` : ""}\n`;
}

/** The signing secrets a call was given. */
function signingSecrets(key?: Secret, password?: Secret, identityToken?: Secret, githubOidcUrl?: Secret, githubOidcToken?: Secret): SigningSecrets {
  if ((githubOidcUrl === undefined) !== (githubOidcToken === undefined))
    throw new InputError("github-oidc-url, github-oidc-token: give both (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN) or neither");
  return {
    ...(key ? { key } : {}),
    ...(password ? { password } : {}),
    ...(identityToken ? { identityToken } : {}),
    ...(githubOidcUrl && githubOidcToken ? { githubOidc: { url: githubOidcUrl, token: githubOidcToken } } : {}),
  };
}

/** The release stamp; an empty created leaves the creation label empty, so the same inputs give the same image. */
function stamp(revision: string, created: string, sourceUrl: string): BuildStamp {
  // No "now" default: build and publish results are cached by their arguments, so a clock read inside them would be frozen (and images would differ by build time).
  // The source URL becomes a build argument and an image label, both plain text: one carrying credentials is refused.
  const secretBearing = credentialProblem("source-url", sourceUrl);
  if (secretBearing !== undefined) throw new InputError(secretBearing);
  return { revision, created, sourceUrl };
}
