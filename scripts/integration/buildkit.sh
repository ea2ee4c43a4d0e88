#!/usr/bin/env bash
# Builds the Dockerfiles the pipeline generates with a real Docker engine (BuildKit), a real
# registry and a real npm proxy, on a network where the npm proxy is the only way out, and tests
# the images (test/build/*.integration.ts) or benchmarks the builds (scripts/bench/build.ts).
#
# Usage (as root: it installs packages, starts dockerd and sets firewall rules):
#   bash scripts/integration/buildkit.sh            set up, then the tests in test/build/
#   bash scripts/integration/buildkit.sh --bench    set up, then the benchmark (npm run bench:build)
#   bash scripts/integration/buildkit.sh -- CMD...  set up, then CMD with the BUILDKIT_IT_* variables
#
# What it sets up (details and why: scripts/integration/buildkit/README.md), each only if needed,
# and what it started is stopped again on exit, pass or fail:
#   apt packages docker.io, docker-registry, debootstrap, iptables, curl, maven (when missing);
#   dockerd (when no engine answers; its data stays in /var/lib/docker as with any engine);
#   docker-registry on a free 127.0.0.1 port, storage in a temp dir;
#   verdaccio (scripts/integration/buildkit/verdaccio/, installed into the cache dir) listening on
#     the gateway address of docker's default bridge, where build containers reach it;
#   firewall rules (iptables INPUT and DOCKER-USER, tagged with a comment): from the bridge, only
#     the npm proxy port is open; removed on exit (also stale ones left by a killed run);
#   stand-in base images node:22-bookworm-slim and node:22-bookworm, and stand-in service images
#     postgres:15-bookworm and flyway/flyway:<version of scripts/integration/pom.xml>, pushed to
#     the registry under the mirror's names.
#
# Environment (optional): XDG_CACHE_HOME (caches under pipeline-as-code/), KEEP_WORKDIR=1 (keep
# the temp dir with logs), BUILDKIT_SKIP_APT=1 (never call apt-get).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HELPERS="$ROOT/scripts/integration/buildkit"
DOCKER=/usr/bin/docker # Debian's client; the newer one in /usr/local/bin needs buildx
export DEBIAN_FRONTEND=noninteractive DOCKER_BUILDKIT=1

MODE="test"
COMMAND=()
while (($# > 0)); do
  case "$1" in
    --bench) MODE=bench ;;
    --) shift; MODE="command"; COMMAND=("$@"); break ;;
    -h | --help) sed -n '2,25p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "buildkit.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

START_SECONDS=$SECONDS
STEP="initialising"
WORK=""
DOCKERD_PID=""
REGISTRY_PID=""
REGISTRY=""
PROXY_STATE=""
FW_TAG="pac-buildkit:$$"
FW_RULES=() # "iptables|ip6tables CHAIN RULE..." as added, for removal

