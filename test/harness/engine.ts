/**
 * The engine's rules the harness keeps, each read in dagger/dagger at v0.21.9 (see README.md here
 * for the files): function caching by policy, sessions, secrets kept by value, git remote reads
 * cached per session, execs cached by their inputs. Counts every function execution, so a test can
 * say how often a side effect happened.
 */
import { execFileSync } from "node:child_process";
import type { Chain } from "../recorder/types.js";
import type { CachePolicy } from "./policies.js";

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
}

/** The rules as the engine has them. */
export const ENGINE_RULES: EngineRules = { neverExecutesPerQuery: true, defaultCachesAcrossSessions: true, gitReadsCachedPerSession: true };

/** State that outlives a session, as the engine's cache does. */
export class Engine {
  session = 0;
  readonly executions: Execution[] = [];
  private readonly functionCache = new Map<string, Promise<unknown>>();
  private readonly secrets = new Map<string, string>();
  private readonly remoteRefs = new Map<string, string>();
  private readonly execs = new Map<string, Promise<{ stdout: string; stderr: string; code: number }>>();

  constructor(readonly rules: EngineRules = ENGINE_RULES) {}

  /** Start the next session (a `dagger call`): session-scoped caches no longer apply. */
  newSession(): number {
    return ++this.session;
  }

  /**
   * Run a module function under its cache policy (dagql: a function's cache key is its receiver and
   * arguments; "never" adds a fresh per-call input; "session" scopes the key to the session; the
   * default keeps it up to the maximum TTL, across sessions). Identical calls in flight share one
   * execution, as dagql's single-flight does.
   */
  call<T>(policy: CachePolicy, e: Omit<Execution, "session">, run: () => Promise<T>): Promise<T> {
    const execute = () => {
      this.executions.push({ ...e, session: this.session });
      return run();
    };
    if (policy === "never" && this.rules.neverExecutesPerQuery) return execute();
    if (policy === "" && !this.rules.defaultCachesAcrossSessions) return execute();
    const key = policy === "session" ? `${this.session}|${e.key}` : `*|${e.key}`;
    const hit = this.functionCache.get(key);
    if (hit) return hit as Promise<T>;
    const p = execute();
    this.functionCache.set(key, p);
    // A failed call is not cached: the next call tries again.
    p.catch(() => this.functionCache.delete(key));
    return p;
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

  /** A ref of a repository on this machine, resolved once per session (core/git_remote.go: remote reads are cached for the session). */
  resolveRemoteRef(repo: string, ref: string): string {
    const key = `${this.rules.gitReadsCachedPerSession ? this.session : Math.random()}|${repo}|${ref}`;
    let commit = this.remoteRefs.get(key);
    if (commit === undefined) {
      try {
        commit = execFileSync("git", ["rev-parse", "--verify", "--quiet", ref], { cwd: repo, encoding: "utf8" }).trim();
      } catch {
        commit = "";
      }
      this.remoteRefs.set(key, commit);
    }
    return commit;
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
