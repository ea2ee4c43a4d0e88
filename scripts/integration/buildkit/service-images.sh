#!/usr/bin/env bash
# Builds the stand-ins for the service images the pipeline runs (no container registry is
# reachable here, so postgres:15-bookworm and flyway/flyway cannot be pulled) from Debian
# packages, and pushes them to the local registry under the names a Nexus docker-group mirror
# would serve:
#
#   REGISTRY/docker-group/library/postgres:15-bookworm   debootstrap minbase + postgresql-15 and
#       locales (trimmed as debian:bookworm-slim), user postgres 999:999, en_US.UTF-8, and our own
#       docker-entrypoint.sh (service-images/postgres-entrypoint.sh) with the official image's
#       environment contract (POSTGRES_PASSWORD/USER/DB, PGDATA, POSTGRES_INITDB_ARGS, init scripts)
#   REGISTRY/docker-group/flyway/flyway:<version>         debootstrap minbase + openjdk-17-jre-headless
#       + the Flyway jars of scripts/integration/pom.xml (Maven Central), laid out as in Flyway's
#       tarball under /flyway, with a launcher (service-images/flyway-launcher.sh) as /flyway/flyway
#
# What each keeps of the official images' contract and what differs: buildkit/README.md.
#
# Usage: service-images.sh REGISTRY WORK_DIR            (as root: debootstrap, chroot)
# Caches (never required): the root file systems as tarballs in
# ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/service-images/rootfs-<name>-<hash>.tar, keyed by a
# hash of the recipe (suite, variant, mirror, packages, and the text of the functions that prepare
# and clean them); the Flyway jars in ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/flyway/<version>-<hash>,
# the same directory and Maven command as scripts/integration.sh; the root file systems imported
# as local images pac-standin/<name>-rootfs:<hash>, and the images built FROM them (a Dockerfile
# without RUN steps: environment, entrypoint, files) as pac-standin/<name>:<tag>-<hash of the
# build context>. After the push the registry-named tags are removed locally, so `docker run` and builds
# resolve the images through the registry. Prints nothing on stdout; progress on stderr.
set -Eeuo pipefail

REGISTRY="${1:?usage: service-images.sh REGISTRY WORK_DIR}"
WORK="${2:?usage: service-images.sh REGISTRY WORK_DIR}"
DOCKER="${DOCKER:-/usr/bin/docker}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FILES="$HERE/service-images"
INTEGRATION="$(cd "$HERE/.." && pwd)"
CACHE_ROOT="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pipeline-as-code"
CACHE_DIR="$CACHE_ROOT/service-images"
SUITE=bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Bump when the recipe changes in a way the package lists and the functions below do not show.
RECIPE_VERSION=1

PG_MAJOR=15
PG_UID=999 # the official image's postgres user and group
POSTGRES_PACKAGES="postgresql-$PG_MAJOR locales"
FLYWAY_PACKAGES="openjdk-17-jre-headless"
BASE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf '[service-images %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}
recipe_hash() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# Flyway from Maven Central: the same command and cache directory as scripts/integration.sh
# (these lines are duplicated from there: integration.sh runs them through its own run_logged/die).
POM="$INTEGRATION/pom.xml"
MAVEN_SETTINGS="$INTEGRATION/maven-settings.xml"
FLYWAY_VERSION="$(sed -n 's:.*<flyway.version>\(.*\)</flyway.version>.*:\1:p' "$POM")"
[[ -n "$FLYWAY_VERSION" ]] || die "no <flyway.version> in $POM"
FLYWAY_HOME="$CACHE_ROOT/flyway/$FLYWAY_VERSION-$(cat "$POM" "$MAVEN_SETTINGS" | sha256sum | cut -c1-12)"

fetch_flyway() {
  local staging
  if [[ -f "$FLYWAY_HOME/.complete" ]]; then
    say "flyway: cached jars in $FLYWAY_HOME"
  else
    command -v mvn >/dev/null || die "flyway: mvn is needed to fetch Flyway $FLYWAY_VERSION (apt-get install maven)"
    mkdir -p "$CACHE_ROOT/flyway"
    staging="$(mktemp -d "$CACHE_ROOT/flyway/.staging.XXXXXX")"
    say "flyway: mvn dependency:copy-dependencies -> $FLYWAY_HOME"
    if ! mvn -B -s "$MAVEN_SETTINGS" -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$staging/lib" >"$WORK/maven.log" 2>&1; then
      tail -n 40 "$WORK/maven.log" >&2
      rm -rf "$staging"
      die "flyway: could not fetch Flyway $FLYWAY_VERSION from Maven Central (log above)"
    fi
    touch "$staging/.complete"
    rm -rf "$FLYWAY_HOME"
    mv "$staging" "$FLYWAY_HOME"
  fi
  ls "$FLYWAY_HOME/lib/flyway-commandline-$FLYWAY_VERSION.jar" "$FLYWAY_HOME/lib/flyway-database-postgresql-$FLYWAY_VERSION.jar" >/dev/null ||
    die "flyway: jars missing in $FLYWAY_HOME/lib"
}

