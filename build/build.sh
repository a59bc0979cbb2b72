#!/usr/bin/env bash
# Cross-compiles posd, posctl and amssim for every target posd runs on and prints each binary's size.
#
#   build/build.sh [-o DIR] [TARGET...]
#
# TARGET is os/arch[/armversion]; the default is every supported one:
#   linux/arm/6 (Raspberry Pi Zero/1, Raspberry Pi OS armhf), linux/arm/7, linux/arm64, linux/amd64.
# Binaries land in DIR/<os>_<arch>[v<N>]/ (default DIR: dist). Builds are static (CGO_ENABLED=0),
# reproducible (-trimpath, no build id), stripped (-s -w) and stamped with the version that posd, posctl and
# amssim -version print: build/version.sh's ($POSD_VERSION if set, else `git describe` on annotated tags, in a
# form apt can order).
#
# They are built with the tag nethttpomithttp2: posd speaks only HTTP/1.1 (its gateway transport sets
# its own TLS configuration, which turns net/http's HTTP/2 off; its servers never offer h2), so the
# HTTP/2 code net/http bundles is dead weight, about 0.5 MB (issue 17).
#
# Two more link choices keep posd small, both measured (issue 17):
# - Only the packages that do posd's arithmetic (the runtime, cryptography, compression, hashing) are
#   compiled with inlining; build/gcflags lists the flags and says what they cost and save. posd's own
#   packages alone without inlining were -0.18 MB on ARMv7 with no difference beyond noise in posd's
#   frame, pay round-trip and recovery benchmarks (go test -bench 'QRReadyToFrame|FrameSSD1306'
#   ./display; -bench PayRoundTrip ./alipay; -bench Recovery ./queue).
# - 32-bit ARM is linked with 4 KiB segment alignment (-R 0x1000) instead of Go's 64 KiB: ARM32 Linux
#   only has 4 KiB pages, so the rest was padding in the file (-0.13 MB). arm64 keeps 64 KiB, since
#   arm64 kernels with 16 KiB (Raspberry Pi 5) or 64 KiB pages exist.
#
# posd for an ARM target must stay within POSD_MAX_ARM_BYTES, issue 17's 10.5 MB: the script prints
# every size and fails after the build if one is over. History: 12.65 MB when issue 17 was filed;
# html/template and host.Init out, 10.22 MB; x/text/message catalogs (issue 15) +0.46 MB; metrics on
# prometheus/client_golang (issue 18) +2.23 MB, because its protobuf package calls
# reflect.Value.MethodByName, which keeps every exported method of the program; Entry Code (issue 11)
# +0.13 MB: 13.04 MB. Then /metrics moved to internal/promtext (-2.1 MB), the multipart parser and
# http.FileServer left the demo (-0.13 MB), the Raspberry Pi GPIO drivers that the unit cannot use left
# internal/board (-0.13 MB), and the two link choices above: ARMv7 10,367,102 B. internal/lang without
# x/text/message (-0.33 MB): 10,068,094 B; inlining kept only where posd does arithmetic (build/gcflags,
# -0.66 MB): 9,412,734 B.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist
if [ "${1:-}" = "-o" ]; then out=$2; shift 2; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(linux/arm/6 linux/arm/7 linux/arm64 linux/amd64)
max=${POSD_MAX_ARM_BYTES:-10500000}

version=$(build/version.sh)
gcflags=()
while read -r flag; do
  [[ -z $flag || $flag == \#* ]] || gcflags+=("$flag")
done <build/gcflags
commands=()
for c in posd posctl amssim; do
  [ -d "cmd/$c" ] && commands+=("$c")
done

over=()
for t in "${targets[@]}"; do
  IFS=/ read -r goos goarch goarm <<<"$t"
  dir="$out/${goos}_${goarch}${goarm:+v$goarm}"
  mkdir -p "$dir"
  ldflags="-s -w -buildid= -X main.version=$version"
  [ "$goarch" = arm ] && ldflags="$ldflags -R 0x1000"
  for c in "${commands[@]}"; do
    GOOS=$goos GOARCH=$goarch GOARM=$goarm CGO_ENABLED=0 \
      go build -trimpath -buildvcs=false -tags nethttpomithttp2 "${gcflags[@]}" \
        -ldflags "$ldflags" \
        -o "$dir/$c" "./cmd/$c"
    size=$(stat -c %s "$dir/$c")
    printf '%-28s %10d bytes %6s MB  %s\n' "$dir/$c" "$size" \
      "$(awk -v b="$size" 'BEGIN { printf "%.2f", b / 1e6 }')" "$version"
    if [ "$c" = posd ] && [[ $goarch == arm* ]] && [ "$size" -gt "$max" ]; then
      over+=("$dir/$c ($size bytes)")
    fi
  done
done
if [ ${#over[@]} -gt 0 ]; then
  echo "build.sh: posd over the ARM size budget of $max bytes: ${over[*]}" >&2
  echo "build.sh: see what grew with: go tool nm -size -sort size BINARY (build without -s -w)" >&2
  exit 1
fi
