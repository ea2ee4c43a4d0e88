#!/usr/bin/env bash
# Real cosign against a real registry (test/sign/cosign.integration.ts): the sign stage's own
# commands (.dagger/src/stages/sign.ts) sign and attest an image with a throwaway key pair made
# by cosign, and the gates module's signature gate judges cosign's real answers: signed passes;
# unsigned, another key, a moved tag and an attestation copied from another digest are refused.
# No transparency log (nothing leaves the machine): signing.transparencyLog: false.
#
# cosign is built with `go install` through the Go module proxy (no other way to get it here), in
# a directory per version under ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/go/bin (go-tools.sh);
# the cache only saves time. Measured on 2 cores: building cold about 4 minutes.
# The registry is Debian's docker-registry on a loopback port (installed as root when missing).
#
# Usage: bash scripts/integration/cosign.sh   (after npm ci; needs Go >= 1.26)
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
START_SECONDS=$SECONDS
# Keep in step with COSIGN_IMAGE in .dagger/src/stages/sign.ts (checked below).
COSIGN_VERSION="v2.6.5"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[cosign %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

grep -q "projectsigstore/cosign:$COSIGN_VERSION\"" "$ROOT/.dagger/src/stages/sign.ts" ||
  die "COSIGN_IMAGE in .dagger/src/stages/sign.ts is not cosign $COSIGN_VERSION: test the version the pipeline runs"

GO_NEEDED_FOR="cosign $COSIGN_VERSION"
# shellcheck source=go-tools.sh
source "$ROOT/scripts/integration/go-tools.sh"
started=$SECONDS
COSIGN_BIN="$(install_tool cosign github.com/sigstore/cosign/v2/cmd/cosign "$COSIGN_VERSION" github.com/sigstore/cosign/v2)"
log "cosign $COSIGN_VERSION ($COSIGN_BIN), ready in $((SECONDS - started))s"

if ! command -v docker-registry >/dev/null; then
  ((EUID == 0)) || die "docker-registry is missing: install it (apt-get install docker-registry), or run as root to have it installed"
  log "apt-get install docker-registry"
  { apt-get -o DPkg::Lock::Timeout=300 -qq update && apt-get -o DPkg::Lock::Timeout=300 install -y -qq docker-registry; } >/dev/null || die "apt-get install docker-registry failed"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pac-cosign.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export COSIGN_BIN REGISTRY_IT_TMP="$WORK"
# cosign keeps a TUF cache under $HOME/.sigstore; a throwaway home keeps the machine's untouched.
export HOME="$WORK/home"
mkdir -p "$HOME"
cd "$ROOT"
node --import tsx --test --test-reporter=spec --test-timeout=300000 test/sign/cosign.integration.ts
log "done"
