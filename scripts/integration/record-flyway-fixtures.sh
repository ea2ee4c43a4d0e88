#!/usr/bin/env bash
# Records what real Flyway prints with -outputType=json, against a real throwaway PostgreSQL,
# into test/fixtures/flyway/: the inputs of the engine-free parsers and checks in
# modules/flyway/src (info.ts, checksum.ts, released.ts) and of their tests.
#
# Usage: bash scripts/integration/record-flyway-fixtures.sh
# Runs as root (PostgreSQL started as user postgres with runuser) or as a normal user who can
# run initdb. Needs PostgreSQL (Debian's postgresql package), Java 17, Maven and Node; Flyway
# comes from Maven Central into the same cache as scripts/integration.sh.
#
# Scenarios, each in a fresh database of one cluster:
#   webshop    examples/webshop/db/migrations: info on an empty database, migrate, info,
#              validate; then V1_0_1 is edited after being applied: validate and migrate fail;
#              then it is reverted and renamed (V1.0.1__…, then another description): validate.
#   edge       test/fixtures/flyway/migrations/edge (BOM, CRLF, lone CR, no final newline,
#              UTF-8): migrate; then the repeatable is edited and two applied files removed: info.
#   broken     the webshop migrations plus migrations/broken (a SQL syntax error): migrate, info.
#   failed     the webshop migrations plus migrations/failed (a statement that cannot run in a
#              transaction, failing): migrate; migrate without the transactional lock, so Flyway
#              records it as failed; info; migrate again.
#   duplicate  the webshop migrations plus migrations/duplicate (a second 1.1.0): migrate, info.
# flyway_schema_history is saved as history-<scenario>.json after each first migrate, because
# `flyway info` JSON carries no checksums. manifest.json lists every run with its exit code.
#
# Environment (all optional):
#   FIXTURES_DIR    where to write (default test/fixtures/flyway)
#   XDG_CACHE_HOME  where the Flyway jars are cached (default ~/.cache)
#   KEEP_WORKDIR=1  keep the temporary directory
set -Eeuo pipefail
shopt -s nullglob

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HELPERS="$ROOT/scripts/integration"
OUT="${FIXTURES_DIR:-$ROOT/test/fixtures/flyway}"
CACHE_DIR="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pipeline-as-code"
# The folder name Flyway's JSON shows for migrations: the one the Dagger module mounts them at
# (modules/flyway/src/job.ts SQL_DIR), instead of this run's temporary directory.
STABLE_SQL_DIR=/flyway/sql
export REDGATE_DISABLE_TELEMETRY=true
START_SECONDS=$SECONDS
WORK=""
PG_BIN=""
PG_DATA=""
PG_PORT=""
DB_PASSWORD=""

log() { printf '[flyway-fixtures %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*"; }
die() {
  log "ERROR: $*"
  exit 1
}
as_postgres() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  local rc=$?
  trap - EXIT
  set +e
  if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1
  fi
  if ((rc != 0)) && [[ -f "$WORK/pg/postgres.log" ]]; then tail -n 20 "$WORK/pg/postgres.log"; fi
  if [[ -n "$WORK" && "${KEEP_WORKDIR:-}" != 1 ]]; then rm -rf "$WORK"; fi
  if ((rc == 0)); then log "done: fixtures in $OUT"; else log "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap cleanup EXIT

PG_BIN="$(for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" ]] && echo "$d"; done | sort -t/ -k5,5n | tail -n 1)"
[[ -n "$PG_BIN" ]] || die "PostgreSQL not found under /usr/lib/postgresql (apt-get install -y postgresql)"
command -v java >/dev/null || die "java is required (apt-get install -y openjdk-17-jre-headless)"
command -v node >/dev/null || die "node is required"

# Flyway from Maven Central, cached exactly where scripts/integration.sh caches it.
FLYWAY_VERSION="$(sed -n 's:.*<flyway.version>\(.*\)</flyway.version>.*:\1:p' "$HELPERS/pom.xml")"
pom_hash="$(cat "$HELPERS/pom.xml" "$HELPERS/maven-settings.xml" | sha256sum | cut -c1-12)"
FLYWAY_HOME="$CACHE_DIR/flyway/$FLYWAY_VERSION-$pom_hash"
if [[ ! -f "$FLYWAY_HOME/.complete" ]]; then
  command -v mvn >/dev/null || die "maven is required to fetch Flyway (apt-get install -y maven)"
  mkdir -p "$CACHE_DIR/flyway"
  staging="$(mktemp -d "$CACHE_DIR/flyway/.staging.XXXXXX")"
  log "fetching Flyway $FLYWAY_VERSION from Maven Central"
  mvn -q -B -s "$HELPERS/maven-settings.xml" -f "$HELPERS/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$staging/lib" || {
    rm -rf "$staging"
    die "could not fetch Flyway"
  }
  touch "$staging/.complete"
  rm -rf "$FLYWAY_HOME"
  mv "$staging" "$FLYWAY_HOME"
