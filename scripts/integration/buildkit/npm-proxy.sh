#!/usr/bin/env bash
# The npm proxy of the BuildKit integration tests and the build benchmark: verdaccio (pinned in
# verdaccio/package.json + package-lock.json beside this script), standing in for a Nexus npm
# group, with the public npm registry as its only uplink.
#
#   npm-proxy.sh install                   install (once per lockfile) into the cache dir; prints its path
#   npm-proxy.sh start STATE_DIR HOST PORT start listening on HOST:PORT, state (config, storage, log,
#                                          pid) in STATE_DIR; waits until it answers (bounded)
#   npm-proxy.sh start STATE_DIR           start again where it listened before (same storage)
#   npm-proxy.sh stop STATE_DIR            stop it (SIGTERM, SIGKILL after 15 s); no-op when not running
#
# Environment: XDG_CACHE_HOME (install goes to ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/verdaccio),
# NPM_PROXY_UPLINK (default https://registry.npmjs.org/).
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pipeline-as-code"
UPLINK="${NPM_PROXY_UPLINK:-https://registry.npmjs.org/}"

say() { printf '[npm-proxy] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

# Installs verdaccio from the committed lockfile into CACHE_DIR/verdaccio/<hash>, atomically
# (a half-finished install is never mistaken for a good one). Prints the install dir.
install_proxy() {
  local hash dir tmp
  hash="$(cat "$HERE/verdaccio/package.json" "$HERE/verdaccio/package-lock.json" | sha256sum | cut -c1-16)"
  dir="$CACHE_DIR/verdaccio/$hash"
  if [[ -x "$dir/node_modules/.bin/verdaccio" && -f "$dir/.complete" ]]; then
    printf '%s\n' "$dir"
    return 0
  fi
  mkdir -p "$CACHE_DIR/verdaccio"
  tmp="$(mktemp -d "$CACHE_DIR/verdaccio/.install.XXXXXX")"
  cp "$HERE/verdaccio/package.json" "$HERE/verdaccio/package-lock.json" "$tmp/"
  say "installing verdaccio from $HERE/verdaccio/package-lock.json into $dir"
  # The public registry explicitly: a user .npmrc pointing elsewhere must not change what runs.
  if ! (cd "$tmp" && npm ci --omit=dev --no-audit --no-fund --loglevel=error --registry=https://registry.npmjs.org/ >&2); then
    rm -rf "$tmp"
    die "npm ci of verdaccio failed"
  fi
  touch "$tmp/.complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  printf '%s\n' "$dir"
}

is_running() {
  local state="$1" pid
  [[ -f "$state/pid" ]] || return 1
  pid="$(cat "$state/pid")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

start_proxy() {
  local state="$1" host="${2:-}" port="${3:-}" install pid url
  mkdir -p "$state/storage"
  if [[ -z "$host" ]]; then
    [[ -f "$state/listen" ]] || die "$state/listen missing: give HOST and PORT the first time"
    read -r host port <"$state/listen"
  fi
  printf '%s %s\n' "$host" "$port" >"$state/listen"
  if is_running "$state"; then
    say "already running (pid $(cat "$state/pid")) on $host:$port"
    return 0
  fi
  install="$(install_proxy)"
  cat >"$state/config.yaml" <<EOF
# Written by scripts/integration/buildkit/npm-proxy.sh: a throwaway npm group for one test run.
storage: $state/storage
uplinks:
  npmjs:
    url: $UPLINK
    timeout: 30s
    max_fails: 5
    fail_timeout: 10s
packages:
  '@*/*':
    access: \$all
    proxy: npmjs
  '**':
    access: \$all
    proxy: npmjs
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
listen: $host:$port
EOF
  # setsid: its own process group, so a Ctrl-C of the caller does not race our own stop.
  setsid "$install/node_modules/.bin/verdaccio" --config "$state/config.yaml" >>"$state/verdaccio.log" 2>&1 </dev/null &
  pid=$!
  printf '%s\n' "$pid" >"$state/pid"
  url="http://$host:$port/-/ping"
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
      say "verdaccio (pid $pid) answers on http://$host:$port/ (uplink $UPLINK)"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 30 "$state/verdaccio.log" >&2 || true
  die "verdaccio did not answer on $url within 30 s"
}

stop_proxy() {
  local state="$1" pid
  is_running "$state" || {
    rm -f "$state/pid"
    return 0
  }
  pid="$(cat "$state/pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "verdaccio (pid $pid) did not stop within 15 s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$state/pid"
  say "verdaccio (pid $pid) stopped"
}

case "${1:-}" in
  install) install_proxy ;;
  start) start_proxy "${2:?STATE_DIR}" "${3:-}" "${4:-}" ;;
  stop) stop_proxy "${2:?STATE_DIR}" ;;
  *) die "usage: npm-proxy.sh install | start STATE_DIR [HOST PORT] | stop STATE_DIR" ;;
esac
