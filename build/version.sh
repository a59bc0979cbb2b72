#!/bin/sh
# Prints posd's version in a form apt can order, the one form every binary (-version) and package carries.
#
#   build/version.sh            from `git describe` on annotated tags (or $POSD_VERSION when set)
#   build/version.sh DESCRIBE   converts a given `git describe` string (used by the tests)
#
#   v0.2.0                      -> 0.2.0
#   v0.2.0-5-gabc1234           -> 0.2.0+5.gabc1234        (5 commits after the tag sort above it)
#   v0.3.0-rc1                  -> 0.3.0~rc1               (a pre-release sorts below 0.3.0)
#   v0.3.0-rc1-2-gabc1234       -> 0.3.0~rc1+2.gabc1234
#   ...-dirty                   -> ....dirty, or +dirty on a tag
#   no annotated tag yet        -> 0+N.gabc1234            (N: commits in history, so later builds sort higher)
set -eu
cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
	raw=$1
elif [ -n "${POSD_VERSION:-}" ]; then
	raw=$POSD_VERSION
elif raw=$(git describe --long --match 'v[0-9]*' --dirty 2>/dev/null); then
	# --long always gives TAG-N-gHASH; the exact tag is written back without the suffix below.
	case $raw in
	*-0-g*) raw=$(printf '%s' "$raw" | sed 's/-0-g[0-9a-f]*//') ;;
	esac
elif hash=$(git rev-parse --short=7 HEAD 2>/dev/null); then
	raw=0-$(git rev-list --count HEAD)-g$hash
	if ! git diff --quiet HEAD 2>/dev/null; then raw=$raw-dirty; fi
else
	echo 0+unknown
	exit 0
fi

printf '%s\n' "$raw" | sed -E \
	-e 's/^v//' \
	-e 's/-dirty$/~DIRTY/' \
	-e 's/-([0-9]+)-g([0-9a-f]+)(~DIRTY)?$/+\1.g\2\3/' \
	-e 's/-/~/g' \
	-e 's/^([^+]*)~DIRTY$/\1+dirty/' \
	-e 's/~DIRTY$/.dirty/'
