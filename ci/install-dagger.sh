#!/bin/sh
# Installs the Dagger CLI the pipeline pins (the engineVersion of dagger.json) from its release
# tarball, and only after the tarball's SHA-256 checks out: nothing is piped into a shell, and a
# changed or truncated download installs nothing. POSIX sh, for Drone's alpine step images
# (curl, tar and sha256sum: apk add curl; busybox has the others).
#   usage: sh ci/install-dagger.sh        (BIN_DIR, default /usr/local/bin: where dagger goes)
# The SHA-256 it checks against, strongest first:
#   1. a pin: DAGGER_SHA256 in the environment, else SHA256_<ARCH> below. With a pin, only the
#      pin counts: a download that differs from it is refused, whatever checksums.txt says.
#   2. no pin: the release's checksums.txt, the same check Dagger's own install.sh makes. It comes
#      from the same server as the tarball, so it catches a corrupt or truncated download, not a
#      tampered server: pin the hash to close that (the script says how on every unpinned run).
# DAGGER_RELEASES_URL replaces https://dl.dagger.io/dagger/releases (a mirror; the tests' fake).
set -eu
DAGGER_VERSION=0.21.9
# sha256 of dagger_v${DAGGER_VERSION}_linux_<arch>.tar.gz: its line in the release's checksums.txt
# (https://dl.dagger.io/dagger/releases/<version>/checksums.txt, the same files as the GitHub
# release). Empty: this repository had no way to read that file when the script was written, and a
# made-up value would be worse than none; until a hash is pasted here, checksums.txt is used.
SHA256_AMD64=""
SHA256_ARM64=""

fail() {
  echo "ci/install-dagger.sh: $*; nothing was installed" >&2
  exit 1
}
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 pinned="$SHA256_AMD64" ;;
  aarch64 | arm64) arch=arm64 pinned="$SHA256_ARM64" ;;
  *) fail "machine $(uname -m) is not one this script installs Dagger for (x86_64, aarch64)" ;;
esac
pin_var="SHA256_$(echo "$arch" | tr '[:lower:]' '[:upper:]')"
base="${DAGGER_RELEASES_URL:-https://dl.dagger.io/dagger/releases}/${DAGGER_VERSION}"
tarball="dagger_v${DAGGER_VERSION}_linux_${arch}.tar.gz"
want="${DAGGER_SHA256:-$pinned}"
if [ -n "$want" ]; then
  echo "$want" | grep -Eq '^[0-9a-f]{64}$' || fail "the pinned SHA-256 for $tarball (DAGGER_SHA256 or $pin_var) must be 64 lowercase hex digits, not \"$want\""
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "$want" ]; then
  source="the pinned SHA-256"
else
  echo "ci/install-dagger.sh: no SHA-256 is pinned for $tarball, so it is checked against the release's checksums.txt (from the same server); pin it (stronger): paste its line's hash from $base/checksums.txt into $pin_var of ci/install-dagger.sh, or set DAGGER_SHA256" >&2
  curl -fsSL --retry 3 -o "$work/checksums.txt" "$base/checksums.txt" || fail "downloading $base/checksums.txt failed"
  # The line for exactly this file name: "<64 hex>  <name>" (sha256sum's format; a '*' marks binary mode).
  want="$(awk -v f="$tarball" '($2 == f || $2 == "*" f) && NF == 2 { print $1 }' "$work/checksums.txt")"
  case "$want" in
    "") fail "$base/checksums.txt has no line for $tarball" ;;
    *[!0-9a-f]* | *"
"*) fail "$base/checksums.txt does not give one SHA-256 of 64 lowercase hex digits for $tarball" ;;
  esac
  [ "${#want}" -eq 64 ] || fail "$base/checksums.txt does not give one SHA-256 of 64 lowercase hex digits for $tarball"
  source="the SHA-256 of $base/checksums.txt"
fi
url="$base/$tarball"
curl -fsSL --retry 3 -o "$work/$tarball" "$url" || fail "downloading $url failed"
got="$(sha256sum "$work/$tarball" | cut -d' ' -f1)"
[ "$got" = "$want" ] || fail "$tarball from $url does not have $source $want (it has $got)"
tar -xzf "$work/$tarball" -C "$work" dagger || fail "$tarball has no dagger binary"
bin="${BIN_DIR:-/usr/local/bin}"
mkdir -p "$bin"
mv "$work/dagger" "$bin/dagger"
chmod 0755 "$bin/dagger"
echo "ci/install-dagger.sh: dagger $DAGGER_VERSION ($arch, sha256 $want, checked against $source) installed in $bin"
