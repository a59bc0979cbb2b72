#!/usr/bin/env bash
# Fetch a Debian guest kernel and a static busybox for ARCH (arm64 or armhf) into DIR, without touching
# the host's apt configuration or dpkg architectures: apt gets a private state, cache and sources list.
# Usage: fetch.sh ARCH DIR
# Leaves DIR/vmlinuz, DIR/busybox and DIR/modules/ (the kernel's module tree).
set -euo pipefail
arch=$1
dir=$2
case $arch in
  arm64) kpkg=linux-image-arm64 ;;
  armhf) kpkg=linux-image-armmp-lpae ;;
  *) echo "fetch.sh: unknown arch $arch (want arm64 or armhf)" >&2; exit 2 ;;
esac
if [ -s "$dir/vmlinuz" ] && [ -x "$dir/busybox" ] && [ -d "$dir/modules" ]; then
  exit 0
fi
mkdir -p "$dir"
work=$(mktemp -d "$dir/apt.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/sources" "$work/debs" "$work/x"
# On Debian, the host's own sources (the same suite as the host), read but never changed; elsewhere
# (Ubuntu CI runners) Debian 12, checked with the Debian archive keyring.
if grep -qx 'ID=debian' /etc/os-release 2>/dev/null && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  cp /etc/apt/sources.list.d/debian.sources "$work/sources/debian.sources"
elif grep -qx 'ID=debian' /etc/os-release 2>/dev/null && [ -f /etc/apt/sources.list ]; then
  cp /etc/apt/sources.list "$work/sources/debian.list"
else
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  if [ ! -f "$keyring" ]; then
    echo "fetch.sh: not a Debian host and no $keyring (apt-get install debian-archive-keyring)" >&2
    exit 1
  fi
  cat >"$work/sources/debian.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: $keyring

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: $keyring
SRC
fi
apt_opts=(
  -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
  -o "Dir::State::Lists=$work/lists" -o "Dir::State::Status=/dev/null"
  -o "Dir::Cache=$work/cache" -o "Dir::Etc::SourceList=/dev/null"
  -o "Dir::Etc::SourceParts=$work/sources" -o "Debug::NoLocking=1"
)
[ "$(id -u)" = 0 ] && apt_opts+=(-o "APT::Sandbox::User=root")
# A mirror caught mid-sync fails one index (seen on bookworm-security): apt then uses the others, and
# the kernel comes from the main suite. Only a missing package below is fatal.
apt-get "${apt_opts[@]}" -q update >&2 || echo "fetch.sh: apt-get update reported errors; going on with the indexes it got" >&2
# The meta package names the versioned kernel image it depends on.
kimg=$(apt-cache "${apt_opts[@]}" depends "$kpkg" | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$kimg" ]; then
  echo "fetch.sh: cannot resolve $kpkg for $arch" >&2
  exit 1
fi
(cd "$work/debs" && apt-get "${apt_opts[@]}" -q download "$kimg" busybox-static >&2)
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/x"
done
cp "$work"/x/boot/vmlinuz-* "$dir/vmlinuz"
cp "$work/x/bin/busybox" "$dir/busybox"
rm -rf "$dir/modules"
mv "$work"/x/lib/modules/* "$dir/modules"
echo "$kimg" >"$dir/kernel-package"
