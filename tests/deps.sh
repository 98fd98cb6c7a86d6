#!/bin/sh
# deps.sh - installs the Debian packages that building, testing and the demo
# need, when one is missing.  As root it runs apt-get; otherwise it prints the
# one apt-get line to run and fails.  `deps.sh --list` prints the packages,
# for .ci/run, so that the list lives here only.
#
# postgresql-15 brings initdb and the server for the tests' private cluster
# (/usr/lib/postgresql/15/bin) and the `postgres` user it runs as under root.
set -eu
need="build-essential pkg-config libgmp-dev libpq-dev libjansson-dev check \
postgresql-15 python3 gcovr"
if [ "${1:-}" = "--list" ]; then
	echo $need
	exit 0
fi
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' \
		|| missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
	echo "deps: missing Debian packages; run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
