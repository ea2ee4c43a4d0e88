/**
 * Engine rule (f): git remote reads are cached for the session, Dagger v0.21.9 (see source.ts).
 *
 * Read in dagger/dagger:
 * - core/git_remote.go `(*RemoteGitRepository).Remote`: the `ls-remote` result (every ref of the
 *   remote) is fetched through `cache.GetOrInitArbitrary(ctx, clientMetadata.SessionID, cacheKey, …)`;
 *   `remoteCacheKey` hashes `[SessionID, repo.URL.Remote()]` plus `remoteCacheScope()` (the auth
 *   token/header handle, username, SSH socket handle). `runLsRemote` runs only on a miss.
 *   `GitRepository.branch/ref/tag/head` resolve their commit from that listing.
 * - core/schema/git.go `(*gitSchema).Install`: `git(url)` itself is `WithInput(dagql.PerClientInput)`.
 *
 * Behaviour: within one session, every read of any ref of the same remote URL with the same
 * credentials sees the listing of the first read: a branch read after your own push returns the
 * commit from before the push. A new session lists the remote again. (The brief named the key as
 * (session, url, ref); the engine keys the whole listing by (session, url, auth), so a read of
 * another ref is stale too. The model follows the engine.)
 */

/** Lists the remote's refs (`git ls-remote <url>`): ref name → commit. */
export type LsRemote = (url: string) => Record<string, string>;

/** A wrong model for the mutant test: "every read asks the remote". */
export type GitRemoteMutant = "uncached";

/** The engine's session cache of remote listings; `lists` counts real ls-remote runs. */
export class GitRemoteReads {
  readonly #listings = new Map<string, Record<string, string>>();
  lists = 0;

  /**
   * @param lsRemote What the remote answers now (tests change it by pushing).
   * @param mutant A deliberately wrong rule, for the mutant test only.
   */
  constructor(
    private readonly lsRemote: LsRemote,
    private readonly mutant?: GitRemoteMutant,
  ) {}

  /** The commit `ref` (branch name, tag name or full ref) names, as the session sees it; undefined when absent. */
  read(sessionId: string, url: string, ref: string, auth = ""): string | undefined {
    const key = JSON.stringify([sessionId, url, auth]);
    let listing = this.mutant === "uncached" ? undefined : this.#listings.get(key);
    if (!listing) {
      listing = this.lsRemote(url);
      this.lists++;
      this.#listings.set(key, listing);
    }
    return listing[ref] ?? listing[`refs/heads/${ref}`] ?? listing[`refs/tags/${ref}`];
  }
}
