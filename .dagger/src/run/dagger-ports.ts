/**
 * The one place where a run's ports are built from `dag`: the toolchain modules, the registry, the
 * E2E and Aspire stages, Trivy, and the GitOps repository. Everything else in run/ is plain
 * TypeScript over the ports (run/ports.ts).
 */
import { type Container, dag, type Directory, type Secret } from "@dagger.io/dagger";
import { inSpan } from "../progress.js";
import { findReusable } from "../registry/reuse.js";
import { inputTag } from "../registry/tags.js";
import { releasePath, renderReleaseRecord } from "../release/record.js";
import { runAspireIntegration } from "../stages/aspire.js";
import { buildImages } from "../stages/images.js";
import { type BuildStamp, buildImage, releaseVersions } from "../stages/build.js";
import { runChecks } from "../stages/checks.js";
import type { StageContext } from "../stages/context.js";
import { runE2e } from "../stages/e2e.js";
import { inputHash } from "../stages/inputs.js";
import { GatesRefused, GitopsSession, landed, promote, preview, WriteFailed } from "../stages/promote.js";
import { publishComponent, registryClient, registryHost } from "../stages/publish.js";
import { signPublished } from "../stages/attest.js";
import { imageVerifier, readSigningTrust, type SigningSecrets, type SigningTrust } from "../stages/sign.js";
import { scanImage, type TrivyDatabase } from "../stages/scan.js";
import { publishReleasePage } from "../stages/release-page.js";
import { engineImageLookup } from "./engine-images.js";
import { InputError } from "../errors.js";
import type { NotifyContext } from "../stages/notify.js";
import { DeployFailed, deployEnvironment } from "../stages/deploy.js";
import { type OperateOptions, recoverEnvironment, verifyEnvironment } from "../stages/operate.js";
import { runSmoke } from "../verify/smoke.js";
import type { Delivered, Operated, RunPorts } from "./ports.js";

/** What the Dagger ports need besides the stage context. */
export interface DaggerPortOptions {
  stamp: BuildStamp;
  registryToken?: Secret;
  gitopsToken?: Secret;
  /** The branch a preview is written for. */
  branch: string;
  /** Migrations records of released releases: an edited released migration fails E2E. */
  released: () => Promise<string[]>;
  /** The signing key or identity token (pipeline.yaml signing). */
  signing?: SigningSecrets;
  /** The CI run's link, for the attestations. */
  runUrl?: string;
  /** The user's Trivy databases (--trivy-db): the scans download none. */
  trivyDb?: TrivyDatabase;
  /** After the GitOps write: the SSH key of Compose environments with a deploy section, and Argo CD's API token (verify.argocd). */
  operations?: Operations;
}

/** The secrets of deploy and verify. */
export interface Operations {
  sshKey?: Secret;
  argocdToken?: Secret;
}

/** The deploy, verify and recover ports over one GitOps session (reads see this call's pushes). */
function operationPorts(
  config: StageContext["config"],
  session: GitopsSession,
  token: Secret | undefined,
  ops: Operations,
  promotion: OperateOptions["promotion"],
  smoke: OperateOptions["smoke"],
): Pick<RunPorts<Container, Directory>, "deploy" | "verify" | "recover"> {
  const o: OperateOptions = { session, promotion, ...(token ? { token } : {}), ...(ops.argocdToken ? { argocdToken: ops.argocdToken } : {}), ...(smoke ? { smoke } : {}) };
  const failed = (e: Error): Operated => ({
    landed: false,
    text: e.message,
    refused: e instanceof DeployFailed ? `failed: ${e.failed.join(", ")}` : `failed (${e.message.split("\n")[0]})`,
    ...(e instanceof InputError ? { unjudged: true } : {}),
  });
  return {
    deploy: async (environment) => {
      const sshKey = ops.sshKey;
      if (!sshKey)
        return failed(
          new InputError(
            `ssh-key: environments.${environment}.deploy deploys over SSH: pass --ssh-key env://DEPLOY_SSH_KEY (the private key of ${config.environments[environment]?.deploy?.user ?? "its user"})`,
          ),
        );
      const gitops = config.gitops as NonNullable<typeof config.gitops>;
      return deployEnvironment(config, environment, { sshKey, ...(token ? { token } : {}), view: session.view(gitops.repository, gitops.branch, token) }).then(
        (text): Operated => ({ landed: true, text }),
        failed,
      );
    },
    verify: (environment) => verifyEnvironment(config, environment, o).catch(failed),
    recover: (environment, why, liveSchema) => recoverEnvironment(config, environment, why, liveSchema, o),
  };
}

