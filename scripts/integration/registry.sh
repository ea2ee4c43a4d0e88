#!/usr/bin/env bash
# Integration test of .dagger/src/registry (the OCI distribution client and the reuse: findReusable, tagReused)
# against a real registry: Debian's docker-registry (distribution 2.8) on free 127.0.0.1 ports,
# without auth, with htpasswd Basic auth and with token (Bearer) auth; skopeo as the independent
# client that checks the digests and pulls the image. See test/registry/real-registry.integration.ts.
#
# Usage: bash scripts/integration/registry.sh   (after npm ci; fine to run again right away)
# As root it installs what is missing with apt-get (docker-registry, apache2-utils for htpasswd,
# skopeo, openssl); as another user those must already be installed.
# All state (registry storage, htpasswd, certificates, auth files) lives in one temp dir that is
# removed on exit, pass or fail; every registry the test started is stopped by the trap.
# Environment: KEEP_WORKDIR=1 keeps the temp dir.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DEBIAN_FRONTEND=noninteractive
START_SECONDS=$SECONDS
WORK=""
TEST_PID=""

log() { printf '[registry %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*"; }
die() {
  log "ERROR: $*"
  exit 1
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$TEST_PID" ]] && kill -0 "$TEST_PID" 2>/dev/null; then
    kill -TERM "$TEST_PID" 2>/dev/null || true
    wait "$TEST_PID" 2>/dev/null || true
  fi
  # Registries the test started (their pids are written by test/registry/registry-server.ts);
  # only processes that are still docker-registry are signalled.
  if [[ -n "$WORK" && -d "$WORK/pids" ]]; then
    local file pid
    for file in "$WORK"/pids/*; do
      [[ -e "$file" ]] || continue
      pid="$(basename "$file")"
      if [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == docker-registry\ serve* ]]; then
        log "stopping docker-registry (pid $pid) left by the test"
        kill -TERM "$pid" 2>/dev/null || true
      fi
    done
  fi
  if [[ -n "$WORK" ]]; then
    if [[ "${KEEP_WORKDIR:-}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  fi
  if ((rc == 0)); then log "PASSED in $((SECONDS - START_SECONDS))s"; else log "FAILED (exit $rc) after $((SECONDS - START_SECONDS))s"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- setup: install only what is missing -------------------------------------------------------
missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v htpasswd >/dev/null || missing+=(apache2-utils)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v openssl >/dev/null || missing+=(openssl)
if ((${#missing[@]} > 0)); then
  [[ "$(id -u)" == 0 ]] || die "missing packages: ${missing[*]} (run as root to install them with apt-get)"
  command -v apt-get >/dev/null || die "missing packages: ${missing[*]}, and no apt-get to install them with"
  log "apt-get install ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=300 -qq update
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null
else
  log "docker-registry, htpasswd, skopeo and openssl are installed"
fi
[[ -x "$ROOT/node_modules/.bin/tsx" ]] || die "node_modules/.bin/tsx is missing: run npm ci first"
log "$(docker-registry --version 2>&1 | head -n 1); skopeo $(skopeo --version | awk '{print $3}'); node $(node --version)"

# --- the test -----------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/registry-it.XXXXXX")"
export REGISTRY_IT_TMP="$WORK"
cd "$ROOT"
log "node --test test/registry/real-registry.integration.ts (temp dir $WORK)"
node --import tsx --test --test-reporter=spec --test-timeout=120000 test/registry/real-registry.integration.ts test/registry/publish-reuse.integration.ts &
TEST_PID=$!
set +e
wait "$TEST_PID"
rc=$?
set -e
TEST_PID=""
((rc == 0)) || die "the registry integration test failed (exit $rc)"
