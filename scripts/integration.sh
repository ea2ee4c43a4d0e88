#!/usr/bin/env bash
# Integration test of examples/webshop with real components, no containers:
#   Debian's PostgreSQL 15 and Chromium, Flyway from Maven Central, the backend and the
#   frontend server as Node processes, Playwright driving Chromium through all of them.
#
# Usage: bash scripts/integration.sh        (or: npm run test:integration)
# Runs as root on a fresh Debian machine (installs what is missing with apt-get) or as a
# normal user when PostgreSQL, Chromium, Java and Maven are already installed.
# Everything runs on 127.0.0.1, on ports chosen free at run time; all state lives in a
# temporary directory that is removed at the end, pass or fail.
#
# Environment (all optional):
#   CHROMIUM_PATH   browser for Playwright (default /usr/bin/chromium)
#   XDG_CACHE_HOME  where the Flyway jars are cached (default ~/.cache)
#   KEEP_WORKDIR=1  keep the temporary directory (logs, database) for debugging
set -Eeuo pipefail
shopt -s nullglob

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELPERS="$ROOT/scripts/integration"
APP="$ROOT/examples/webshop"
CACHE_DIR="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pipeline-as-code"
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export DEBIAN_FRONTEND=noninteractive
# Flyway: no telemetry from CI machines (the update check is off with -skipCheckForUpdate).
export REDGATE_DISABLE_TELEMETRY=true

START_SECONDS=$SECONDS
STEP="initialising"
ERROR_REPORTED=""
WORK=""
PG_BIN=""
PG_DATA=""
PG_SOCKET_DIR=""
PG_PORT=""
DB_PASSWORD=""
FLYWAY_HOME=""
BACKEND_PID=""
BACKEND_PORT=""
FRONTEND_PID=""
FRONTEND_PORT=""
SERVICE_PID=""
SERVICE_PORT=""