# prep_postgres DIR: what the official image does to Debian's packages, on the root file system.
prep_postgres() {
  local dir="$1" old_uid old_gid
  # The package made a cluster (15/main); clusters live in $PGDATA, made by the entrypoint.
  rm -rf "$dir/etc/postgresql/$PG_MAJOR" "$dir/var/lib/postgresql/$PG_MAJOR" "$dir"/var/log/postgresql/*
  sed -ri 's/^#?[[:space:]]*(create_main_cluster)[[:space:]]*=.*/\1 = false/' "$dir/etc/postgresql-common/createcluster.conf"
  # initdb copies this sample into each new cluster: listen on every address, as the official image.
  sed -ri "s/^#?(listen_addresses)[[:space:]]*=[[:space:]]*\S+.*/\1 = '*'/" "$dir/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample"
  grep -q "^listen_addresses = '\*'" "$dir/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample" ||
    die "postgres: could not set listen_addresses in postgresql.conf.sample"
  # postgres as 999:999 like the official image (volumes made for it keep working).
  old_uid="$(chroot "$dir" id -u postgres)"
  old_gid="$(chroot "$dir" id -g postgres)"
  if chroot "$dir" getent passwd "$PG_UID" >/dev/null || chroot "$dir" getent group "$PG_UID" >/dev/null; then
    die "postgres: uid or gid $PG_UID is taken in the root file system"
  fi
  chroot "$dir" groupmod --gid "$PG_UID" postgres
  chroot "$dir" usermod --uid "$PG_UID" --gid "$PG_UID" postgres
  find "$dir" -xdev -uid "$old_uid" -exec chown --no-dereference "$PG_UID" '{}' +
  find "$dir" -xdev -gid "$old_gid" -exec chgrp --no-dereference "$PG_UID" '{}' +
  # The official image's locale (LANG=en_US.utf8): initdb takes collation and ctype from it.
  chroot "$dir" localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8
  # Paths inside the chroot: /var/run is an absolute symlink to /run.
  chroot "$dir" install -d -o postgres -g postgres -m 3777 /var/run/postgresql
  chroot "$dir" install -d -o postgres -g postgres -m 1777 /var/lib/postgresql/data
  chroot "$dir" install -d -m 755 /docker-entrypoint-initdb.d
  # ssl-cert's postinst made a key pair on this machine; nothing uses it (ssl is off).
  rm -f "$dir/etc/ssl/private/ssl-cert-snakeoil.key" "$dir/etc/ssl/certs/ssl-cert-snakeoil.pem"
}

prep_flyway() { :; } # the JRE as Debian installs it

