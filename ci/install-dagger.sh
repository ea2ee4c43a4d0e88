#!/bin/sh
# Installs the Dagger CLI the pipeline pins (the engineVersion of dagger.json) from its release
# tarball, and only after the tarball's SHA-256 matches the one pinned here: nothing is piped
# into a shell, and a changed or truncated download installs nothing. POSIX sh, for Drone's
# alpine step images (curl, tar and sha256sum: apk add curl; busybox has the others).
#   usage: sh ci/install-dagger.sh        (BIN_DIR, default /usr/local/bin: where dagger goes)
# DAGGER_SHA256 in the environment replaces the pinned checksum (e.g. while a pin is missing).
set -eu
DAGGER_VERSION=0.21.9
# sha256 of dagger_v${DAGGER_VERSION}_linux_<arch>.tar.gz, from the release's checksums.txt
# (https://dl.dagger.io/dagger/releases/<version>/checksums.txt, the same files as the GitHub
# release). Not pinned yet: this repository had no way to read that file when the wrapper was
# written, and a made-up value would be worse than none; until it is filled in, the install
# refuses (set DAGGER_SHA256, or paste the line's hash here).
SHA256_AMD64=""
SHA256_ARM64=""

fail() {
  echo "ci/install-dagger.sh: $*" >&2
  exit 1
}
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 pinned="$SHA256_AMD64" ;;
  aarch64 | arm64) arch=arm64 pinned="$SHA256_ARM64" ;;
  *) fail "machine $(uname -m) is not one this script installs Dagger for (x86_64, aarch64)" ;;
esac
tarball="dagger_v${DAGGER_VERSION}_linux_${arch}.tar.gz"
url="https://dl.dagger.io/dagger/releases/${DAGGER_VERSION}/${tarball}"
want="${DAGGER_SHA256:-$pinned}"
[ -n "$want" ] || fail "no SHA-256 is pinned for $tarball: copy its line from https://dl.dagger.io/dagger/releases/${DAGGER_VERSION}/checksums.txt into SHA256_$(echo "$arch" | tr '[:lower:]' '[:upper:]') of ci/install-dagger.sh, or set DAGGER_SHA256"
echo "$want" | grep -Eq '^[0-9a-f]{64}$' || fail "the SHA-256 for $tarball must be 64 lowercase hex digits, not \"$want\""

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/$tarball" "$url" || fail "downloading $url failed"
echo "$want  $work/$tarball" | sha256sum -c - >/dev/null 2>&1 ||
  fail "$tarball from $url does not have the pinned SHA-256 $want (it has $(sha256sum "$work/$tarball" | cut -d' ' -f1)); nothing was installed"
tar -xzf "$work/$tarball" -C "$work" dagger || fail "$tarball has no dagger binary"
bin="${BIN_DIR:-/usr/local/bin}"
mkdir -p "$bin"
mv "$work/dagger" "$bin/dagger"
chmod 0755 "$bin/dagger"
echo "ci/install-dagger.sh: dagger $DAGGER_VERSION ($arch, sha256 $want) installed in $bin"