fi
log "Flyway $FLYWAY_VERSION from $FLYWAY_HOME; $("$PG_BIN/postgres" --version); $(java -version 2>&1 | head -n 1)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/flyway-fixtures.XXXXXX")"
chmod 755 "$WORK"
mkdir -p "$WORK/pg" "$WORK/sql" "$WORK/logs"
((EUID == 0)) && chown postgres: "$WORK/pg"
chmod 700 "$WORK/pg"
PG_DATA="$WORK/pg/data"
as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --no-locale -E UTF8 --auth-local=trust \
  --auth-host=scram-sha-256 --no-sync >"$WORK/logs/initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$WORK/logs/initdb.log")"
for attempt in 1 2 3 4 5; do
  PG_PORT="$(node "$HELPERS/free-port.mjs")"
  rm -f "$WORK/pg/postgres.log"
  if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$WORK/pg -c fsync=off" start >/dev/null 2>&1; then
    break
  fi
  # Another process may have taken the free port meanwhile: try another one.
  if ((attempt == 5)) || ! grep -qiE 'could not bind|already in use' "$WORK/pg/postgres.log"; then die "PostgreSQL did not start"; fi
done
DB_PASSWORD="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))')"
psql_admin() { as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK/pg" -p "$PG_PORT" -U postgres "$@"; }
psql_admin -d postgres >/dev/null <<SQL
CREATE ROLE flyway LOGIN PASSWORD '$DB_PASSWORD';
SQL
log "PostgreSQL on 127.0.0.1:$PG_PORT"

rm -rf "$OUT"/*.json "$OUT"/*.txt "$OUT/migrations/edited"
mkdir -p "$OUT/migrations/edited"
MANIFEST="$WORK/manifest.tsv"
: >"$MANIFEST"

# A fresh database and a migrations folder for one scenario: copies of the given folders' .sql files.
scenario() {
  local name="$1"
  shift
  psql_admin -d postgres -c "CREATE DATABASE $name OWNER flyway" >/dev/null
  mkdir -p "$WORK/sql/$name"
  local dir
  for dir in "$@"; do cp "$dir"/*.sql "$WORK/sql/$name/"; done
}

# Flyway's output for one command, made stable: this run's folder -> $STABLE_SQL_DIR, port -> 5432.
normalise() {
  local name="$1"
  sed -e "s#$WORK/sql/$name#$STABLE_SQL_DIR#g" -e "s#127\.0\.0\.1:$PG_PORT#127.0.0.1:5432#g"
}

# Flyway on scenario NAME's database and folder; SETTINGS (FLYWAY_X=value ...) go into its environment.
flyway() {
  local name="$1" settings="$2"
  shift 2
  # shellcheck disable=SC2086 # settings are space-separated NAME=value words
  env FLYWAY_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/$name" FLYWAY_USER=flyway FLYWAY_PASSWORD="$DB_PASSWORD" \
    FLYWAY_LOCATIONS="filesystem:$WORK/sql/$name" $settings \
    java -cp "$FLYWAY_HOME/lib/*" org.flywaydb.commandline.Main -skipCheckForUpdate "$@"
}

# Runs one Flyway command the way the module does (-outputType=json COMMAND) and keeps stdout as
# FIXTURE.json, the exit code in the manifest; stderr goes to a log (shown when not empty).
# Usage: record FIXTURE SCENARIO COMMAND [SETTINGS]
record() {
  local fixture="$1" name="$2" command="$3" settings="${4:-}"
  local rc=0
  flyway "$name" "$settings" -outputType=json "$command" >"$WORK/logs/$fixture.stdout" 2>"$WORK/logs/$fixture.stderr" || rc=$?
  normalise "$name" <"$WORK/logs/$fixture.stdout" >"$OUT/$fixture.json"
  node -e 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))' "$OUT/$fixture.json" ||
    die "$fixture: flyway $command did not print JSON (see $OUT/$fixture.json)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$fixture.json" json "$name" "$command" "$rc" "$settings" >>"$MANIFEST"
  log "$fixture: ${settings:+$settings }flyway -outputType=json $command on $name exited $rc"
  if [[ -s "$WORK/logs/$fixture.stderr" ]]; then sed -e "s/^/  stderr: /" "$WORK/logs/$fixture.stderr"; fi
}

# The same command with Flyway's default text output (stdout and stderr) as FIXTURE.txt, to show
# where its exit code differs from the JSON run's.
record_text() {
  local fixture="$1" name="$2" command="$3"
  local rc=0
  flyway "$name" "" "$command" >"$WORK/logs/$fixture.txt" 2>&1 || rc=$?
  normalise "$name" <"$WORK/logs/$fixture.txt" >"$OUT/$fixture.txt"
  printf '%s\t%s\t%s\t%s\t%s\t\n' "$fixture.txt" text "$name" "$command" "$rc" >>"$MANIFEST"
  log "$fixture: flyway $command (text output) on $name exited $rc"
}

# flyway_schema_history as JSON (what Flyway stored, checksums included), without the columns
# that change from run to run (installed_on, execution_time).
save_history() {
  local name="$1"
  psql_admin -d "$name" -At >"$OUT/history-$name.json" <<'SQL'
SELECT jsonb_pretty(coalesce(jsonb_agg(jsonb_build_object(
  'installed_rank', installed_rank, 'version', version, 'description', description, 'type', type,
  'script', script, 'checksum', checksum, 'installed_by', installed_by, 'success', success
) ORDER BY installed_rank), '[]'::jsonb)) FROM flyway_schema_history;
SQL
  log "history-$name: $(node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).length)' "$OUT/history-$name.json") row(s)"
}

EXAMPLE="$ROOT/examples/webshop/db/migrations"
FIXTURE_SQL="$OUT/migrations"
# Appended to V1_0_1 after it was applied: the edit the checksum check must catch.
EDIT_LINE="-- edited after release"

scenario webshop "$EXAMPLE"
record info-empty webshop info
record migrate-success webshop migrate
save_history webshop
record info-migrated webshop info
record validate-success webshop validate
printf '%s\n' "$EDIT_LINE" >>"$WORK/sql/webshop/V1_0_1__seed_products.sql"
cp "$WORK/sql/webshop/V1_0_1__seed_products.sql" "$OUT/migrations/edited/"
record validate-checksum-mismatch webshop validate
record_text validate-checksum-mismatch webshop validate
record migrate-checksum-mismatch webshop migrate
# Renames of the (reverted) file: Flyway compares versions and descriptions, not file names.
rm "$WORK/sql/webshop/V1_0_1__seed_products.sql"
cp "$EXAMPLE/V1_0_1__seed_products.sql" "$WORK/sql/webshop/V1.0.1__seed_products.sql"
record validate-renamed-separator webshop validate
mv "$WORK/sql/webshop/V1.0.1__seed_products.sql" "$WORK/sql/webshop/V1_0_1__seed_catalogue.sql"
record validate-renamed-description webshop validate

scenario edge "$FIXTURE_SQL/edge"
record migrate-edge edge migrate
save_history edge
# Drift: the repeatable changed (Outdated), the highest applied file gone (Future), one below it gone (Missing).
printf '%s\n' "-- edited: a repeatable may change" >>"$WORK/sql/edge/R__edge_views.sql"
rm "$WORK/sql/edge/V1_0_3__mixed_endings.sql" "$WORK/sql/edge/V1_0_1__cr_only.sql"
record info-drift edge info
record validate-drift edge validate

scenario broken "$EXAMPLE" "$FIXTURE_SQL/broken"
record migrate-sql-error broken migrate
save_history broken
record info-after-sql-error broken info

# A statement PostgreSQL cannot run in a transaction fails. With Flyway's default lock (held in a
# transaction on the schema history connection) the failure row is rolled back with the lock:
# nothing is recorded. Without that lock Flyway records it as failed, and the next migrate refuses.
scenario failed "$EXAMPLE" "$FIXTURE_SQL/failed"
record migrate-non-transactional-error failed migrate
record migrate-failed failed migrate FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK=false
save_history failed
record info-failed failed info
record migrate-after-failed failed migrate

scenario duplicate "$EXAMPLE" "$FIXTURE_SQL/duplicate"
record migrate-duplicate-version duplicate migrate
record info-duplicate-version duplicate info

# Flyway's own checksum code on texts no database run can cover (two BOMs, a BOM later in the
# file, lone surrogates, Unicode line separators, a CRLF split across Java's 4096-char buffer):
# a small Java program (ours) calls org.flywaydb.core.internal.resolver.ChecksumCalculator on
# each text and prints the result. Texts travel as UTF-16 code units in hex, so lone
# surrogates survive. Writes checksum-cases.json: [{ name, text, checksum }].
cat >"$WORK/FlywayChecksum.java" <<'JAVA'
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.resolver.ChecksumCalculator;

/** Reads "NAME<TAB>UTF-16 code units in hex" lines; prints "NAME<TAB>checksum" from Flyway's ChecksumCalculator. */
public class FlywayChecksum {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            final String[] parts = line.split("\t", -1);
            final StringBuilder text = new StringBuilder();
            for (int i = 0; i + 4 <= parts[1].length(); i += 4) text.append((char) Integer.parseInt(parts[1].substring(i, i + 4), 16));
            final String content = text.toString();
            final LoadableResource resource = new LoadableResource() {
                public Reader read() { return new StringReader(content); }
                public String getAbsolutePath() { return parts[0]; }
                public String getAbsolutePathOnDisk() { return parts[0]; }
                public String getFilename() { return parts[0]; }
                public String getRelativePath() { return parts[0]; }
            };
            System.out.println(parts[0] + "\t" + ChecksumCalculator.calculate(resource));
        }
    }
}
JAVA
# shellcheck disable=SC2016 # JavaScript, not shell expansions
node -e '
  const cases = {
    "empty": "",
    "only line endings": "\n\r\n\r",
    "LF": "SELECT 1;\nSELECT 2;\n",
    "CRLF": "SELECT 1;\r\nSELECT 2;\r\n",
    "CR": "SELECT 1;\rSELECT 2;\r",
    "no final newline": "SELECT 1;\nSELECT 2;",
    "blank lines": "SELECT 1;\n\n\r\n\nSELECT 2;\n\n",
    "BOM": "\uFEFFSELECT 1;\nSELECT 2;\n",
    "BOM alone on the first line": "\uFEFF\nSELECT 1;\nSELECT 2;\n",
    "two BOMs": "\uFEFF\uFEFFSELECT 1;\nSELECT 2;\n",
    "BOM after the start": "SELECT 1;\n\uFEFFSELECT 2;\n",
    "trailing spaces and tabs": "SELECT 1;  \t\nSELECT 2;\n",
    "other line separators (NEL, LS, PS, VT, FF)": "SELECT 1;\u0085SELECT 2;\u2028\u2029\u000b\u000c",
    "non-ASCII": "-- café € 日本語 😀\nSELECT 1;\n",
    "lone high surrogate": "SELECT 1; -- \uD800 x\n",
    "lone low surrogate": "SELECT 1; -- \uDC00\n",
    "CRLF across the 4096-character buffer": "-".repeat(4095) + "\r\n" + "SELECT 1;\r\n",
    "long line": "x".repeat(10000) + "\n",
  };
  const hex = (s) => [...Array(s.length).keys()].map((i) => s.charCodeAt(i).toString(16).padStart(4, "0")).join("");
  for (const [name, text] of Object.entries(cases)) process.stdout.write(`${name}\t${hex(text)}\n`);
  require("node:fs").writeFileSync(process.argv[1], JSON.stringify(cases));
