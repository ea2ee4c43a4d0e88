#!/usr/bin/env bash
# Pull requests and pushes against a real Gitea (test/gitops/git/gitea.integration.ts): the push
# script over HTTP with a token, concurrent pushes through Gitea's hooks, a promotion's pull
# request opened once, its review states (approved, stale after a new commit, changes
# requested, merged).
#
# Gitea is built from the Go module proxy (no other way to get it here): `go install` refuses its
# go.mod (replace directives), so the module is downloaded and built in place, with SQLite.
# The binary and its source tree (the options/ folder it reads without bindata) are cached under
# ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/gitea/<version>; without the cache it takes ~3 min
# on 2 cores.
#
# Usage: bash scripts/integration/gitea.sh            the tests
#        bash scripts/integration/gitea.sh -- CMD...  build (or reuse) Gitea, then CMD with GITEA_BIN
#                                                     and GITEA_STATIC_ROOT set (other suites' tests)
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMMAND=()
if [[ "${1:-}" == "--" ]]; then
  shift
  COMMAND=("$@")
fi
GITEA_VERSION=v1.26.0
CACHE="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pipeline-as-code/gitea/$GITEA_VERSION"
export GOPATH="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pipeline-as-code/go" GOFLAGS=-modcacherw

say() { printf '[gitea %s] %s\n' "$(date +%T)" "$*" >&2; }
command -v go >/dev/null || { say "ERROR: go is required (the Go toolchain builds Gitea from the module proxy)"; exit 1; }
command -v git >/dev/null || { say "ERROR: git is required"; exit 1; }

if [[ ! -x "$CACHE/gitea" || ! -d "$CACHE/src/options" ]]; then
  say "building Gitea $GITEA_VERSION from the Go module proxy (cached afterwards in $CACHE)"
  staging="$(mktemp -d "${TMPDIR:-/tmp}/gitea-build.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  dir="$(go mod download -json "code.gitea.io/gitea@$GITEA_VERSION" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)})')"
  cp -r "$dir" "$staging/src"
  chmod -R u+w "$staging/src"
  (cd "$staging/src" && go build -tags "sqlite sqlite_unlock_notify" -o "$staging/gitea" .) >"$staging/build.log" 2>&1 || {
    tail -n 30 "$staging/build.log" >&2
    say "ERROR: building Gitea failed"
    exit 1
  }
  mkdir -p "$(dirname "$CACHE")"
  rm -rf "$CACHE.tmp" && mkdir -p "$CACHE.tmp"
  mv "$staging/gitea" "$CACHE.tmp/gitea"
  mv "$staging/src" "$CACHE.tmp/src"
  rm -rf "$CACHE" && mv "$CACHE.tmp" "$CACHE"
fi
say "$("$CACHE/gitea" --version 2>/dev/null | head -n 1)"
cd "$ROOT"
[[ -x node_modules/.bin/tsx ]] || npm ci --no-audit --no-fund --loglevel=error
if ((${#COMMAND[@]} > 0)); then
  GITEA_BIN="$CACHE/gitea" GITEA_STATIC_ROOT="$CACHE/src" exec "${COMMAND[@]}"
fi
GITEA_BIN="$CACHE/gitea" GITEA_STATIC_ROOT="$CACHE/src" node --import tsx --test --test-reporter=spec --test-concurrency=1 test/gitops/git/gitea.integration.ts test/gitops/git/gitea-releases.integration.ts test/registry/gitea-registry.integration.ts
