#!/bin/sh
# deps.sh - installs the Debian packages that building, testing and the demo
# need, when one is missing.  As root it runs apt-get; otherwise it prints the
# one apt-get line to run and fails.  `make check` and `make demo` run it
# first, .ci/run too; `deps.sh --list` prints the packages, so that the list
# lives here only.
#
#   sh tests/deps.sh            install what is missing (as root), or name it
#   sh tests/deps.sh --list     the packages, on one line
#
# postgresql-15 brings initdb and the server for the private clusters of the
# tests and the demo (/usr/lib/postgresql/15/bin) and the `postgres` user
# they run as under root.  Installed as it comes, it would also create and
# start a system cluster ("main", port 5432) that nothing here uses, so while
# apt-get runs, a drop-in of postgresql-common says create_main_cluster =
# false; it is removed afterwards, and a PostgreSQL installed later for other
# work gets its cluster as Debian intends.  (A cluster that is there already
# is left alone.)
#
# libssl-dev holds libcrypto's headers, for the SHA-256 that names a
# migration's bytes (libpq-dev pulls it in too, but lrt calls it itself).
#
# chromium is the browser that opens the page of `lrt report html` in a test
# (tests/check_report_html.c: headless, with no network), which checks that
# it renders with its charts and reports no error.
#
# help2man makes the manual page (lrt.1) from the help texts at build time;
# groff-base renders it in a test (tests/check_command.c), as man(1) would.
set -eu
need="build-essential pkg-config libgmp-dev libpq-dev libjansson-dev libssl-dev \
check postgresql-15 gcovr chromium help2man groff-base"
no_cluster=/etc/postgresql-common/createcluster.d/lrt-no-main-cluster.conf

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
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages; run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	echo "(or \`sudo sh tests/deps.sh\`, the same without PostgreSQL's system cluster on port 5432)" >&2
	exit 1
fi

echo "deps: installing$missing"
case " $missing " in
*" postgresql-15 "*)
	mkdir -p "${no_cluster%/*}"
	echo "create_main_cluster = false" > "$no_cluster"
	trap 'rm -f "$no_cluster"' EXIT
	trap 'exit 1' HUP INT TERM
	;;
esac
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: installed"
