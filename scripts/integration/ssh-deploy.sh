#!/usr/bin/env bash
# The Compose-over-SSH deploy for real: the script the pipeline generates
# (.dagger/src/deploy/compose-ssh.ts), run with the real docker CLI, the docker compose v2 plugin
# and OpenSSH against an sshd on a loopback port, which lets docker reach the local engine through
# an SSH Docker context. test/deploy/ssh-deploy.integration.ts deploys the example's releases
# (built as the compose suite builds them) and asserts the served versions.
#
# Usage (as root): bash scripts/integration/ssh-deploy.sh
# It installs openssh-server (apt) when missing, builds the docker compose plugin through the Go
# module proxy (cached under ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/go), starts sshd as root
# on 127.0.0.1:<free port> with a throwaway host key, a throwaway client key and its own
# sshd_config (keys only, AllowUsers root), then runs the test inside the environment
# scripts/integration/buildkit.sh sets up (engine, registry, npm proxy, stand-in images). sshd
# and its temp folder go on exit, pass or fail.
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
START_SECONDS=$SECONDS
export DEBIAN_FRONTEND=noninteractive
# The version in docker:28.2.2-cli, the image the deploy stage runs the script in (2.36.2 to
# 2.37.3 across that tag's rebuilds: docker-library/docker 28/cli/Dockerfile).
COMPOSE_VERSION="v2.37.3"

log() { printf '[ssh-deploy %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
case "${1:-}" in
  "") ;;
  -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) die "unknown argument $1 (try --help)" ;;
esac
((EUID == 0)) || die "run as root: it installs packages and starts sshd and dockerd"

# shellcheck source=scripts/integration/lib.sh
source "$ROOT/scripts/integration/lib.sh"

WORK=""
SSHD_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if ((rc != 0)) && [[ -n "$WORK" && -s "$WORK/sshd.log" ]]; then
    echo "----- sshd log (tail) -----" >&2
    tail -n 20 "$WORK/sshd.log" >&2
  fi
  stop_process sshd "$SSHD_PID"
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  log "done in $((SECONDS - START_SECONDS))s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "==> packages"
if [[ ! -x /usr/sbin/sshd ]] || ! command -v ssh-keygen >/dev/null || ! command -v ssh >/dev/null; then
  log "apt-get install openssh-server openssh-client"
  apt_log="$(mktemp)"
  if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends openssh-server openssh-client; } >"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    rm -f "$apt_log"
    die "could not install openssh-server"
  fi
  rm -f "$apt_log"
  # Debian's package starts its own sshd on port 22 where an init system runs: ours does not need it.
fi
# The deploy runs the docker CLI of the stage's image (28.2.2): here the one first in PATH.
command -v docker >/dev/null || die "no docker CLI in PATH (buildkit.sh installs Debian's docker.io; the deploy needs a CLI with plugin support)"
log "$(ssh -V 2>&1), $(docker --version) ($(command -v docker))"
# The generated deploy script is linted by shellcheck too (the test requires it).
if ! command -v shellcheck >/dev/null; then
  log "apt-get install shellcheck"
  { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq shellcheck; } >/dev/null || die "apt-get install shellcheck failed"
fi

log "==> docker compose $COMPOSE_VERSION (the v2 plugin, built through the Go module proxy)"
# shellcheck disable=SC2034 # read by go-tools.sh
GO_NEEDED_FOR="docker compose $COMPOSE_VERSION"
# shellcheck source=scripts/integration/go-tools.sh
source "$ROOT/scripts/integration/go-tools.sh"
PLUGIN_DIR="$GO_CACHE/bin/docker-compose-$COMPOSE_VERSION"
if [[ ! -x "$PLUGIN_DIR/docker-compose" ]]; then
  # Not `go install module@version`: compose's go.mod has exclude directives, which go install
  # refuses; a throwaway main module requiring it (with the same excludes) builds the same binary.
  build_dir="$(mktemp -d)"
  cat >"$build_dir/go.mod" <<EOF
module pipeline-as-code.local/compose-plugin

go 1.23.8

require github.com/docker/compose/v2 $COMPOSE_VERSION

