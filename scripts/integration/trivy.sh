#!/usr/bin/env bash
# Real Trivy on the real example image (test/scan/trivy.integration.ts): the backend image that
# BuildKit builds from the Dockerfile the pipeline generates, behind the npm proxy (the setup of
# buildkit.sh, which this script runs the test in), exported as Container.asTarball() exports it,
# scanned against a vulnerability database that the test writes with the trivy-db library: one
# advisory for a package the backend's lockfile pins, and nothing else. The test runs the scan
# stage's own commands (.dagger/src/stages/scan.ts) and reads the report with the gate's parser;
# the air-gapped scan (--trivy-db) runs in network and mount namespaces of its own (unshare, root).
#
# Trivy is built with `go install` through the Go module proxy (no other way to get it here), in
# a directory per version under ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/go/bin (go-tools.sh);
# the cache only saves time. The database writer (test/scan/trivy-db-fixture, a Go module that
# requires the trivy-db version Trivy itself was built with, checked here) is built every run.
# Measured on 2 cores that other work was also using (load 4 to 10): building Trivy cold 787 s and
# 1048 s, the writer cold 36 s (2 s cached); the whole suite 108 s with Trivy cached, of which
# about 50 s is buildkit.sh's setup.
#
# Usage: bash scripts/integration/trivy.sh   (as root, after npm ci; needs Go >= 1.26)
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
START_SECONDS=$SECONDS
TRIVY_VERSION="v0.74.0"

log() { printf '[trivy %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

GO_NEEDED_FOR="trivy $TRIVY_VERSION"
# shellcheck source=go-tools.sh
source "$ROOT/scripts/integration/go-tools.sh"
started=$SECONDS
# Trivy imports encoding/json/v2, which Go 1.26 builds only with this experiment (without it:
# "build constraints exclude all Go files in .../encoding/json/v2").
TRIVY_BIN="$(GOEXPERIMENT=jsonv2 install_tool trivy github.com/aquasecurity/trivy/cmd/trivy "$TRIVY_VERSION" github.com/aquasecurity/trivy)"
log "trivy $TRIVY_VERSION ($TRIVY_BIN), ready in $((SECONDS - started))s"

# containerd's ctr converts the image to OCI media types and exports it as asTarball() does (the
# containerd package also comes with docker.io, which buildkit.sh installs).
missing=()
command -v ctr >/dev/null && command -v containerd >/dev/null || missing+=(containerd)
if ((${#missing[@]} > 0)); then
  ((EUID == 0)) || die "missing ${missing[*]}: install them, or run as root to have them installed"
  log "apt-get install ${missing[*]}"
  { apt-get -o DPkg::Lock::Timeout=300 -qq update && apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}"; } >/dev/null || die "apt-get install ${missing[*]} failed"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pac-trivy.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
started=$SECONDS
(cd "$ROOT/test/scan/trivy-db-fixture" && go build -o "$WORK/trivy-db-fixture" .) || die "building test/scan/trivy-db-fixture failed"
# The database must have the schema this Trivy reads: the writer's trivy-db is the one Trivy was built with.
trivy_db="$(go version -m "$TRIVY_BIN" | awk '$1 == "dep" && $2 == "github.com/aquasecurity/trivy-db" { print $3 }')"
writer_db="$(go version -m "$WORK/trivy-db-fixture" | awk '$1 == "dep" && $2 == "github.com/aquasecurity/trivy-db" { print $3 }')"
[[ -n "$trivy_db" && "$trivy_db" == "$writer_db" ]] ||
  die "trivy $TRIVY_VERSION was built with trivy-db ${trivy_db:-?}, test/scan/trivy-db-fixture requires ${writer_db:-?}: set the writer's go.mod to Trivy's version"
log "trivy-db-fixture (trivy-db $writer_db) built in $((SECONDS - started))s"

export TRIVY_BIN TRIVY_DB_FIXTURE_BIN="$WORK/trivy-db-fixture"
cd "$ROOT"
bash "$ROOT/scripts/integration/buildkit.sh" -- \
  node --import tsx --test --test-reporter=spec --test-concurrency=1 test/scan/trivy.integration.ts
log "PASSED in $((SECONDS - START_SECONDS))s"
