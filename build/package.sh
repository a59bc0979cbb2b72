#!/usr/bin/env bash
# Builds posd's Debian packages (the way Raspberry Pi OS and Debian users install software).
#
#   build/package.sh [-o DIR] [ARCH...]      ARCH: armhf, arm64 (the default set), amd64
#
# For each ARCH two packages land in DIR (default dist):
#   posd_<version>_<arch>.deb        posd, posctl, the systemd unit, the kiosk user unit (off), the example
#                                    configuration, man pages and bash completion: what a till needs
#   posd-tools_<version>_<arch>.deb  amssim, the Prometheus rules and the Grafana dashboard: what only
#                                    integrators need
# armhf is built for ARMv6 so one package runs on every Raspberry Pi, Zero and 1 included. The version is
# build/version.sh's. Man pages are mdoc sources in build/man, stamped with the version and the commit date
# here. When lintian is installed it checks every package and any error or warning fails the build
# (LINTIAN=0 skips it); the tags overridden, and why, are in build/deb/*/lintian-overrides.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist
if [ "${1:-}" = "-o" ]; then out=$2; shift 2; fi
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(armhf arm64)

version=$(build/version.sh)
export POSD_VERSION=$version # build.sh stamps the binaries with the same version
# Dates inside the packages come from the commit, so a rebuild of the same commit is identical.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
changelog_date=$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")
man_date=$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" '+%B %-d, %Y')
example=cmd/posd/posd.example.toml
[ -f "$example" ] || example=$(find . -name posd.example.toml -not -path './dist/*' | head -1)

# manpage SRC DIR: the mdoc page stamped with the date and version, compressed as Debian wants.
manpage() {
  install -d "$2"
  sed -e "s/^\.Dd .*/.Dd $man_date/" -e "s/^\.Os posd$/.Os posd $version/" "$1" |
    gzip -9n >"$2/$(basename "$1").gz"
}

# docs PKG ROOT: copyright, changelog (a native package's changelog.gz) and lintian overrides.
docs() {
  local pkg=$1 root=$2
  install -d "$root/usr/share/doc/$pkg" "$root/usr/share/lintian/overrides"
  install -m 0644 build/deb/copyright "$root/usr/share/doc/$pkg/copyright"
  printf '%s\n' "posd ($version) unstable; urgency=medium" "" \
    "  * Built from commit $commit. Its history:" "    https://github.com/posd/posd/commits/$commit" "" \
    " -- posd developers <posd@users.noreply.github.com>  $changelog_date" |
    gzip -9n >"$root/usr/share/doc/$pkg/changelog.gz"
  install -m 0644 "build/deb/$pkg/lintian-overrides" "$root/usr/share/lintian/overrides/$pkg"
}

# deb PKG ROOT ARCH: control, conffiles, md5sums, then the .deb.
deb() {
  local pkg=$1 root=$2 arch=$3
  install -d "$root/DEBIAN"
  for s in postinst prerm postrm; do
    [ ! -f "build/deb/$pkg/$s" ] || install -m 0755 "build/deb/$pkg/$s" "$root/DEBIAN/$s"
  done
  if [ -d "$root/etc" ]; then
    (cd "$root" && find etc -type f -printf '/%p\n' | LC_ALL=C sort) >"$root/DEBIAN/conffiles"
  fi
  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
    >"$root/DEBIAN/md5sums"
  local size
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    "build/deb/$pkg/control" >"$root/DEBIAN/control"
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  local file="$out/${pkg}_${version}_${arch}.deb"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$file" >/dev/null
  printf '%-50s %10d bytes\n' "$file" "$(stat -c %s "$file")"
}

mkdir -p "$out"
for arch in "${arches[@]}"; do
  case $arch in
    armhf) target=linux/arm/6 ;;
    arm64) target=linux/arm64 ;;
    amd64) target=linux/amd64 ;;
    *) echo "package.sh: unknown architecture $arch (armhf, arm64, amd64)" >&2; exit 2 ;;
  esac
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  umask 022
  build/build.sh -o "$work/bin" "$target" >/dev/null
  bins=("$work"/bin/*/)
  bin=${bins[0]}

  # posd: what runs on the till.
  p=$work/posd
  install -d "$p/usr/bin" "$p/lib/systemd/system" "$p/usr/lib/systemd/user" "$p/usr/libexec/posd" \
    "$p/usr/lib/sysusers.d" "$p/usr/lib/tmpfiles.d" "$p/etc/posd" "$p/usr/share/bash-completion/completions"
  install -m 0755 "$bin/posd" "$bin/posctl" "$p/usr/bin/"
  install -m 0644 systemd/posd.service "$p/lib/systemd/system/posd.service"
  install -m 0644 systemd/posd-kiosk.service "$p/usr/lib/systemd/user/posd-kiosk.service"
  install -m 0755 systemd/posd-kiosk "$p/usr/libexec/posd/posd-kiosk"
  install -m 0644 build/deb/posd/sysusers.conf "$p/usr/lib/sysusers.d/posd.conf"
  install -m 0644 build/deb/posd/tmpfiles.conf "$p/usr/lib/tmpfiles.d/posd.conf"
  install -m 0644 "$example" "$p/etc/posd/posd.toml.example"
  install -m 0644 build/completion/posctl "$p/usr/share/bash-completion/completions/posctl"
  manpage build/man/posd.8 "$p/usr/share/man/man8"
  manpage build/man/posctl.8 "$p/usr/share/man/man8"
  manpage build/man/posd.toml.5 "$p/usr/share/man/man5"
  docs posd "$p"
  gzip -9n <README.md >"$p/usr/share/doc/posd/README.md.gz"
  deb posd "$p" "$arch"

  # posd-tools: what only integrators need.
  t=$work/posd-tools
  install -d "$t/usr/bin"
  install -m 0755 "$bin/amssim" "$t/usr/bin/"
  manpage build/man/amssim.1 "$t/usr/share/man/man1"
  if [ -d deploy ]; then
    install -d "$t/usr/share/posd-tools/monitoring"
    find deploy -type f \( -name '*.yml' -o -name '*.json' \) -exec install -m 0644 {} "$t/usr/share/posd-tools/monitoring/" \;
  fi
  docs posd-tools "$t"
  deb posd-tools "$t" "$arch"

  rm -rf "$work"
  trap - EXIT
done

if [ "${LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null; then
  for arch in "${arches[@]}"; do
    for pkg in posd posd-tools; do
      file="$out/${pkg}_${version}_${arch}.deb"
      # An error or a warning fails the build; info tags are shown. (Root gets a harmless notice.)
      if ! res=$(lintian --info --fail-on error,warning "$file" 2>&1); then
        printf '%s\n' "$res" >&2
        echo "package.sh: lintian rejects $file" >&2
        exit 1
      fi
      printf '%s\n' "$res" | grep -v '^running with root privileges' || true
      echo "lintian: $file clean"
    done
  done
fi