/** The ports of one run on a Dagger engine. */
export async function daggerPorts(ctx: StageContext, o: DaggerPortOptions): Promise<RunPorts<Container, Directory>> {
  const { address, username } = ctx.config.registry;
  const registry = await registryClient(ctx.config, o.registryToken);
  const tags = new Map<string, Promise<string>>();
  const tagOf = (c: string) => {
    if (!tags.has(c)) tags.set(c, inputHash(ctx, c).then(inputTag));
    return tags.get(c) as Promise<string>;
  };
  // Reads after our own push in this call must see it (the engine caches branch reads per session).
  const gitops = new GitopsSession();
  const auth = (image: Container) => (o.registryToken && username ? image.withRegistryAuth(registryHost(address), username, o.registryToken) : image);
  const lookup = engineImageLookup(o.registryToken && username ? { registry: registryHost(address), username, token: o.registryToken } : undefined);
  const login = o.registryToken && username ? { host: registryHost(address), username, token: o.registryToken } : undefined;
  const trust = await readSigningTrust(ctx.config, ctx.source);
  const verify = imageVerifier(ctx.config, trust, login);
  const delivered = (text: string): Delivered => ({ landed: true, text });
  const refused = (e: Error): Delivered => ({
    landed: false,
    text: e.message,
    refused: e instanceof WriteFailed ? `not written (${e.status})` : e instanceof GatesRefused ? `refused by ${e.gates.join(", ")}` : `failed (${e.message.split("\n")[0]})`,
  });

  return {
    span: (stage, fn) => inSpan([stage], fn),
    check: async (component, step) => (await runChecks(ctx, [component], [step]))[0],
    versions: (components) => releaseVersions(ctx, components),
    // Asked of the engine; a registry it cannot ask (offline, no credentials) means: build it.
    findPublished: async (component) => findReusable(lookup, `${address}/${component}`, await tagOf(component)),
    pull: (ref) => auth(dag.container()).from(ref),
    async build(component) {
      const image = await buildImage(ctx, component, o.stamp);
      const [outcome] = await buildImages({ [component]: image });
      return { image, outcome };
    },
    e2e: async (images, versions) => runE2e(ctx, { images, versions }, await o.released()),
    integration: (images, versions) => inSpan(["integration", "aspire"], () => runAspireIntegration(ctx, { images, versions })),
    scan: (component, image) => inSpan(["scan", component], () => scanImage(ctx.config, image, o.trivyDb)),
    async publish(component, image, evidence) {
      const target = { ctx, client: registry, revision: o.stamp.revision, ...(o.registryToken ? { token: o.registryToken } : {}) };
      const ref = await publishComponent(target, component, image.image, await tagOf(component), image.reused);
      await signPublished(
        ctx,
        { secrets: o.signing ?? {}, stamp: o.stamp, runUrl: o.runUrl ?? "", ...(o.registryToken ? { registryToken: o.registryToken } : {}) },
        component,
        ref,
        image.reused !== undefined,
        evidence,
      );
      return ref;
    },
    async record(release) {
      const config = ctx.config;
      const target = config.gitops as NonNullable<typeof config.gitops>;
      const files = dag.directory().withNewFile(releasePath(release.revision), renderReleaseRecord(release));
      const message = `record release ${release.revision.slice(0, 12)}\n\n${Object.entries(release.components)
        .map(([n, c]) => `${n} ${c.version}`)
        .join("\n")}\n\nRelease: ${release.revision}\n`;
      return gitops
        .push(config, target.repository, target.branch, files, message, o.gitopsToken)
        .then((pushed) => landed(pushed, `release record ${releasePath(release.revision)}`))
        .then(delivered, refused);
    },
    releasePage: async () => ({ landed: false, text: "the release page is written by dagger call release", refused: "not a stage of ci" }),
    promote: (environment, release, scans) =>
      promote(ctx.config, {
        environment,
        ...(release ? { revision: release.revision, record: release } : {}),
        // ci promotes on a push: automatic, so a hold (after an automatic rollback) stops it.
        automatic: true,
        dryRun: false,
        session: gitops,
        scans: Object.entries(scans).reduce((d, [c, s]) => d.withNewFile(`${c}.json`, s.report), dag.directory()),
        imageIds: Object.fromEntries(Object.entries(scans).map(([c, s]) => [c, s.imageId])),
        ...(verify ? { verify } : {}),
        trust,
        ...(o.gitopsToken ? { token: o.gitopsToken } : {}),
      }).then(delivered, refused),
    preview: (images) => preview(ctx.config, { branch: o.branch, images, remove: false, dryRun: false, ...(o.gitopsToken ? { token: o.gitopsToken } : {}) }).then(delivered, refused),
    ...operationPorts(ctx.config, gitops, o.gitopsToken, o.operations ?? {}, { ...(verify ? { verify } : {}), trust }, (target) => runSmoke(ctx, target)),
  };
}

