#!/bin/sh
# run.sh - `make bench`: the throughput of `lrt simulate` on a generated
# one-million-event scenario, against baselines measured in the same run.
#
#   sh tests/bench/run.sh BUILD
#
# Builds tests/bench/gen.c (the scenario), parse.c (jansson parsing alone)
# and rusage.c (wall time, CPU time and peak RSS through wait4) into
# BUILD/bench/, generates BUILD/bench/scenario-EVENTS-SEED.jsonl once, warms
# the page cache, then times, best of BENCH_RUNS (3):
#
#   cat FILE > /dev/null     reading the bytes
#   wc -l FILE               reading and scanning them
#   parse FILE               reading and parsing every line with jansson
#   lrt simulate FILE        the whole job
#
# and prints events per second, peak memory and the ratios.  BENCH_EVENTS
# (1000000) and BENCH_SEED (1) change the scenario.  Then collide.sh: lrt
# simulate on holder names that collide under an unkeyed FNV hash against as
# many random names.  One core: nothing here runs in parallel.  Never part of
# `make check`.
set -eu

build=${1:-build}
events=${BENCH_EVENTS:-1000000}
seed=${BENCH_SEED:-1}
runs=${BENCH_RUNS:-3}
here=$(dirname "$0")
out=$build/bench
lrt=$build/lrt
cc=${CC:-cc}

if [ ! -x "$lrt" ]; then
	echo "bench: no $lrt (run make first)" >&2
	exit 1
fi
mkdir -p "$out"

# newer A B: true when file A is newer than file B (find, as test -nt is
# not POSIX).
newer() {
	[ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]
}

# Each tool is rebuilt when its source is newer.
tool() {
	name=$1
	shift
	if [ ! -x "$out/$name" ] || newer "$here/$name.c" "$out/$name"; then
		# shellcheck disable=SC2086
		"$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 \
			-Wall -Wextra -Werror "$@" -o "$out/$name"
	fi
}
tool gen "$here/gen.c"
tool rusage "$here/rusage.c"
# shellcheck disable=SC2046
tool parse $(pkg-config --cflags jansson) "$here/parse.c" $(pkg-config --libs jansson)

scenario=$out/scenario-$events-$seed.jsonl
if [ ! -s "$scenario" ] || newer "$out/gen" "$scenario"; then
	echo "bench: generating $events events (seed $seed)"
	"$out/gen" "$events" "$seed" > "$scenario.tmp"
	mv "$scenario.tmp" "$scenario"
fi
cat "$scenario" > /dev/null  # into the page cache

# field NAME: one figure of the last rusage line.
field() {
	tr ' ' '\n' < "$out/$name.rusage" | sed -n "s/^$1=//p"
}

# measure NAME OUTPUT COMMAND...: best wall time of $runs, largest peak RSS.
measure() {
	name=$1
	output=$2
	shift 2
	best_wall=0
	best_cpu=0
	peak=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		if ! "$out/rusage" "$out/$name.rusage" "$@" > "$output"; then
			echo "bench: $name failed: $*" >&2
			exit 1
		fi
		wall_ns=$(field wall_ns)
		cpu=$(($(field user_us) + $(field sys_us)))
		maxrss_kb=$(field maxrss_kb)
		if [ "$best_wall" -eq 0 ] || [ "$wall_ns" -lt "$best_wall" ]; then
			best_wall=$wall_ns
			best_cpu=$cpu
		fi
		[ "$maxrss_kb" -gt "$peak" ] && peak=$maxrss_kb
		i=$((i + 1))
	done
	echo "$name $best_wall $best_cpu $peak" >> "$out/results"
}

rm -f "$out/results"
echo "bench: timing, best of $runs runs each"
measure cat /dev/null cat "$scenario"
measure wc "$out/wc.out" wc -l "$scenario"
measure parse "$out/parse.out" "$out/parse" "$scenario"
measure simulate "$out/simulate.out" "$lrt" simulate "$scenario"

lines=$(wc -l < "$scenario")
bytes=$(wc -c < "$scenario")
epochs=$(($(wc -l < "$out/simulate.out") - 1))
rejected=$(grep -o '"reason"' "$out/simulate.out" | wc -l)
finalized=$(grep -o '"payout"' "$out/simulate.out" | wc -l)

awk -v events="$events" -v lines="$lines" -v bytes="$bytes" -v epochs="$epochs" \
	-v rejected="$rejected" -v finalized="$finalized" -v scenario="$scenario" '
{ wall[$1] = $2 / 1e9; cpu[$1] = $3 / 1e6; rss[$1] = $4 / 1024 }
END {
	printf "bench: %s\n", scenario
	printf "bench: %d events (%d lines, %.1f MB), %d epochs settled, %d requests finalized, %d events rejected\n",
	       events, lines, bytes / 1e6, epochs, finalized, rejected
	printf "%-22s %9s %9s %14s %10s %10s\n", "", "wall s", "cpu s", "events/s", "peak MB", "x simulate"
	n = split("cat wc parse simulate", order, " ")
	label["cat"] = "cat > /dev/null"; label["wc"] = "wc -l"
	label["parse"] = "jansson parse only"; label["simulate"] = "lrt simulate"
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "%-22s %9.3f %9.3f %14.0f %10.1f %10.1f\n", label[k], wall[k], cpu[k],
		       events / wall[k], rss[k], wall["simulate"] / wall[k]
	}
	printf "bench: lrt simulate: %.0f events/s, %.2f us/event, peak %.0f MB; %.1fx reading the bytes, %.1fx jansson parsing alone (aim: 1000000 events/s)\n",
	       events / wall["simulate"], wall["simulate"] * 1e6 / events, rss["simulate"],
	       wall["simulate"] / wall["cat"], wall["simulate"] / wall["parse"]
}' "$out/results"

sh "$here/collide.sh" "$build"
