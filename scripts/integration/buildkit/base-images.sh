#!/usr/bin/env bash
# Builds the stand-in base images from Debian packages and pushes them to the local registry
# under the names a Nexus docker-group mirror would serve (no container registry is reachable
# here, so node:22-bookworm-slim and node:22-bookworm cannot be pulled):
#
#   REGISTRY/docker-group/library/node:22-bookworm-slim  debootstrap minbase (docs, man pages,
#       locales and apt lists removed, as in debian:bookworm-slim) + Node.js + npm
#   REGISTRY/docker-group/library/node:22-bookworm       a "full" image like the real one (which is
#       buildpack-deps:bookworm + Node.js): minbase + build-essential, python3, git, curl, wget, ...
#
# Node.js is the build machine's own binary (/usr/bin/node, v20 here) and its npm, installed where
# the official images have them (/usr/local/bin/node, /usr/local/lib/node_modules/npm). The labels
# say so: it is a stand-in for Node 22, which the examples accept (engines: node >= 20).
#
# Usage: base-images.sh REGISTRY WORK_DIR
# Caches (never required): the debootstrap root file systems as tarballs in
# ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/base-images/, keyed by a hash of the recipe (suite,
# variant, package list, trimming); the imported images as local tags pac-standin/node:<tag>-<key>.
# After the push the registry-named tags are removed locally, so builds resolve the images through
# the registry. Prints nothing on stdout; progress on stderr.
set -Eeuo pipefail

REGISTRY="${1:?usage: base-images.sh REGISTRY WORK_DIR}"
WORK="${2:?usage: base-images.sh REGISTRY WORK_DIR}"
DOCKER="${DOCKER:-/usr/bin/docker}"
CACHE_DIR="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pipeline-as-code/base-images"
SUITE=bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Bump when the recipe below changes in a way the package lists do not show.
RECIPE_VERSION=1

SLIM_PACKAGES="libstdc++6"
# What the real node:22-bookworm (buildpack-deps:bookworm) is used for: compilers for node-gyp,
# python3, git, curl/wget, TLS roots. The real one also carries many -dev libraries, mercurial and
# subversion (~1.1 GB); this one is smaller, which makes the size comparison conservative.
FULL_PACKAGES="build-essential python3 git curl wget ca-certificates gnupg dirmngr netbase openssh-client procps xz-utils bzip2 unzip libssl-dev zlib1g-dev"

say() { printf '[base-images %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

NODE_BIN="$(readlink -f "$(command -v node)")"
NPM_DIR="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
[[ -f "$NPM_DIR/package.json" ]] || die "cannot find npm's install dir (looked at $NPM_DIR)"
NODE_VERSION="$("$NODE_BIN" --version)"
NPM_VERSION="$(node -p "require('$NPM_DIR/package.json').version")"
NODE_KEY="$( (sha256sum "$NODE_BIN" | cut -d' ' -f1; echo "$NPM_VERSION") | sha256sum | cut -c1-12)"

# rootfs_tarball NAME "PACKAGES" TRIM(yes|no): prints the path of the cached root file system tarball,
# making it with debootstrap when missing.
rootfs_tarball() {
  local name="$1" packages="$2" trim="$3" key tarball dir attempt
  key="$(printf '%s\n' "$RECIPE_VERSION" "$SUITE" minbase "$DEBIAN_MIRROR" "$packages" "$trim" | sha256sum | cut -c1-16)"
  tarball="$CACHE_DIR/rootfs-$name-$key.tar"
  if [[ -s "$tarball" ]]; then
    say "$name: cached root file system $tarball"
    printf '%s\n' "$tarball"
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
  # The account the official images have (uid/gid 1000); the generated Dockerfile uses the ids only.
  chroot "$dir" groupadd --gid 1000 node
  chroot "$dir" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/tmp/* "$dir"/var/log/*.log
  if [[ $trim == yes ]]; then
    # As debian:bookworm-slim does: no documentation, manual pages or translations.
    find "$dir/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/* "$dir"/usr/share/groff/* "$dir"/usr/share/lintian/*
  fi
  # Docker provides these at run time; the host's values must not be baked in.
  : >"$dir/etc/resolv.conf"
  echo localhost >"$dir/etc/hostname"
  tar --numeric-owner -C "$dir" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$dir"
  say "$name: root file system cached as $tarball ($(du -h "$tarball" | cut -f1))"
  printf '%s\n' "$tarball"
}

# standin_image NAME TAG "PACKAGES" TRIM: makes (or reuses) the local image pac-standin/node:TAG-KEY
# and pushes it as REGISTRY/docker-group/library/node:TAG.
standin_image() {
  local name="$1" tag="$2" packages="$3" trim="$4" tarball local_ref target stage
  tarball="$(rootfs_tarball "$name" "$packages" "$trim" 2>/dev/null)"
  local_ref="pac-standin/node:$tag-$(basename "$tarball" .tar | sed 's/.*-//')-$NODE_KEY"
  target="$REGISTRY/docker-group/library/node:$tag"
  if ! "$DOCKER" image inspect "$local_ref" >/dev/null 2>&1; then
    stage="$WORK/stage-$name"
    rm -rf "$stage"
    mkdir -p "$stage"
    tar --numeric-owner -C "$stage" -xf "$tarball"
    mkdir -p "$stage/usr/local/bin" "$stage/usr/local/lib/node_modules"
    cp "$NODE_BIN" "$stage/usr/local/bin/node"
    cp -a "$NPM_DIR" "$stage/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$stage/usr/local/bin/npx"
    say "$name: importing as $local_ref (Node.js $NODE_VERSION, npm $NPM_VERSION)"
    tar --numeric-owner -C "$stage" -c . | "$DOCKER" import \
      -c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      -c "ENV NODE_VERSION=${NODE_VERSION#v}" \
      -c 'CMD ["node"]' \
      -c "LABEL org.opencontainers.image.title=node:$tag-standin" \
      -c "LABEL org.opencontainers.image.description=\"Stand-in for node:$tag built from Debian $SUITE packages ($name) with the build machine's Node.js $NODE_VERSION and npm $NPM_VERSION; not the official image, and not Node 22\"" \
      - "$local_ref" >/dev/null
    rm -rf "$stage"
  else
    say "$name: reusing local image $local_ref"
  fi
  "$DOCKER" tag "$local_ref" "$target"
  "$DOCKER" push "$target" >"$WORK/push-$name.log" 2>&1 || {
    cat "$WORK/push-$name.log" >&2
    die "push of $target failed"
  }
  # Builds must resolve the image through the registry, not find it under this name locally.
  "$DOCKER" rmi "$target" >/dev/null
  say "$name: pushed $target ($(grep -o 'digest: sha256:[0-9a-f]*' "$WORK/push-$name.log"))"
}

mkdir -p "$WORK"
# The two debootstraps are mostly downloads and unpacking: run them side by side.
rootfs_tarball slim "$SLIM_PACKAGES" yes >/dev/null &
slim_job=$!
rootfs_tarball full "$FULL_PACKAGES" no >/dev/null &
full_job=$!
wait "$slim_job" || die "slim root file system failed"
wait "$full_job" || die "full root file system failed"
# Imports and pushes (gzip of each layer, one core each) side by side too.
standin_image slim 22-bookworm-slim "$SLIM_PACKAGES" yes &
slim_job=$!
standin_image full 22-bookworm "$FULL_PACKAGES" no &
full_job=$!
wait "$slim_job" || die "slim image failed"
wait "$full_job" || die "full image failed"
