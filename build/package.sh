#!/usr/bin/env bash
# Builds the posd Debian packages (the way Raspberry Pi OS and Debian users install software).
#
#   build/package.sh [-o DIR] [ARCH...]      ARCH: armhf (default set), arm64, amd64
#
# armhf is built for ARMv6 so one package runs on every Raspberry Pi, Zero and 1 included.
# Output: DIR/posd_<version>_<arch>.deb (default DIR: dist).
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist
if [ "${1:-}" = "-o" ]; then out=$2; shift 2; fi
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(armhf arm64)

raw=${POSD_VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0)}
# Debian versions must start with a digit.
debversion=$(printf '%s' "${raw#v}" | sed 's/^\([^0-9]\)/0~\1/; s/-/~/g')
export POSD_VERSION=$raw

for arch in "${arches[@]}"; do
  case $arch in
    armhf) target=linux/arm/6 ;;
    arm64) target=linux/arm64 ;;
    amd64) target=linux/amd64 ;;
    *) echo "package.sh: unknown architecture $arch (armhf, arm64, amd64)" >&2; exit 2 ;;
  esac
  bindir=$(mktemp -d)
  stage=$(mktemp -d)
  trap 'rm -rf "$bindir" "$stage"' EXIT
  build/build.sh -o "$bindir" "$target" >/dev/null
  bins=("$bindir"/*/)

  install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" \
    "$stage/etc/posd" "$stage/usr/share/doc/posd"
  install -m 0755 "${bins[0]}"* "$stage/usr/bin/"
  install -m 0644 systemd/posd.service "$stage/lib/systemd/system/posd.service"
  if [ -f cmd/posd/posd.example.toml ]; then
    install -m 0644 cmd/posd/posd.example.toml "$stage/etc/posd/posd.toml.example"
  fi
  install -m 0644 README.md "$stage/usr/share/doc/posd/README.md"
  for s in postinst prerm postrm; do
    install -m 0755 "build/deb/$s" "$stage/DEBIAN/$s"
  done
  (cd "$stage" && find etc -type f -printf '/%p\n' | sort) > "$stage/DEBIAN/conffiles"
  [ -s "$stage/DEBIAN/conffiles" ] || rm "$stage/DEBIAN/conffiles"
  size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  sed -e "s/@VERSION@/$debversion/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    build/deb/control > "$stage/DEBIAN/control"

  mkdir -p "$out"
  deb="$out/posd_${debversion}_${arch}.deb"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
  printf '%-40s %10d bytes\n' "$deb" "$(stat -c %s "$deb")"
  rm -rf "$bindir" "$stage"
  trap - EXIT
done