log() { printf '[buildkit %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*" >&2; }
step() {
  STEP="$1"
  log "==> $STEP"
}
die() {
  log "ERROR: $*"
  exit 1
}

# shellcheck source=scripts/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

firewall_down() {
  local entry tool chain
  for entry in "${FW_RULES[@]}"; do
    read -r -a parts <<<"$entry"
    tool="${parts[0]}"
    chain="${parts[1]}"
    "$tool" -w -D "$chain" "${parts[@]:2}" 2>/dev/null || log "could not remove firewall rule: $entry"
  done
  FW_RULES=()
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if ((rc != 0)); then
    log "FAILED during: $STEP (exit $rc)"
    [[ -n "$WORK" && -f "$WORK/npm-proxy/verdaccio.log" ]] && { echo "----- npm proxy log (tail) -----" >&2; tail -n 20 "$WORK/npm-proxy/verdaccio.log" >&2; }
    [[ -n "$WORK" && -f "$WORK/registry.log" ]] && { echo "----- registry errors (tail) -----" >&2; grep 'level=error' "$WORK/registry.log" | tail -n 10 >&2; }
  fi
  firewall_down
  if [[ -n "$REGISTRY" ]]; then
    # Tags under this run's registry name a registry that is about to go: untag them (layers
    # still used by the build cache or other images stay).
    mapfile -t stale < <("$DOCKER" images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -F "$REGISTRY/" || true)
    ((${#stale[@]} > 0)) && "$DOCKER" rmi "${stale[@]}" >/dev/null 2>&1
  fi
  [[ -n "$PROXY_STATE" ]] && bash "$HELPERS/npm-proxy.sh" stop "$PROXY_STATE" 2>/dev/null
  stop_process docker-registry "$REGISTRY_PID"
  if [[ -n "$DOCKERD_PID" ]]; then
    # Containers a test left behind would keep dockerd busy; they are all ours on this engine.
    stop_process dockerd "$DOCKERD_PID" 30
  fi
  if [[ -n "$WORK" ]]; then
    if [[ "${KEEP_WORKDIR:-}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  fi
  log "done in $((SECONDS - START_SECONDS))s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

((EUID == 0)) || die "run as root: it installs packages, starts dockerd and sets firewall rules"
WORK="$(mktemp -d /tmp/pac-buildkit.XXXXXX)"
chmod 755 "$WORK"

step "packages"
missing=()
command -v dockerd >/dev/null && [[ -x $DOCKER ]] || missing+=(docker.io)
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v iptables >/dev/null || missing+=(iptables)
command -v curl >/dev/null || missing+=(curl)
command -v mvn >/dev/null || missing+=(maven) # Flyway's jars for the flyway stand-in
if ((${#missing[@]} > 0)); then
  [[ "${BUILDKIT_SKIP_APT:-}" == 1 ]] && die "missing ${missing[*]} and BUILDKIT_SKIP_APT=1"
  log "apt-get install ${missing[*]}"
  apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get update failed"; }
  apt-get install -y -qq "${missing[@]}" >>"$WORK/apt.log" 2>&1 || { tail -n 30 "$WORK/apt.log" >&2; die "apt-get install failed"; }
fi
if [[ ! -x "$ROOT/node_modules/.bin/tsx" ]]; then
  log "npm ci (the repository's dev dependencies: tsx runs the tests)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

step "docker engine"
if "$DOCKER" info >/dev/null 2>&1; then
  log "using the running engine ($("$DOCKER" version -f '{{.Server.Version}}'))"
else
  setsid dockerd >"$WORK/dockerd.log" 2>&1 </dev/null &
  DOCKERD_PID=$!
  for _ in $(seq 1 120); do
    "$DOCKER" info >/dev/null 2>&1 && break
    kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -n 30 "$WORK/dockerd.log" >&2; die "dockerd exited"; }
    sleep 0.5
  done
  "$DOCKER" info >/dev/null 2>&1 || { tail -n 30 "$WORK/dockerd.log" >&2; die "dockerd did not answer within 60 s"; }
  log "started dockerd (pid $DOCKERD_PID, $("$DOCKER" version -f '{{.Server.Version}}'))"
fi
BRIDGE="$("$DOCKER" network inspect bridge -f '{{index .Options "com.docker.network.bridge.name"}}')"
# The default bridge's IPAM config often has no Gateway field: read the address off the interface.
GATEWAY="$(ip -4 -o addr show dev "$BRIDGE" 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n1)"
[[ -n "$BRIDGE" && -n "$GATEWAY" ]] || die "cannot read docker's default bridge (name '$BRIDGE', gateway '$GATEWAY')"
log "build containers use bridge $BRIDGE, host address $GATEWAY"

free_port() { node "$ROOT/scripts/integration/free-port.mjs"; }

step "registry"
for attempt in 1 2 3; do
  REGISTRY_PORT="$(free_port)"
  cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
EOF
  setsid docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 </dev/null &
  REGISTRY_PID=$!
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$REGISTRY_PORT/v2/" 2>/dev/null && break 2
    kill -0 "$REGISTRY_PID" 2>/dev/null || break
    sleep 0.1
  done
  stop_process docker-registry "$REGISTRY_PID"
  REGISTRY_PID=""
  ((attempt == 3)) && { cat "$WORK/registry.log" >&2; die "docker-registry did not start"; }
done
REGISTRY="127.0.0.1:$REGISTRY_PORT"
log "docker-registry (pid $REGISTRY_PID) on $REGISTRY (dockerd allows plain HTTP to 127.0.0.0/8)"

step "npm proxy"
PROXY_STATE="$WORK/npm-proxy"
bash "$HELPERS/npm-proxy.sh" install >/dev/null
for attempt in 1 2 3; do
  PROXY_PORT="$(free_port)"
  if bash "$HELPERS/npm-proxy.sh" start "$PROXY_STATE" "$GATEWAY" "$PROXY_PORT"; then break; fi
  bash "$HELPERS/npm-proxy.sh" stop "$PROXY_STATE"
  rm -rf "$PROXY_STATE"
  ((attempt == 3)) && die "the npm proxy did not start"
done
NPM_REGISTRY="http://$GATEWAY:$PROXY_PORT/"

step "firewall: from $BRIDGE only the npm proxy ($GATEWAY:$PROXY_PORT)"
# Rules left by a run that was killed (its pid is gone) are removed first.
for tool in iptables ip6tables; do
  command -v "$tool" >/dev/null || continue
  while read -r line; do
    [[ -n "$line" ]] || continue
    pid="$(sed -E 's/.*pac-buildkit:([0-9]+).*/\1/' <<<"$line")"
    kill -0 "$pid" 2>/dev/null && continue
    log "removing a stale rule of run $pid: $line"
    eval "$tool -w ${line/-A /-D }" || true
  done < <("$tool" -w -S 2>/dev/null | grep -- '--comment "\?pac-buildkit:' || true)
done
add_rule() { # TOOL CHAIN RULE...: inserted at the top of CHAIN, remembered for removal
  local tool="$1" chain="$2"
  shift 2
  "$tool" -w -I "$chain" 1 "$@" -m comment --comment "$FW_TAG"
  FW_RULES=("$tool $chain $* -m comment --comment $FW_TAG" "${FW_RULES[@]}")
}
"$DOCKER" info -f '{{.Name}}' >/dev/null # DOCKER-USER exists once dockerd is up
iptables -w -S DOCKER-USER >/dev/null 2>&1 || die "iptables chain DOCKER-USER is missing (dockerd runs with --iptables=false?)"
# Forwarded traffic (to the internet, DNS, other networks) from the bridge: dropped.
add_rule iptables DOCKER-USER -i "$BRIDGE" -j DROP
# Traffic to this host from the bridge: only the proxy port, and replies to connections the
# host opened (tests talking to containers). Inserted in reverse order, since each goes on top.
add_rule iptables INPUT -i "$BRIDGE" -j DROP
add_rule iptables INPUT -i "$BRIDGE" -d "$GATEWAY" -p tcp --dport "$PROXY_PORT" -j ACCEPT
add_rule iptables INPUT -i "$BRIDGE" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
if command -v ip6tables >/dev/null && ip6tables -w -S INPUT >/dev/null 2>&1; then
  add_rule ip6tables FORWARD -i "$BRIDGE" -j DROP
  add_rule ip6tables INPUT -i "$BRIDGE" -j DROP
fi
log "$(iptables -w -S | grep -c -- "$FW_TAG") iptables rules tagged $FW_TAG"

step "stand-in base images"
DOCKER="$DOCKER" bash "$HELPERS/base-images.sh" "$REGISTRY" "$WORK/base-images"
# One after the other: each already runs its debootstraps and pushes side by side (2 cores), and
# a job left running in the background on failure or Ctrl-C would outlive the teardown below.
step "stand-in service images"
DOCKER="$DOCKER" bash "$HELPERS/service-images.sh" "$REGISTRY" "$WORK/service-images"
FLYWAY_VERSION="$(sed -n 's:.*<flyway.version>\(.*\)</flyway.version>.*:\1:p' "$ROOT/scripts/integration/pom.xml")"

export BUILDKIT_IT_DOCKER="$DOCKER"
export BUILDKIT_IT_REGISTRY="$REGISTRY"
export BUILDKIT_IT_NPM_REGISTRY="$NPM_REGISTRY"
export BUILDKIT_IT_NPM_PROXY_CTL="$HELPERS/npm-proxy.sh"
export BUILDKIT_IT_NPM_PROXY_STATE="$PROXY_STATE"
export BUILDKIT_IT_BRIDGE="$BRIDGE"
export BUILDKIT_IT_GATEWAY="$GATEWAY"
export BUILDKIT_IT_FIREWALL_TAG="$FW_TAG"
export BUILDKIT_IT_BASE_SLIM="$REGISTRY/docker-group/library/node:22-bookworm-slim"
export BUILDKIT_IT_BASE_FULL="$REGISTRY/docker-group/library/node:22-bookworm"
export BUILDKIT_IT_POSTGRES_IMAGE="$REGISTRY/docker-group/library/postgres:15-bookworm"
export BUILDKIT_IT_FLYWAY_IMAGE="$REGISTRY/docker-group/flyway/flyway:$FLYWAY_VERSION"
export BUILDKIT_IT_WORK="$WORK/run"
mkdir -p "$BUILDKIT_IT_WORK"
log "setup done in $((SECONDS - START_SECONDS))s"

cd "$ROOT"
case "$MODE" in
  test)
    step "tests: test/build/*.integration.ts"
    node --import tsx --test --test-reporter=spec --test-concurrency=1 test/build/*.integration.ts
    ;;
  bench)
    step "benchmark: scripts/bench/build.ts"
    node --import tsx scripts/bench/build.ts
    ;;
  command)
    step "command: ${COMMAND[*]}"
    "${COMMAND[@]}"
    ;;
esac