exclude (
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2
)
EOF
  log "go build github.com/docker/compose/v2/cmd@$COMPOSE_VERSION (several minutes the first time)"
  (cd "$build_dir" && go get "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION" >&2 &&
    go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" -o "$PLUGIN_DIR/docker-compose" github.com/docker/compose/v2/cmd >&2) ||
    { rm -rf "$build_dir"; die "building docker compose $COMPOSE_VERSION failed"; }
  rm -rf "$build_dir"
fi
go version -m "$PLUGIN_DIR/docker-compose" | awk -v v="$COMPOSE_VERSION" '($1 == "mod" || $1 == "dep") && $2 == "github.com/docker/compose/v2" && $3 == v { ok = 1 } END { exit !ok }' ||
  die "$PLUGIN_DIR/docker-compose was not built from github.com/docker/compose/v2 $COMPOSE_VERSION"

WORK="$(mktemp -d /tmp/pac-ssh-deploy.XXXXXX)"
chmod 700 "$WORK"
# The CLI config the deploy script is given: only the plugin (the script keeps its contexts apart).
mkdir -p "$WORK/docker-config/cli-plugins"
ln -s "$PLUGIN_DIR/docker-compose" "$WORK/docker-config/cli-plugins/docker-compose"
DOCKER_CONFIG="$WORK/docker-config" docker compose version >&2 || die "the docker CLI does not run the compose plugin"

log "==> sshd on a loopback port"
ssh-keygen -q -t ed25519 -N "" -C "pac-ssh-deploy host" -f "$WORK/host_ed25519"
ssh-keygen -q -t ed25519 -N "" -C "pac-ssh-deploy client" -f "$WORK/client_ed25519"
ssh-keygen -q -t ed25519 -N "" -C "pac-ssh-deploy impostor" -f "$WORK/other_ed25519"
cp "$WORK/client_ed25519.pub" "$WORK/authorized_keys"
mkdir -p /run/sshd # privilege separation directory (Debian's sshd refuses to start without it)
for attempt in 1 2 3; do
  SSH_PORT="$(node "$ROOT/scripts/integration/free-port.mjs")"
  cat >"$WORK/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $WORK/host_ed25519
PidFile $WORK/sshd.pid
AuthorizedKeysFile $WORK/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers root
UsePAM no
X11Forwarding no
AllowTcpForwarding no
PermitTunnel no
# The keys live in a temp folder under /tmp (mode 1777), which StrictModes would refuse.
StrictModes no
MaxStartups 50:30:100
MaxSessions 50
LogLevel VERBOSE
EOF
  /usr/sbin/sshd -t -f "$WORK/sshd_config" || die "sshd -t rejected $WORK/sshd_config"
  setsid /usr/sbin/sshd -D -e -f "$WORK/sshd_config" >"$WORK/sshd.log" 2>&1 </dev/null &
  SSHD_PID=$!
  for _ in $(seq 1 50); do
    if (: >"/dev/tcp/127.0.0.1/$SSH_PORT") 2>/dev/null; then break 2; fi
    kill -0 "$SSHD_PID" 2>/dev/null || break
    sleep 0.1
  done
  stop_process sshd "$SSHD_PID"
  SSHD_PID=""
  ((attempt == 3)) && { cat "$WORK/sshd.log" >&2; die "sshd did not start"; }
done
log "sshd (pid $SSHD_PID) on 127.0.0.1:$SSH_PORT"

host_key="$(cut -d' ' -f1,2 "$WORK/host_ed25519.pub")"
other_key="$(cut -d' ' -f1,2 "$WORK/other_ed25519.pub")"
export SSH_DEPLOY_HOST=127.0.0.1
export SSH_DEPLOY_PORT="$SSH_PORT"
export SSH_DEPLOY_USER=root
export SSH_DEPLOY_KEY="$WORK/client_ed25519"
export SSH_DEPLOY_KNOWN_HOSTS="[127.0.0.1]:$SSH_PORT $host_key"
export SSH_DEPLOY_WRONG_KNOWN_HOSTS="[127.0.0.1]:$SSH_PORT $other_key"
export SSH_DEPLOY_DOCKER_CONFIG="$WORK/docker-config"

# The proof that the server takes this key and only with this host key, before any deploy.
printf '%s\n' "$SSH_DEPLOY_KNOWN_HOSTS" >"$WORK/known_hosts"
ssh -F /dev/null -i "$SSH_DEPLOY_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
  -o UserKnownHostsFile="$WORK/known_hosts" -o GlobalKnownHostsFile=/dev/null \
  -p "$SSH_PORT" root@127.0.0.1 true || die "ssh with the throwaway key to 127.0.0.1:$SSH_PORT failed"

cd "$ROOT"
bash scripts/integration/buildkit.sh -- node --import tsx --test --test-reporter=spec --test-concurrency=1 test/deploy/ssh-deploy.integration.ts
log "PASSED in $((SECONDS - START_SECONDS))s"
