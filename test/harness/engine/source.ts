/**
 * Where the engine rules of this folder were read. The stored snapshot of dagger/dagger has no
 * v0.21.9 tag; it was read at `backport-0.21` head 00c993cbe4 (2026-08-18), which is v0.21.8 plus
 * the five backports whose release notes (.changes/unreleased/*.yaml) are the v0.21.9 notes. Every
 * file cited in this folder was checked to be unchanged between v0.21.8 and 00c993cbe4 in the
 * lines the models rely on (`git diff v0.21.8 00c993cbe4 -- <file>`); core/container.go changed only
 * around Container.from's content digest, not in Build or WithoutMount.
 */
export const ENGINE_SOURCE = { repository: "dagger/dagger", read: "00c993cbe4 (backport-0.21, v0.21.8 + v0.21.9 backports)", sameAs: "v0.21.8" } as const;
