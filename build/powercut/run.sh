#!/usr/bin/env bash
# Runs the power-cut suite and ends with its summary, so the last line is
# "cuts=N resolved=N violations=0" (go test's own last line is its "ok"):
#
#   build/powercut/run.sh -cuts 200               # arm64
#   build/powercut/run.sh -cuts 50 -arch armhf    # 32-bit ARMv7
#
# Arguments go to the test binary (-cuts, -arch, -seed). POWERCUT_RUN picks
# the tests (default: TestPowerCut$, the cuts alone; PowerCut adds the
# queue crash test under power cuts and the rig's no-fsync self-test).
# The exit status is go test's, or 1 when no summary was printed.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -v -timeout "${POWERCUT_TIMEOUT:-240m}" ./build/powercut -run "${POWERCUT_RUN:-TestPowerCut\$}" -args "$@" | tee "$out"
rc=$?
summary=$(grep -E '^cuts=[0-9]+ resolved=[0-9]+ violations=[0-9]+$' "$out" | tail -n 1)
if [ -z "$summary" ]; then
  echo "run.sh: no summary line: the tests were skipped (give -cuts N) or did not get that far" >&2
  [ "$rc" -ne 0 ] || rc=1
fi
echo "$summary"
exit "$rc"