log() { printf '[integration %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*"; }
step() {
  STEP="$1"
  log "==> $STEP"
}
die() {
  log "ERROR: $*"
  exit 1
}

tail_log() {
  local name="$1" file="$2"
  [[ -s "$file" ]] || return 0
  echo "----- last 40 lines of the $name log ($file) -----"
  tail -n 40 "$file" | sed -e 's/^/  /'
}

# shellcheck source=scripts/integration/lib.sh
source "$HELPERS/lib.sh"

as_postgres() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_postgres() {
  if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM ERR
  set +e
  if ((rc != 0)); then
    echo
    log "FAILED in step: $STEP (exit code $rc)"
    if [[ -n "$WORK" ]]; then
      tail_log backend "$WORK/backend.log"
      tail_log frontend "$WORK/frontend.log"
      tail_log postgres "$WORK/pg/postgres.log"
    fi
    if [[ -d "$APP/e2e/playwright-report" && "$STEP" == *Playwright* ]]; then
      echo "Playwright HTML report (traces and screenshots of failed tests): $APP/e2e/playwright-report"
    fi
  fi
  stop_process frontend "$FRONTEND_PID" 5
  stop_process backend "$BACKEND_PID" 5
  # A service whose start failed half-way (not yet recorded above).
  stop_process service "$SERVICE_PID" 5
  stop_postgres
  if [[ -n "$WORK" ]]; then
    if [[ "${KEEP_WORKDIR:-}" == 1 ]]; then
      log "keeping $WORK (KEEP_WORKDIR=1)"
    else
      rm -rf "$WORK"
    fi
  fi
  if ((rc == 0)); then
    log "PASSED: examples/webshop integration test in $((SECONDS - START_SECONDS))s"
  else
    log "FAILED: examples/webshop integration test (step: $STEP)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Report the first failing command once (ERR also fires in every caller of a failed function).
trap 'rc=$?; if [[ -z "$ERROR_REPORTED" ]]; then ERROR_REPORTED=1; log "command failed (exit $rc) at line $LINENO: $BASH_COMMAND"; fi' ERR

# Runs a command with its output in $WORK/logs/NAME.log; prints the log's tail on failure
# and the lines matching SUMMARY (a grep -E pattern) on success.
run_logged() {
  local name="$1" summary="$2"
  shift 2
  local file="$WORK/logs/$name.log"
  if "$@" >"$file" 2>&1; then
    if [[ -n "$summary" ]]; then grep -E "$summary" "$file" | sed -e "s/^/  $name: /" || true; fi
  else
    local rc=$?
    echo "----- last 60 lines of $name ($file) -----"
    tail -n 60 "$file" | sed -e 's/^/  /'
    return "$rc"
  fi
}

free_port() { node "$HELPERS/free-port.mjs"; }

# Prints the bin directory of the newest PostgreSQL installed from Debian's packages.
find_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" && -x "$dir/psql" ]]; then
      echo "$dir"
    fi
  done | sort -t/ -k5,5n | tail -n 1
}

# ---------------------------------------------------------------------------------------
step "check prerequisites"
command -v node >/dev/null || die "node is required (Node.js >= 20.19)"
command -v npm >/dev/null || die "npm is required"
# shellcheck disable=SC2016 # JavaScript template literal, not a shell expansion
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Node.js ${process.versions.node} is too old: Vite 8 needs ^20.19 or >= 22.12`);
    process.exit(1);
  }' || die "unsupported Node.js version"
log "node $(node --version), npm $(npm --version 2>/dev/null)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/webshop-integration.XXXXXX")"
chmod 755 "$WORK"
mkdir -p "$WORK/logs"
log "work directory $WORK"

# ---------------------------------------------------------------------------------------
step "install missing system packages (PostgreSQL, Chromium, Java, Maven)"
missing=()
PG_BIN="$(find_pg_bin)"
[[ -n "$PG_BIN" ]] || missing+=(postgresql)
[[ -x "$CHROMIUM_PATH" ]] || missing+=(chromium)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
if ((${#missing[@]} > 0)); then
  if ((EUID != 0)); then
    die "missing packages: ${missing[*]} (run as root to install them with apt-get)"
  fi
  [[ " ${missing[*]} " == *" chromium "* && "$CHROMIUM_PATH" != /usr/bin/chromium ]] &&
    die "CHROMIUM_PATH=$CHROMIUM_PATH does not exist"
  log "apt-get install ${missing[*]}"
  run_logged apt-get-update "" apt-get -o DPkg::Lock::Timeout=300 update
  run_logged apt-get-install "" apt-get -o DPkg::Lock::Timeout=300 install -y "${missing[@]}"
  PG_BIN="$(find_pg_bin)"
  [[ -n "$PG_BIN" ]] || die "PostgreSQL binaries not found under /usr/lib/postgresql after installing"
else
  log "all installed"
fi
log "PostgreSQL: $("$PG_BIN/postgres" --version)"
log "Chromium: $("$CHROMIUM_PATH" --version 2>/dev/null || echo "$CHROMIUM_PATH")"
log "Java: $(java -version 2>&1 | head -n 1)"

# ---------------------------------------------------------------------------------------
FLYWAY_VERSION="$(sed -n 's:.*<flyway.version>\(.*\)</flyway.version>.*:\1:p' "$HELPERS/pom.xml")"
step "Flyway $FLYWAY_VERSION from Maven Central"
[[ -n "$FLYWAY_VERSION" ]] || die "no <flyway.version> in $HELPERS/pom.xml"
pom_hash="$(cat "$HELPERS/pom.xml" "$HELPERS/maven-settings.xml" | sha256sum | cut -c1-12)"
FLYWAY_HOME="$CACHE_DIR/flyway/$FLYWAY_VERSION-$pom_hash"
if [[ -f "$FLYWAY_HOME/.complete" ]]; then
  log "cached in $FLYWAY_HOME"
else
  mkdir -p "$CACHE_DIR/flyway"
  staging="$(mktemp -d "$CACHE_DIR/flyway/.staging.XXXXXX")"
  log "mvn dependency:copy-dependencies -> $FLYWAY_HOME"
  if ! run_logged maven "" mvn -B -s "$HELPERS/maven-settings.xml" -f "$HELPERS/pom.xml" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging/lib"; then
    rm -rf "$staging"
    die "could not fetch Flyway $FLYWAY_VERSION from Maven Central"
  fi
  touch "$staging/.complete"
  rm -rf "$FLYWAY_HOME"
  mv "$staging" "$FLYWAY_HOME"
fi
ls "$FLYWAY_HOME/lib/flyway-commandline-$FLYWAY_VERSION.jar" "$FLYWAY_HOME/lib/flyway-database-postgresql-$FLYWAY_VERSION.jar" >/dev/null ||
  die "Flyway jars missing in $FLYWAY_HOME/lib"

flyway() {
  FLYWAY_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/webshop" \
    FLYWAY_USER=webshop \
    FLYWAY_PASSWORD="$DB_PASSWORD" \
    FLYWAY_LOCATIONS="filesystem:$APP/db/migrations" \
    FLYWAY_VALIDATE_MIGRATION_NAMING=true \
    java -cp "$FLYWAY_HOME/lib/*" org.flywaydb.commandline.Main -skipCheckForUpdate "$@"
}

# ---------------------------------------------------------------------------------------
step "start a throwaway PostgreSQL cluster"
mkdir -p "$WORK/pg"
PG_SOCKET_DIR="$WORK/pg"
PG_DATA="$WORK/pg/data"
((EUID == 0)) && chown postgres: "$WORK/pg"
chmod 700 "$WORK/pg"
# Local (socket) connections are trusted: the socket lives in a directory only the cluster's
# owner can enter. TCP connections need a password (scram-sha-256).
run_logged initdb "" as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --no-locale -E UTF8 \
  --auth-local=trust --auth-host=scram-sha-256 --no-sync
for attempt in 1 2 3 4 5; do
  PG_PORT="$(free_port)"
  rm -f "$WORK/pg/postgres.log"
  if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_SOCKET_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >"$WORK/logs/pg_ctl.log" 2>&1; then
    break
  fi
  if grep -qiE 'could not bind|address already in use' "$WORK/pg/postgres.log" && ((attempt < 5)); then
    log "port $PG_PORT was taken, retrying with another one"
    continue
  fi
  cat "$WORK/logs/pg_ctl.log"
  die "PostgreSQL did not start"
done
log "PostgreSQL listening on 127.0.0.1:$PG_PORT (data in $PG_DATA)"

step "create database 'webshop' and user 'webshop' with a random password"
DB_PASSWORD="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))')"
# The password goes through stdin, never on a command line or into a log.
as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres >/dev/null <<SQL
CREATE ROLE webshop LOGIN PASSWORD '$DB_PASSWORD';
CREATE DATABASE webshop OWNER webshop;
SQL
log "created (password not shown)"

# ---------------------------------------------------------------------------------------
step "Flyway migrate"
flyway migrate 2>&1 | awk '!/^(See release notes|$)/ { print "  flyway: " $0 }'

step "Flyway validate"
flyway validate 2>&1 | awk '!/^(See release notes|$)/ { print "  flyway: " $0 }'

step "Flyway info: schema version is the highest migration"
flyway info -outputType=json >"$WORK/flyway-info.json" 2>"$WORK/logs/flyway-info.log" || {
  cat "$WORK/flyway-info.json" "$WORK/logs/flyway-info.log"
  die "flyway info failed"
}
EXPECTED_SCHEMA_VERSION="$(node "$HELPERS/check-flyway-info.mjs" "$WORK/flyway-info.json" "$APP/db/migrations")"
log "schema version $EXPECTED_SCHEMA_VERSION = highest migration in db/migrations"

# ---------------------------------------------------------------------------------------
TEST_SUMMARY='^(#|ℹ) (tests|pass|fail) '
for part in backend frontend; do
  step "$part: npm ci"
  (cd "$APP/$part" && run_logged "$part-npm-ci" '^added' npm ci --no-audit --no-fund)
  step "$part: lint (biome)"
  (cd "$APP/$part" && run_logged "$part-lint" '^Checked' npm run lint)
  step "$part: typecheck (tsc)"
  (cd "$APP/$part" && run_logged "$part-typecheck" '' npm run typecheck)
  step "$part: unit tests (node --test)"
  (cd "$APP/$part" && run_logged "$part-test" "$TEST_SUMMARY" npm test)
  step "$part: build"
  (cd "$APP/$part" && run_logged "$part-build" '' npm run build)
done
step "e2e: npm ci"
(cd "$APP/e2e" && run_logged e2e-npm-ci '^added' npm ci --no-audit --no-fund)

# ---------------------------------------------------------------------------------------
# Starts a Node service on a free port and waits for READY_PATH; retries on EADDRINUSE.
# Usage: start_service NAME DIR READY_PATH [--expect k=v]... -- ENV=VALUE... -- COMMAND...
# Sets SERVICE_PID and SERVICE_PORT.
start_service() {
  local name="$1" dir="$2" ready_path="$3"
  shift 3
  local wait_args=()
  while [[ "$1" != "--" ]]; do
    wait_args+=("$1")
    shift
  done
  shift
  local env_args=()
  while [[ "$1" != "--" ]]; do
    env_args+=("$1")
    shift
  done
  shift
  local attempt rc
  for attempt in 1 2 3; do
    SERVICE_PORT="$(free_port)"
    (cd "$dir" && exec env "${env_args[@]}" PORT="$SERVICE_PORT" HOST=127.0.0.1 "$@") \
      >>"$WORK/$name.log" 2>&1 &
    SERVICE_PID=$!
    rc=0
    node "$HELPERS/wait-http.mjs" "http://127.0.0.1:$SERVICE_PORT$ready_path" \
      --pid "$SERVICE_PID" --timeout-ms 60000 "${wait_args[@]}" || rc=$?
    if ((rc == 0)); then
      return 0
    fi
    if ((rc == 3)) && grep -q EADDRINUSE "$WORK/$name.log" && ((attempt < 3)); then
      log "$name: port $SERVICE_PORT was taken, retrying with another one"
      wait "$SERVICE_PID" 2>/dev/null || true
      continue
    fi
    return 1
  done
}

step "start the backend (node dist/server.js)"
start_service backend "$APP/backend" /health \
  --expect status=ok --expect "database.schemaVersion=$EXPECTED_SCHEMA_VERSION" -- \
  "DATABASE_URL=postgresql://webshop:$DB_PASSWORD@127.0.0.1:$PG_PORT/webshop" -- \
  node dist/server.js
BACKEND_PID="$SERVICE_PID"
BACKEND_PORT="$SERVICE_PORT"
SERVICE_PID=""
log "backend pid $BACKEND_PID on http://127.0.0.1:$BACKEND_PORT"

step "start the frontend server (node server.mjs)"
start_service frontend "$APP/frontend" /health \
  --expect status=ok --expect "database.schemaVersion=$EXPECTED_SCHEMA_VERSION" -- \
  "BACKEND_URL=http://127.0.0.1:$BACKEND_PORT" -- \
  node server.mjs
FRONTEND_PID="$SERVICE_PID"
FRONTEND_PORT="$SERVICE_PORT"
SERVICE_PID=""
log "frontend pid $FRONTEND_PID on http://127.0.0.1:$FRONTEND_PORT"

# ---------------------------------------------------------------------------------------
step "Playwright end-to-end tests (Chromium -> frontend -> backend -> PostgreSQL)"
BACKEND_VERSION="$(node -p 'require(process.argv[1]).version' "$APP/backend/package.json")"
rm -rf "$APP/e2e/test-results" "$APP/e2e/playwright-report"
(
  cd "$APP/e2e"
  BASE_URL="http://127.0.0.1:$FRONTEND_PORT" \
    CHROMIUM_PATH="$CHROMIUM_PATH" \
    EXPECTED_BACKEND_VERSION="$BACKEND_VERSION" \
    EXPECTED_SCHEMA_VERSION="$EXPECTED_SCHEMA_VERSION" \
    CI=1 \
    npx playwright test
)

# ---------------------------------------------------------------------------------------
step "database outage: /health answers 503"
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null
node "$HELPERS/wait-http.mjs" "http://127.0.0.1:$BACKEND_PORT/health" --status 503 \
  --timeout-ms 20000 --expect error=database_unavailable --expect status=error
node "$HELPERS/wait-http.mjs" "http://127.0.0.1:$FRONTEND_PORT/health" --status 503 \
  --timeout-ms 20000 --expect error=database_unavailable

step "graceful shutdown on SIGTERM"
stop_process frontend "$FRONTEND_PID" 15
FRONTEND_PID=""
((STOPPED_RC == 0)) || die "frontend exited with status $STOPPED_RC after SIGTERM (expected 0)"
stop_process backend "$BACKEND_PID" 15
BACKEND_PID=""
((STOPPED_RC == 0)) || die "backend exited with status $STOPPED_RC after SIGTERM (expected 0)"
grep -q '"message":"stopped"' "$WORK/backend.log" || die "backend did not log a clean stop"
log "backend and frontend exited 0"

STEP="done"
log "versions: backend $BACKEND_VERSION, schema $EXPECTED_SCHEMA_VERSION, Flyway $FLYWAY_VERSION, $("$PG_BIN/postgres" --version)"
