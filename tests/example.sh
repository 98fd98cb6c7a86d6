#!/bin/sh
# example.sh - builds the C example of README.md against an installed copy of
# lrt, through `pkg-config lrt`, and runs it on a scenario of
# tests/scenarios, as the README does, so that the README's example cannot
# rot.
#
#   sh tests/example.sh BUILD
#
# `make check` first installs the library under test into BUILD/example/root
# (`make install DESTDIR=...`, with the default PREFIX: another would rebuild
# the tree the other tests use).
set -eu
build=$1
stage="$build/example"
prefix=${PREFIX:-/usr/local}
test -f "$stage/root$prefix/lib/pkgconfig/lrt.pc" ||
	{ echo "example: no lrt installed in $stage/root: run make check" >&2; exit 1; }
# the manual page goes with the program (tests/check_command.c reads it)
grep -q '^\.SS "lrt migrate"$' "$stage/root$prefix/share/man/man1/lrt.1" ||
	{ echo "example: make install put no lrt.1 in $stage/root$prefix/share/man/man1" >&2; exit 1; }
rm -rf "$stage/src"
mkdir -p "$stage/src"
# the fenced block after the "example: rates.c" marker
awk '/<!-- example: rates.c -->/ { found = 1; next }
     found && /^```c$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' README.md > "$stage/src/rates.c"
test -s "$stage/src/rates.c" || { echo "example: no rates.c block in README.md" >&2; exit 1; }
export PKG_CONFIG_PATH="$(pwd)/$stage/root$prefix/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$(pwd)/$stage/root"
# shellcheck disable=SC2046
# EXAMPLE_CFLAGS: the sanitizer or coverage flags the library was built with
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror ${EXAMPLE_CFLAGS:-} "$stage/src/rates.c" \
	$(pkg-config --cflags --libs lrt) -o "$stage/rates"
LD_LIBRARY_PATH="$(pwd)/$stage/root$prefix/lib" "$stage/rates" \
	tests/scenarios/07-withdraw-cap.jsonl > "$stage/out"
expected='epoch 0: rate 1000000000000000000
epoch 1: rate 1009999999999999999
epoch 2: rate 1013333333333333333
epoch 3: rate 912000000000000000 (fell)
epoch 4: rate 912000000000000000'
if [ "$(cat "$stage/out")" != "$expected" ]; then
	echo "example: README's rates.c printed:" >&2
	cat "$stage/out" >&2
	exit 1
fi
echo "example: README's rates.c builds through pkg-config lrt and prints the expected rates"
