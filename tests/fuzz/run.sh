#!/bin/sh
# run.sh - builds the libFuzzer target for the scenario reader and runs it
# (`make fuzz`, FUZZ_SECONDS=300 by default).
#
#   sh tests/fuzz/run.sh BUILD SECONDS
#
# With clang (Debian's clang 14; FUZZ_CC overrides) it compiles the library's
# core and io sources (not src/store) and tests/fuzz/fuzz_scenario.c with
# -fsanitize=fuzzer,address,undefined into BUILD/fuzz/.  Seeds: every
# scenario of tests/scenarios (the SPEC's second edition), the first 30
# lines of each, and tests/fuzz/seeds/*.  The corpus grows in
# BUILD/fuzz/corpus and is kept between runs.  Inputs of
# tests/fuzz/crashes/ (crashes found and fixed) are replayed first.
#
# Exits non-zero on a crash, a leak, a timeout or running out of memory;
# the input is then in BUILD/fuzz/artifacts/ and the report in
# BUILD/fuzz/fuzz.log.
set -eu

build=${1:-build}
seconds=${2:-300}
scenarios=$(dirname "$0")/../scenarios
here=$(dirname "$0")
out=$build/fuzz

cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
	for candidate in clang clang-14; do
		if command -v "$candidate" >/dev/null 2>&1; then
			cc=$candidate
			break
		fi
	done
fi
if [ -z "$cc" ]; then
	echo "fuzz: clang not found (Debian: apt-get install clang)" >&2
	exit 1
fi

mkdir -p "$out/obj" "$out/corpus" "$out/artifacts"
rm -rf "$out/seeds"
mkdir -p "$out/seeds"

# The Makefile's flags, minus -Werror (a new clang warning must not stop a
# fuzzing run) plus the sanitizers.  -O1 keeps stacks readable.
set -- -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra \
	-g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Iinclude -Isrc '-DLRT_VERSION="fuzz"' '-DLRT_DATADIR="/nonexistent"'
deps_cflags=$(pkg-config --cflags gmp jansson)
deps_libs=$(pkg-config --libs gmp jansson)

echo "fuzz: building with $cc into $out"
objects=""
for source in src/core/*.c src/io/*.c; do
	object=$out/obj/$(echo "$source" | tr / _ | sed 's/\.c$/.o/')
	# shellcheck disable=SC2086
	"$cc" "$@" $deps_cflags -fsanitize=fuzzer-no-link -c "$source" -o "$object"
	objects="$objects $object"
done
# shellcheck disable=SC2086
"$cc" "$@" $deps_cflags -fsanitize=fuzzer "$here/fuzz_scenario.c" $objects \
	$deps_libs -o "$out/fuzz_scenario"

count=0
for scenario in "$scenarios"/*.jsonl; do
	case $scenario in *.expected.jsonl) continue ;; esac
	name=$(basename "$scenario" .jsonl)
	cp "$scenario" "$out/seeds/$name.jsonl"
	head -n 30 "$scenario" > "$out/seeds/$name.head.jsonl"
	count=$((count + 2))
done
for seed in "$here"/seeds/*; do
	[ -f "$seed" ] || continue
	cp "$seed" "$out/seeds/"
	count=$((count + 1))
done
echo "fuzz: $count seeds"

# ASan's leak check runs at exit and after each input; UBSan stops at the
# first report.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

crashes=$(ls "$here"/crashes/* 2>/dev/null || true)
if [ -n "$crashes" ]; then
	echo "fuzz: replaying tests/fuzz/crashes/"
	# shellcheck disable=SC2086
	"$out/fuzz_scenario" -runs=1 $crashes > "$out/replay.log" 2>&1 || {
		tail -n 60 "$out/replay.log" >&2
		echo "fuzz: a crash of tests/fuzz/crashes/ is back" >&2
		exit 1
	}
fi

echo "fuzz: running for ${seconds}s (log: $out/fuzz.log)"
status=0
"$out/fuzz_scenario" -max_total_time="$seconds" -max_len=16384 -timeout=25 \
	-rss_limit_mb=2048 -detect_leaks=1 -print_final_stats=1 \
	-dict="$here/scenario.dict" -artifact_prefix="$out/artifacts/" \
	"$out/corpus" "$out/seeds" > "$out/fuzz.log" 2>&1 || status=$?

if [ "$status" -ne 0 ]; then
	tail -n 80 "$out/fuzz.log" >&2
	echo "fuzz: FAILED (status $status); input in $out/artifacts/" >&2
	exit 1
fi
grep -E '^(#[0-9]+.*DONE|Done )' "$out/fuzz.log" | tail -n 2
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$out/fuzz.log"
echo "fuzz: no crash, leak or timeout in ${seconds}s; corpus $(find "$out/corpus" -type f | wc -l) inputs"
