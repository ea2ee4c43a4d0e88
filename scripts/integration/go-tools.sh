#!/usr/bin/env bash
# Sourced by the suites that build pinned Go tools (gitops-render.sh, workflows.sh): Go's caches
# under ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/go (they only save time), the module proxy
# only, and install_tool, which builds one pinned version into a directory of its own and checks
# the binary's build info. The caller defines log, die and ROOT (and GO_NEEDED_FOR for messages).
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null || die "go is not installed (Go >= 1.26 is needed to build ${GO_NEEDED_FOR:-the pinned tools}; Debian's golang-go is too old)"
GO_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pipeline-as-code/go"
export GOPATH="$GO_CACHE/path"
export GOMODCACHE="$GO_CACHE/path/pkg/mod"
export GOCACHE="$GO_CACHE/build"
# Everything through the proxy (no direct VCS fetches), checked against the checksum database;
# the installed Go only (no toolchain download); a module cache that `rm -rf` can delete.
export GOPROXY="https://proxy.golang.org"
export GOTOOLCHAIN=local
export GOFLAGS="-modcacherw -buildvcs=false"
[[ -x "$ROOT/node_modules/.bin/tsx" ]] || die "node_modules/.bin/tsx is missing: run npm ci first"
log "$(go version); cache $GO_CACHE"

# go install into a directory per version, so a cached binary is only reused for the same pin;
# the module version is checked in the binary's build info (`helm version` says only "v3.22"
# when built without the release's -ldflags).
install_tool() {
  local name="$1" module="$2" version="$3" main="$4" bin="$GO_CACHE/bin/$1-$3"
  if [[ ! -x "$bin/$name" ]]; then
    log "go install $module@$version" >&2
    GOBIN="$bin" go install "$module@$version" >&2 || die "go install $module@$version failed"
  fi
  go version -m "$bin/$name" | awk -v m="$main" -v v="$version" '$1 == "mod" && $2 == m && $3 == v { ok = 1 } END { exit !ok }' ||
    die "$bin/$name was not built from $main $version"
  printf '%s\n' "$bin/$name"
}