# clean_rootfs DIR: as base-images.sh, slim variant (no docs, manual pages, translations).
clean_rootfs() {
  local dir="$1"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/tmp/* "$dir"/var/log/*.log
  find "$dir/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/* "$dir"/usr/share/groff/* "$dir"/usr/share/lintian/*
  # Docker provides these at run time; the host's values must not be baked in.
  : >"$dir/etc/resolv.conf"
  echo localhost >"$dir/etc/hostname"
}

# rootfs_path NAME "PACKAGES" PREP: the cache path of that root file system tarball.
rootfs_path() {
  local key
  key="$(recipe_hash "$RECIPE_VERSION" "$SUITE" minbase "$DEBIAN_MIRROR" "$2" "$(declare -f "$3" clean_rootfs)" "$(declare -p PG_MAJOR PG_UID)")"
  printf '%s\n' "$CACHE_DIR/rootfs-$1-$key.tar"
}

# rootfs_tarball NAME "PACKAGES" PREP: makes the cached tarball with debootstrap when missing.
rootfs_tarball() {
  local name="$1" packages="$2" prep="$3" tarball dir attempt
  tarball="$(rootfs_path "$name" "$packages" "$prep")"
  if [[ -s "$tarball" ]]; then
    say "$name: cached root file system $tarball"
    return 0
  fi
  mkdir -p "$CACHE_DIR"
  dir="$WORK/rootfs-$name"
  for attempt in 1 2; do
    rm -rf "$dir"
    say "$name: debootstrap --variant=minbase --include=${packages// /,} $SUITE (attempt $attempt)"
    if debootstrap --variant=minbase --include="${packages// /,}" "$SUITE" "$dir" "$DEBIAN_MIRROR" >"$WORK/debootstrap-$name.log" 2>&1; then
      break
    fi
    tail -n 20 "$WORK/debootstrap-$name.log" >&2
    [[ $attempt == 2 ]] && die "$name: debootstrap failed twice (log above)"
  done
  "$prep" "$dir"
  clean_rootfs "$dir"
  tar --numeric-owner -C "$dir" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$dir"
  say "$name: root file system cached as $tarball ($(du -h "$tarball" | cut -f1))"
}

# package_version TARBALL PACKAGE: the version of a Debian package in a root file system tarball.
package_version() {
  tar -xOf "$1" ./var/lib/dpkg/status | awk -v pkg="$2" '
    $1 == "Package:" { this = ($2 == pkg) }
    this && $1 == "Version:" && !found { print $2; found = 1 }
    END { if (!found) exit 1 }'
}

# rootfs_image NAME TARBALL: prints the local image holding that root file system as it is
# (pac-standin/NAME-rootfs:<tarball hash>), importing it when missing.
rootfs_image() {
  local name="$1" tarball="$2" ref
  ref="pac-standin/$name-rootfs:$(basename "$tarball" .tar | sed 's/.*-//')"
  if ! "$DOCKER" image inspect "$ref" >/dev/null 2>&1; then
    say "$name: importing $tarball as $ref"
    "$DOCKER" import "$tarball" "$ref" >/dev/null
  fi
  printf '%s\n' "$ref"
}

# build_image NAME CONTEXT REPOSITORY TAG: builds CONTEXT/Dockerfile (FROM a local rootfs image,
# no RUN step, so no network) as REPOSITORY:TAG-<hash of the context>, unless that tag exists;
# prints the local reference.
build_image() {
  local name="$1" context="$2" ref
  ref="$3:$4-$(cd "$context" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
  if "$DOCKER" image inspect "$ref" >/dev/null 2>&1; then
    say "$name: reusing local image $ref"
  else
    say "$name: building $ref"
    DOCKER_BUILDKIT=1 "$DOCKER" build --progress=plain --tag "$ref" "$context" >"$WORK/build-$name.log" 2>&1 || {
      tail -n 30 "$WORK/build-$name.log" >&2
      die "$name: docker build failed (log above)"
    }
  fi
  printf '%s\n' "$ref"
}

# push NAME LOCAL_REF TARGET: pushes the local image under the registry name, then drops that name.
push() {
  local name="$1" local_ref="$2" target="$3"
  "$DOCKER" tag "$local_ref" "$target"
  "$DOCKER" push "$target" >"$WORK/push-$name.log" 2>&1 || {
    cat "$WORK/push-$name.log" >&2
    die "push of $target failed"
  }
  # Runs and builds must resolve the image through the registry, not find it under this name locally.
  "$DOCKER" rmi "$target" >/dev/null
  say "$name: pushed $target ($(grep -o 'digest: sha256:[0-9a-f]*' "$WORK/push-$name.log"), $(image_size "$local_ref"))"
}

image_size() { "$DOCKER" image inspect -f '{{.Size}}' "$1" | awk '{ printf "%d MB", $1 / 1000000 }'; }

postgres_image() {
  local tarball base version context="$WORK/context-postgres" ref
  tarball="$(rootfs_path postgres "$POSTGRES_PACKAGES" prep_postgres)"
  base="$(rootfs_image postgres "$tarball")"
  version="$(package_version "$tarball" "postgresql-$PG_MAJOR")" || die "postgres: no postgresql-$PG_MAJOR in $tarball"
  rm -rf "$context"
  mkdir -p "$context"
  install -m 755 "$FILES/postgres-entrypoint.sh" "$context/docker-entrypoint.sh"
  cat >"$context/Dockerfile" <<EOF
# Generated by scripts/integration/buildkit/service-images.sh
FROM $base
ENV PATH=$BASE_PATH:/usr/lib/postgresql/$PG_MAJOR/bin \\
    PG_MAJOR=$PG_MAJOR \\
    PG_VERSION=$version \\
    PGDATA=/var/lib/postgresql/data \\
    LANG=en_US.utf8
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
LABEL org.opencontainers.image.title="postgres:$PG_MAJOR-$SUITE-standin" \\
      org.opencontainers.image.version="$version" \\
      org.opencontainers.image.description="Stand-in for postgres:$PG_MAJOR-$SUITE built from Debian $SUITE packages (postgresql-$PG_MAJOR $version) with this project's docker-entrypoint.sh; not the official image"
EOF
  ref="$(build_image postgres "$context" pac-standin/postgres "$PG_MAJOR-$SUITE")"
  push postgres "$ref" "$REGISTRY/docker-group/library/postgres:$PG_MAJOR-$SUITE"
}

flyway_image() {
  local tarball base java_home java_version context="$WORK/context-flyway" jar ref
  tarball="$(rootfs_path flyway "$FLYWAY_PACKAGES" prep_flyway)"
  base="$(rootfs_image flyway "$tarball")"
  java_version="$(package_version "$tarball" openjdk-17-jre-headless)" || die "flyway: no openjdk-17-jre-headless in $tarball"
  # /etc/alternatives/java -> /usr/lib/jvm/java-17-openjdk-<arch>/bin/java
  java_home="$(tar -tvf "$tarball" ./etc/alternatives/java | sed -n 's:.* -> \(/usr/lib/jvm/[^/]*\)/bin/java$:\1:p')"
  [[ -n "$java_home" ]] || die "flyway: cannot find java's directory in $tarball"
  rm -rf "$context"
  # Flyway's tarball layout: its own jars in lib/flyway/ (Flyway finds its install directory, and
  # so the default location <install dir>/sql, from there), other libraries in lib/, JDBC drivers
  # in drivers/; conf/ and sql/ empty.
  mkdir -p "$context/flyway/lib/flyway" "$context/flyway/drivers" "$context/flyway/conf" "$context/flyway/sql"
  for jar in "$FLYWAY_HOME"/lib/*.jar; do
    case "$(basename "$jar")" in
      flyway-*) cp "$jar" "$context/flyway/lib/flyway/" ;;
      postgresql-*) cp "$jar" "$context/flyway/drivers/" ;;
      *) cp "$jar" "$context/flyway/lib/" ;;
    esac
  done
  install -m 755 "$FILES/flyway-launcher.sh" "$context/flyway/flyway"
  chmod -R a+rX "$context/flyway"
  cat >"$context/Dockerfile" <<EOF
# Generated by scripts/integration/buildkit/service-images.sh
FROM $base
ENV PATH=/flyway:$BASE_PATH \\
    JAVA_HOME=$java_home \\
    LANG=C.UTF-8 \\
    REDGATE_DISABLE_TELEMETRY=true
COPY flyway/ /flyway/
WORKDIR /flyway
ENTRYPOINT ["flyway"]
CMD ["-?"]
LABEL org.opencontainers.image.title="flyway:$FLYWAY_VERSION-standin" \\
      org.opencontainers.image.version="$FLYWAY_VERSION" \\
      org.opencontainers.image.description="Stand-in for flyway/flyway:$FLYWAY_VERSION built from Debian $SUITE packages (openjdk-17-jre-headless $java_version) and Flyway's jars from Maven Central (PostgreSQL only); not the official image"
EOF
  ref="$(build_image flyway "$context" pac-standin/flyway "$FLYWAY_VERSION")"
  push flyway "$ref" "$REGISTRY/docker-group/flyway/flyway:$FLYWAY_VERSION"
}

# wait_all NAME=PID...: waits for every job (none is left running), fails if any failed.
wait_all() {
  local job failed=()
  for job in "$@"; do
    wait "${job#*=}" || failed+=("${job%%=*}")
  done
  ((${#failed[@]} == 0)) || die "failed: ${failed[*]}"
}

mkdir -p "$WORK"
# Maven and the two debootstraps are mostly downloads and unpacking: side by side.
fetch_flyway &
maven_job=$!
rootfs_tarball postgres "$POSTGRES_PACKAGES" prep_postgres &
postgres_job=$!
rootfs_tarball flyway "$FLYWAY_PACKAGES" prep_flyway &
flyway_job=$!
wait_all "flyway jars=$maven_job" "postgres root file system=$postgres_job" "flyway root file system=$flyway_job"
# Imports and pushes (gzip of each layer, one core each) side by side too.
postgres_image &
postgres_job=$!
flyway_image &
flyway_job=$!
wait_all "postgres image=$postgres_job" "flyway image=$flyway_job"
