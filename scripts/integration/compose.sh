#!/usr/bin/env bash
# The E2E topology for real: the Compose file the pipeline writes, run by docker-compose on the
# local Docker engine with the example's images (built from the generated Dockerfiles), stand-in
# PostgreSQL and Flyway images, and Playwright in Debian's Chromium (test/e2e/*.integration.ts).
#
# Usage (as root):
#   bash scripts/integration/compose.sh           the tests
#   bash scripts/integration/compose.sh --bench   the E2E benchmark (scripts/bench/e2e.ts)
# It installs docker-compose (1.29, Debian) and chromium when missing, then runs the tests inside
# the environment scripts/integration/buildkit.sh sets up (engine, registry, npm proxy, stand-ins)
# and tears down.
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

MODE="test"
case "${1:-}" in
  "") ;;
  --bench) MODE=bench ;;
  -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) echo "compose.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
esac

((EUID == 0)) || { echo "compose.sh: run as root (it installs packages and starts dockerd)" >&2; exit 1; }
missing=()
[[ -x /usr/bin/docker-compose ]] || missing+=(docker-compose)
[[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]] || missing+=(chromium)
if ((${#missing[@]} > 0)); then
  echo "[compose] apt-get install ${missing[*]}" >&2
  log="$(mktemp)"
  if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    echo "[compose] ERROR: could not install ${missing[*]}" >&2
    exit 1
  fi
  rm -f "$log"
fi
echo "[compose] $(/usr/bin/docker-compose version --short 2>/dev/null || echo docker-compose), $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null)" >&2

cd "$ROOT"
if [[ $MODE == bench ]]; then
  exec bash scripts/integration/buildkit.sh -- node --import tsx scripts/bench/e2e.ts
fi
exec bash scripts/integration/buildkit.sh -- node --import tsx --test --test-reporter=spec --test-concurrency=1 test/e2e/compose.integration.ts test/e2e/aspire.integration.ts