/** What release, promote and rollback pass to their ports: the promotion's options and the release page's. */
export interface DeliveryOptions {
  revision?: string;
  /** Started by a tag (release), not by a person: a hold stops it. */
  automatic?: boolean;
  /** rollback --to: the release to go back to. */
  to?: string;
  components?: string[];
  emergency?: string;
  dryRun: boolean;
  token?: Secret;
  scans?: Directory;
  databaseUrl?: Secret;
  today?: string;
  /** The tag's release page (release only). */
  page?: { tag: string; repository: string; releaseToken?: Secret };
  /** Token for the registry in pipeline.yaml, to pull the release's images for the scan and read their signatures. */
  registryToken?: Secret;
  /** What signature verification trusts (pipeline.yaml signing), read from the repository. */
  trust?: SigningTrust;
  /** With signing: scan the release's images again instead of judging the reports attested at publish. */
  rescan?: boolean;
  /** The user's Trivy databases (--trivy-db): the scans download none. */
  trivyDb?: TrivyDatabase;
  /** After the GitOps write: the SSH key and Argo CD token. */
  operations?: Operations;
  /** Run the smoke specs (verify.url): built from the application's source by the caller. */
  smoke?: OperateOptions["smoke"];
  /** Who to tell when a deploy or verification fails (pipeline.yaml notifications). */
  notify?: NotifyContext;
}

/**
 * The ports of a run that builds nothing (release, promote, rollback: the plan has only release
 * and promote stages). A refusal is kept, so the call fails with it after the run said what it did.
 */
export function deliveryPorts(config: StageContext["config"], o: DeliveryOptions): { ports: RunPorts<Container, Directory>; errors: Error[] } {
  const errors: Error[] = [];
  const session = new GitopsSession();
  const { address, username } = config.registry;
  const pull = (ref: string) => (o.registryToken && username ? dag.container().withRegistryAuth(registryHost(address), username, o.registryToken) : dag.container()).from(ref);
  // Without --scans, the vulnerability gate judges a Trivy scan of the release's published images, made in this run.
  const scan = (component: string, ref: string) => inSpan(["promote", "scan", component], () => scanImage(config, pull(ref), o.trivyDb));
  const verify = imageVerifier(config, o.trust ?? {}, o.registryToken && username ? { host: registryHost(address), username, token: o.registryToken } : undefined);
  const notInPlan = (what: string) => () => {
    throw new Error(`${what}: not a stage of this plan`);
  };
  const kept = (e: Error): Delivered => {
    errors.push(e);
    return {
      landed: false,
      text: e.message,
      refused: e instanceof GatesRefused ? `refused by ${e.gates.join(", ")}` : e instanceof WriteFailed ? `not written (${e.status})` : `failed (${e.message.split("\n")[0]})`,
    };
  };
  const ports: RunPorts<Container, Directory> = {
    span: (stage, fn) => inSpan([stage], fn),
    check: notInPlan("check"),
    versions: notInPlan("versions"),
    findPublished: notInPlan("findPublished"),
    pull: notInPlan("pull"),
    build: notInPlan("build"),
    e2e: notInPlan("e2e"),
    integration: notInPlan("integration"),
    scan: notInPlan("scan"),
    publish: notInPlan("publish"),
    record: notInPlan("record"),
    preview: notInPlan("preview"),
    releasePage: () =>
      publishReleasePage(config, {
        tag: o.page?.tag ?? "",
        revision: o.revision ?? "",
        repository: o.page?.repository ?? "",
        dryRun: o.dryRun,
        ...(o.token ? { gitopsToken: o.token } : {}),
        ...(o.page?.releaseToken ? { releaseToken: o.page.releaseToken } : {}),
      }).then((text): Delivered => ({ landed: true, text }), kept),
    promote: (environment, _release, _scans, rollback) =>
      promote(config, {
        environment,
        ...(o.revision && !rollback ? { revision: o.revision } : {}),
        ...(o.components ? { components: o.components } : {}),
        ...(o.emergency !== undefined ? { emergency: o.emergency } : {}),
        ...(rollback ? { rollback: true, ...(o.to ? { to: o.to } : {}) } : {}),
        ...(o.automatic ? { automatic: true } : {}),
        dryRun: o.dryRun,
        session,
        ...(o.token ? { token: o.token } : {}),
        ...(o.scans ? { scans: o.scans } : { scan }),
        ...(verify ? { verify } : {}),
        ...(o.rescan ? { rescan: true } : {}),
        ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
        ...(o.today ? { today: o.today } : {}),
        ...(o.trust ? { trust: o.trust } : {}),
      }).then((text): Delivered => ({ landed: true, text }), kept),
    ...operationPorts(
      config,
      session,
      o.token,
      o.operations ?? {},
      { ...(verify ? { verify } : {}), ...(o.trust ? { trust: o.trust } : {}), ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}) },
      o.smoke,
    ),
  };
  return { ports, errors };
}
