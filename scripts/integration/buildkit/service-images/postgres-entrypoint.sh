#!/usr/bin/env bash
# /usr/local/bin/docker-entrypoint.sh of the postgres:15-bookworm stand-in that
# scripts/integration/buildkit/service-images.sh builds from Debian's postgresql-15 package.
# Written for this project (not the official image's script). It keeps the part of the official
# image's contract that Compose files and Dagger services rely on:
#   POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (default
#   postgres, the superuser), POSTGRES_DB (default: the user), PGDATA (default
#   /var/lib/postgresql/data), POSTGRES_INITDB_ARGS, POSTGRES_INITDB_WALDIR,
#   POSTGRES_HOST_AUTH_METHOD (default: the server's password_encryption, scram-sha-256), and
#   POSTGRES_{PASSWORD,USER,DB,INITDB_ARGS}_FILE (Docker secrets, read as root) instead of the
#   plain variables;
#   first start (no PGDATA/PG_VERSION): initdb as postgres; TCP connections from any address with
#   that auth method (Unix socket and loopback stay trusted, as initdb makes them); the database;
#   then /docker-entrypoint-initdb.d/*.sh (run if executable, else sourced), *.sql and *.sql.gz in
#   name order, against a temporary server (with the same server options) that listens on the
#   Unix socket only: as with the official image, pg_isready on the socket already answers then;
#   every start: postgres in the foreground, as the postgres user, as PID 1 (exec), listening on *.
# Arguments: none or "postgres ..." (the CMD), or options ("-c x=y": postgres is put in front);
# any other command is run as it is (docker run IMAGE psql ...).
# Differences: POSTGRES_INITDB_ARGS is split on white space (quotes are not interpreted); running
# under --user with an id that /etc/passwd lacks is not supported (the official image uses nss_wrapper).
set -Eeuo pipefail
shopt -s nullglob

say() { printf 'docker-entrypoint: %s\n' "$*"; }
fail() {
  printf 'docker-entrypoint: error: %s\n' "$*" >&2
  exit 1
}

# Options after which postgres prints something and exits: no initialisation for those.
prints_and_exits() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      '-?' | --help | --describe-config | -V | --version) return 0 ;;
    esac
  done
  return 1
}

# from_env_or_file NAME DEFAULT: NAME from $NAME or from the file named by $NAME_FILE (not both).
from_env_or_file() {
  local name="$1" default="$2" file_var="${1}_FILE" value
  if [[ -n "${!name:-}" && -n "${!file_var:-}" ]]; then
    fail "both $name and $file_var are set; set one of them"
  fi
  value="$default"
  if [[ -n "${!name:-}" ]]; then
    value="${!name}"
  elif [[ -n "${!file_var:-}" ]]; then
    [[ -r "${!file_var}" ]] || fail "$file_var=${!file_var}: no such file, or not readable"
    value="$(<"${!file_var}")"
  fi
  export "$name=$value"
  unset "$file_var"
}

missing_password() {
  cat >&2 <<'EOF'
docker-entrypoint: error: the database is not initialised yet and no superuser password is set.
  Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value, for example
  `docker run -e POSTGRES_PASSWORD=... IMAGE` or `environment: {POSTGRES_PASSWORD: ...}` in Compose.
  To accept every connection without any password instead (not recommended), set
  POSTGRES_HOST_AUTH_METHOD=trust; see https://www.postgresql.org/docs/15/auth-trust.html
EOF
  exit 1
}

# psql as the superuser over the temporary server's Unix socket (trusted by initdb's defaults).
init_psql() {
  PGHOST="" PGHOSTADDR="" psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" "$@"
}

run_initdb() {
  local -a args=(--username="$POSTGRES_USER") extra=()
  [[ -n "${POSTGRES_INITDB_WALDIR:-}" ]] && args+=(--waldir="$POSTGRES_INITDB_WALDIR")
  read -r -a extra <<<"$POSTGRES_INITDB_ARGS"
  if [[ -n "$POSTGRES_PASSWORD" ]]; then
    # The password reaches initdb through a pipe, never a file or the command line.
    initdb "${args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${extra[@]}"
  else
    initdb "${args[@]}" "${extra[@]}"
  fi
}

