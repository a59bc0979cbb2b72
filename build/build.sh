#!/usr/bin/env bash
# Cross-compiles posd, posctl and amssim for every target posd runs on and prints each binary's size.
#
#   build/build.sh [-o DIR] [TARGET...]
#
# TARGET is os/arch[/armversion]; the default is every supported one:
#   linux/arm/6 (Raspberry Pi Zero/1, Raspberry Pi OS armhf), linux/arm/7, linux/arm64, linux/amd64.
# Binaries land in DIR/<os>_<arch>[v<N>]/ (default DIR: dist). Builds are static (CGO_ENABLED=0),
# reproducible (-trimpath, no build id) and stamped with the version (posd -version):
# $POSD_VERSION if set, else `git describe`.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist
if [ "${1:-}" = "-o" ]; then out=$2; shift 2; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(linux/arm/6 linux/arm/7 linux/arm64 linux/amd64)

version=${POSD_VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
commands=()
for c in posd posctl amssim; do
  [ -d "cmd/$c" ] && commands+=("$c")
done

for t in "${targets[@]}"; do
  IFS=/ read -r goos goarch goarm <<<"$t"
  dir="$out/${goos}_${goarch}${goarm:+v$goarm}"
  mkdir -p "$dir"
  for c in "${commands[@]}"; do
    GOOS=$goos GOARCH=$goarch GOARM=$goarm CGO_ENABLED=0 \
      go build -trimpath -buildvcs=false \
        -ldflags "-s -w -buildid= -X main.version=$version" \
        -o "$dir/$c" "./cmd/$c"
    printf '%-28s %10d bytes  %s\n' "$dir/$c" "$(stat -c %s "$dir/$c")" "$version"
  done
done
