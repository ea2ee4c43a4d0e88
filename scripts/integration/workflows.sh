#!/usr/bin/env bash
# The GitHub Actions workflows we ship (ci/github/ and this repository's .github/workflows/)
# checked by the real actionlint, built with `go install` through the Go module proxy, with
# shellcheck (Debian's, installed with apt-get when missing and run as root) for the run: scripts,
# then test/ci/actionlint.integration.ts (every shipped workflow passes; a broken one fails).
#
# Usage: bash scripts/integration/workflows.sh   (after npm ci; needs Go >= 1.26)
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
START_SECONDS=$SECONDS
ACTIONLINT_VERSION="v1.7.12"

log() { printf '[workflows %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*"; }
die() {
  log "ERROR: $*"
  exit 1
}

GO_NEEDED_FOR="actionlint $ACTIONLINT_VERSION"
# shellcheck source=go-tools.sh
source "$ROOT/scripts/integration/go-tools.sh"
ACTIONLINT_BIN="$(install_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint)"
export ACTIONLINT_BIN
log "actionlint $("$ACTIONLINT_BIN" -version | head -1) ($ACTIONLINT_BIN)"

# actionlint skips run: scripts silently when shellcheck is not on PATH: require it instead.
if ! command -v shellcheck >/dev/null; then
  [[ "$(id -u)" == 0 ]] || die "shellcheck is missing (apt-get install shellcheck, or run as root to have it installed)"
  command -v apt-get >/dev/null || die "shellcheck is missing, and there is no apt-get to install it with"
  log "apt-get install shellcheck"
  { apt-get -o DPkg::Lock::Timeout=300 -qq update && apt-get -o DPkg::Lock::Timeout=300 install -y -qq shellcheck; } >/dev/null || die "apt-get install shellcheck failed"
fi
SHELLCHECK_BIN="$(command -v shellcheck)"
export SHELLCHECK_BIN
log "shellcheck $("$SHELLCHECK_BIN" --version | sed -n 's/^version: //p') ($SHELLCHECK_BIN)"
cd "$ROOT"
node --import tsx --test --test-reporter=spec test/ci/actionlint.integration.ts
log "PASSED in $((SECONDS - START_SECONDS))s"