# initialise POSTGRES_ARGS...: first start; the arguments are the server's (e.g. -c name=value),
# which the temporary server gets too.
initialise() {
  local auth="${POSTGRES_HOST_AUTH_METHOD:-}" exists file options
  if [[ -z "$POSTGRES_PASSWORD" && "$auth" != trust ]]; then missing_password; fi
  if [[ "$auth" == trust ]]; then
    say "WARNING: POSTGRES_HOST_AUTH_METHOD=trust: every TCP connection is accepted without a password"
  fi
  # Fail before initdb rather than leave a half-initialised cluster behind.
  [[ -r /docker-entrypoint-initdb.d && -x /docker-entrypoint-initdb.d ]] ||
    fail "/docker-entrypoint-initdb.d is not readable by the postgres user"

  say "initialising a database cluster in $PGDATA (superuser $POSTGRES_USER)"
  run_initdb
  # Host connections use the server's password_encryption (scram-sha-256 unless -c changes it).
  [[ -n "$auth" ]] || auth="$(postgres -C password_encryption "$@")"
  printf '\n# docker-entrypoint.sh: TCP connections from any address.\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

  # For local connections too, should POSTGRES_INITDB_ARGS ask for passwords there.
  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  say "starting a temporary server on the Unix socket only"
  printf -v options '%q ' "$@" -c "listen_addresses=" -p "${PGPORT:-5432}"
  pg_ctl -D "$PGDATA" -w -t 60 -o "$options" start
  if [[ "$POSTGRES_DB" != postgres ]]; then
    exists="$(init_psql --dbname postgres -tA -v db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
    if [[ "$exists" != 1 ]]; then
      say "creating database $POSTGRES_DB"
      init_psql --dbname postgres -q -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    fi
  fi

  for file in /docker-entrypoint-initdb.d/*; do
    case "$file" in
      *.sh)
        if [[ -x "$file" ]]; then
          say "running $file"
          "$file"
        else
          say "sourcing $file"
          set +u
          # shellcheck disable=SC1090 # the user's init script
          . "$file"
          set -u
        fi
        ;;
      *.sql)
        say "running $file"
        init_psql --dbname "$POSTGRES_DB" -f "$file"
        ;;
      *.sql.gz)
        say "running $file"
        gzip -dc "$file" | init_psql --dbname "$POSTGRES_DB"
        ;;
      *) say "ignoring $file (not .sh, .sql or .sql.gz)" ;;
    esac
  done
  unset PGPASSWORD

  say "stopping the temporary server"
  pg_ctl -D "$PGDATA" -m fast -w -t 60 stop
  say "initialisation complete; starting PostgreSQL"
}

if [[ "${1:-}" == -* ]]; then set -- postgres "$@"; fi
if [[ "${1:-}" != postgres ]] || prints_and_exits "$@"; then exec "$@"; fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
# Read here, as root the first time: secret files may be readable by root only.
from_env_or_file POSTGRES_PASSWORD ""
from_env_or_file POSTGRES_USER postgres
from_env_or_file POSTGRES_DB "$POSTGRES_USER"
from_env_or_file POSTGRES_INITDB_ARGS ""

if [[ "$(id -u)" == 0 ]]; then
  # As root: make the directories the postgres user needs (a fresh volume is root's), then run
  # this script again as postgres. setpriv (util-linux) execs: no process stays in between.
  mkdir -p "$PGDATA" /var/run/postgresql
  find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 00700 "$PGDATA"
  chmod 03775 /var/run/postgresql
  if [[ -n "${POSTGRES_INITDB_WALDIR:-}" ]]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres:postgres '{}' +
    chmod 00700 "$POSTGRES_INITDB_WALDIR"
  fi
  HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ -s "$PGDATA/PG_VERSION" ]]; then
  say "$PGDATA already holds a database cluster (PostgreSQL $(<"$PGDATA/PG_VERSION")): no initialisation"
else
  initialise "${@:2}"
fi
exec "$@"
