/**
 * The engine's rules the harness keeps, each read in dagger/dagger at v0.21.9 (see README.md here
 * for the files): function caching by policy, sessions, secrets kept by value, git remote reads
 * cached per session, execs cached by their inputs. Counts every function execution, so a test can
 * say how often a side effect happened. Rules (d), (e), (g) on containers are applied by
 * container-rules.ts, which records here the services started and the images published.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import type { Chain } from "../recorder/types.js";
import type { PublishRecord, ServiceRecord } from "./container-rules.js";
import { type CachePolicy as ModelPolicy, FunctionCache } from "./engine/function-cache.js";
import { GitRemoteReads } from "./engine/git-remote-reads.js";
import { ImageResolution } from "./engine/image-resolution.js";
import type { MemoryRegistry } from "./registry.js";
import type { CachePolicy } from "./policies.js";

/** `git ls-remote` of a repository on this machine: ref → commit. */
function lsRemote(repo: string): Record<string, string> {
  const out = execFileSync("git", ["ls-remote", repo], { encoding: "utf8" });
  return Object.fromEntries(
    out
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t").reverse() as [string, string]),
  );
}

/** One execution of a module function (a cache miss). */
export interface Execution {
  module: string;
  object: string;
  fn: string;
  /** The call's cache key: receiver chain and arguments, rendered. */
  key: string;
  session: number;
}

/** What a model of a rule may be switched to, so a mutant test can show the rule catching its defect. */
export interface EngineRules {
  /** `cache: "never"` executes again for every query that selects through it (false: the mutant that caches it). */
  neverExecutesPerQuery: boolean;
  /** Functions without `cache` are served from the cache by their inputs, across sessions (false: the mutant that always executes). */
  defaultCachesAcrossSessions: boolean;
  /** Branch reads of a git remote are resolved once per session (false: the mutant that always reads the live tip). */
  gitReadsCachedPerSession: boolean;
  /** Rule (d): dockerBuild's result carries the build's secrets (false: engine/docker-build-secrets.ts's "secrets-dropped-after-build"). */
  buildSecretsKept?: boolean;
  /** Rule (e): a HEALTHCHECK decides when a service has started (false: engine/service-start.ts's "ports-only"). */
  healthcheckDecidesStart?: boolean;
  /** Rule (g): container output is scrubbed of the exec's secret values (false: returned as it is). */
  outputScrubbed?: boolean;
}

/** The rules as the engine has them. */
export const ENGINE_RULES: EngineRules = {
  neverExecutesPerQuery: true,
  defaultCachesAcrossSessions: true,
  gitReadsCachedPerSession: true,
  buildSecretsKept: true,
  healthcheckDecidesStart: true,
  outputScrubbed: true,
};

/** State that outlives a session, as the engine's cache does. */
export class Engine {
  session = 0;
  readonly executions: Execution[] = [];
  /** Services started, with what their containers carried and when the engine counts them started: rules (d), (e) (container-rules.ts). */
  readonly services: ServiceRecord[] = [];
  /** Images published, with the secrets their containers carried: rule (d) (container-rules.ts). */
  readonly published: PublishRecord[] = [];
  private readonly functionCache: FunctionCache;
  private readonly remoteReads: GitRemoteReads;
  private readonly secrets = new Map<string, string>();
  private readonly execs = new Map<string, Promise<{ stdout: string; stderr: string; code: number }>>();
  /**
   * Where image tags outside the harness's registry point now, by normalised reference
   * (`docker.io/library/node:22-bookworm-slim`); a test sets one to model a base image that moved
   * upstream. Unset tags point to a digest derived from their name.
   */
  readonly upstream = new Map<string, string>();
  private registry?: MemoryRegistry;
  /** `Container.from(…).imageRef()`: rule (h), engine/image-resolution.ts. */
  readonly images = new ImageResolution((ref) => this.whereImageIs(ref));

  constructor(readonly rules: EngineRules = ENGINE_RULES) {
    const mutant = !rules.neverExecutesPerQuery ? "never-cached-per-session" : !rules.defaultCachesAcrossSessions ? "default-cached-per-session" : undefined;
    this.functionCache = new FunctionCache(() => Date.now() / 1000, mutant);
    this.remoteReads = new GitRemoteReads(lsRemote, rules.gitReadsCachedPerSession ? undefined : "uncached");
  }

  /** Start the next session (a `dagger call`): session-scoped caches no longer apply. */
  newSession(): number {
    return ++this.session;
  }

  /**
   * Run a module function under its cache policy, by the model of rule (b) (engine/function-cache.ts:
   * the key is module, receiver, function and arguments; "never" adds a per-call input, "session"
   * the session, the default nothing, up to the 7-day TTL). Every execution is counted here.
   */
  call<T>(policy: CachePolicy, e: Omit<Execution, "session">, run: () => Promise<T>): Promise<T> {
    const key = { module: e.module, receiver: e.object, fn: e.fn, args: e.key };
    return this.functionCache.call(key, (policy || "default") as ModelPolicy, String(this.session), () => {
      this.executions.push({ ...e, session: this.session });
      return run();
    });
  }

  /** How many times a function ran, e.g. count("gitops", "push"). */
  count(module: string, fn: string): number {
    return this.executions.filter((x) => x.module === module && x.fn === fn).length;
  }

  /** Keep a secret's plaintext by name (setSecret): the recorded chains never carry it. */
  setSecret(name: string, plaintext: string): void {
    this.secrets.set(name, plaintext);
  }

  /** The plaintext of a secret chain: setSecret(name), or secret(uri: "env://NAME"). */
  secretValue(chain: Chain): string | undefined {
    const c = chain[chain.length - 1];
    if (c?.field === "setSecret") return this.secrets.get(String(c.args.name));
    if (c?.field === "secret" && typeof c.args.uri === "string" && c.args.uri.startsWith("env://")) return process.env[c.args.uri.slice(6)];
    return undefined;
  }

  /** Every secret value the session knows, for scrubbing (exact values only, as the engine does). */
  secretValues(): string[] {
    return [...this.secrets.values()].filter((v) => v.length > 0);
  }

  /** The registry the harness pushes to: its tags are resolved there (a missing one fails). */
  useRegistry(registry: MemoryRegistry | undefined): void {
    this.registry = registry;
  }

  private whereImageIs(ref: string): string | undefined {
    const registry = this.registry;
    if (registry && ref.startsWith(`${registry.address}/`)) {
      const at = ref.lastIndexOf(":");
      return registry.resolve(ref.slice(registry.address.length + 1, at), ref.slice(at + 1));
    }
    return this.upstream.get(ref) ?? `sha256:${createHash("sha256").update(`upstream ${ref}`).digest("hex")}`;
  }

  /** A ref of a repository on this machine as this session sees it: rule (f), engine/git-remote-reads.ts (the listing is read once per session). */
  resolveRemoteRef(repo: string, ref: string): string {
    return this.remoteReads.read(String(this.session), repo, ref) ?? "";
  }

  /** An exec's outcome, run once per exec chain (BuildKit caches an exec by its inputs). */
  memoExec(key: string, run: () => Promise<{ stdout: string; stderr: string; code: number }>): Promise<{ stdout: string; stderr: string; code: number }> {
    let r = this.execs.get(key);
    if (!r) {
      r = run();
      this.execs.set(key, r);
    }
    return r;
  }
}
