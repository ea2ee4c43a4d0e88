#!/usr/bin/env bash
# The GitHub Actions workflows we ship (ci/github/ and this repository's .github/workflows/)
# checked by the real actionlint, built with `go install` through the Go module proxy, with
# shellcheck (Debian's, installed with apt-get when missing and run as root) for the run: scripts,
# then test/ci/actionlint.integration.ts (every shipped workflow passes; a broken one fails);
# then zizmor (PyPI, pinned, in a virtualenv of its own) over the same workflows with its auditor
# persona (every audit, secrets outside environments included), offline: it must report nothing.
#
# Usage: bash scripts/integration/workflows.sh   (after npm ci; needs Go >= 1.26 and python3 with venv)
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
START_SECONDS=$SECONDS
ACTIONLINT_VERSION="v1.7.12"
ZIZMOR_VERSION="1.33.1"

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

# zizmor: installed once per version beside the Go tools' cache, from PyPI by pip.
ZIZMOR_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/pipeline-as-code/zizmor-$ZIZMOR_VERSION"
if [[ ! -x "$ZIZMOR_VENV/bin/zizmor" ]]; then
  log "pip install zizmor==$ZIZMOR_VERSION"
  python3 -m venv "$ZIZMOR_VENV" || die "python3 -m venv failed (apt-get install python3-venv)"
  "$ZIZMOR_VENV/bin/pip" install --quiet --disable-pip-version-check "zizmor==$ZIZMOR_VERSION" || die "pip install zizmor==$ZIZMOR_VERSION failed"
fi
log "$("$ZIZMOR_VENV/bin/zizmor" --version) ($ZIZMOR_VENV/bin/zizmor)"
# ci/github is not under .github/workflows, so its files are named one by one (zizmor only
# discovers workflows in .github/workflows of a directory it is given).
workflows=(ci/github/*.yml .github/workflows/*.yml)
"$ZIZMOR_VENV/bin/zizmor" --offline --persona=auditor --no-progress "${workflows[@]}" || die "zizmor reported findings in ${workflows[*]}"
# Proves it audits: the broken fixture (a checkout keeping its token, a title in a script) has findings.
if "$ZIZMOR_VENV/bin/zizmor" --offline --persona=auditor --no-progress test/fixtures/ci/broken-workflow.yml >/dev/null 2>&1; then
  die "zizmor reported nothing on test/fixtures/ci/broken-workflow.yml: it is not auditing"
fi
log "zizmor: no findings in ${#workflows[@]} workflows; the broken fixture has findings"
log "PASSED in $((SECONDS - START_SECONDS))s"