' "$WORK/checksum-cases.input.json" >"$WORK/checksum-cases.tsv"
java -cp "$FLYWAY_HOME/lib/*" "$WORK/FlywayChecksum.java" <"$WORK/checksum-cases.tsv" >"$WORK/checksum-cases.out" ||
  die "Flyway's ChecksumCalculator could not be run"
# shellcheck disable=SC2016 # JavaScript, not shell expansions
node -e '
  const fs = require("node:fs");
  const [input, output, out, flyway] = process.argv.slice(1);
  const texts = JSON.parse(fs.readFileSync(input, "utf8"));
  const sums = new Map(fs.readFileSync(output, "utf8").trim().split("\n").map((l) => l.split("\t")));
  const cases = Object.entries(texts).map(([name, text]) => {
    if (!sums.has(name)) throw new Error(`no checksum for ${name}`);
    return { name, text, checksum: Number(sums.get(name)) };
  });
  // Escaped, so BOMs, separators and surrogates stay visible in the fixture.
  const json = JSON.stringify({ flyway, cases }, null, 2).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  fs.writeFileSync(`${out}/checksum-cases.json`, json + "\n");
' "$WORK/checksum-cases.input.json" "$WORK/checksum-cases.out" "$OUT" "$FLYWAY_VERSION"
log "checksum-cases: $(wc -l <"$WORK/checksum-cases.out") texts checksummed by Flyway's ChecksumCalculator"

# The manifest: every recorded output with its command and exit code, read by the tests.
# shellcheck disable=SC2016 # JavaScript, not shell expansions
node -e '
  const fs = require("node:fs");
  const [tsv, out, flyway, postgres] = process.argv.slice(1);
  const runs = fs.readFileSync(tsv, "utf8").trim().split("\n").map((l) => {
    const [file, output, database, command, exitCode, settings] = l.split("\t");
    return { file, output, database, command, ...(settings ? { settings } : {}), exitCode: Number(exitCode) };
  });
  fs.writeFileSync(`${out}/manifest.json`, JSON.stringify({ flyway, postgres, runs }, null, 2) + "\n");
' "$MANIFEST" "$OUT" "$FLYWAY_VERSION" "$("$PG_BIN/postgres" --version)"
