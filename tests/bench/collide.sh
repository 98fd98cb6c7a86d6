#!/bin/sh
# collide.sh - `make bench`, hash flooding: `lrt simulate` on holder names that
# all collide in an unkeyed FNV-1a hash table against as many random names.
#
#   sh tests/bench/collide.sh BUILD
#
# Builds tests/bench/collide.c (see its header for how the names are found)
# and rusage.c into BUILD/bench/, writes both scenarios once (every name
# deposits in epoch 0, then again in epoch 1), and prints the best wall time
# of BENCH_RUNS (3) `lrt simulate` runs of each and their ratio.  Aim: 1.0
# within noise, which a keyed hash gives; the old unkeyed FNV index was
# quadratic in the number of colliding names.  BENCH_COLLIDE_NAMES (100000)
# changes the number of names.  Never part of `make check`.
set -eu

build=${1:-build}
names=${BENCH_COLLIDE_NAMES:-100000}
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

newer() {
	[ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]
}

for name in collide rusage; do
	if [ ! -x "$out/$name" ] || newer "$here/$name.c" "$out/$name"; then
		"$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 \
			-Wall -Wextra -Werror "$here/$name.c" -o "$out/$name"
	fi
done

for kind in random colliding; do
	file=$out/names-$names-$kind.jsonl
	if [ ! -s "$file" ] || newer "$out/collide" "$file"; then
		echo "bench: writing $names $kind holder names"
		"$out/collide" "$names" "$kind" > "$file.tmp"
		mv "$file.tmp" "$file"
	fi
	cat "$file" > /dev/null  # into the page cache
done

# best KIND: the best wall time of $runs runs of lrt simulate, in ns.
best() {
	file=$out/names-$names-$1.jsonl
	best_wall=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		if ! "$out/rusage" "$out/names-$1.rusage" "$lrt" simulate "$file" \
			> "$out/names-$1.out"; then
			echo "bench: lrt simulate failed on $file" >&2
			exit 1
		fi
		wall_ns=$(tr ' ' '\n' < "$out/names-$1.rusage" | sed -n 's/^wall_ns=//p')
		if [ "$best_wall" -eq 0 ] || [ "$wall_ns" -lt "$best_wall" ]; then
			best_wall=$wall_ns
		fi
		i=$((i + 1))
	done
	echo "$best_wall"
}

echo "bench: hash flooding, best of $runs runs each"
random_ns=$(best random)
colliding_ns=$(best colliding)
# Both runs must have settled every name: the last line lists the holders.
for kind in random colliding; do
	held=$(tail -n 1 "$out/names-$kind.out" | grep -o '"0x[0-9a-f]*"' | sort -u | wc -l)
	if [ "$held" -ne "$names" ]; then
		echo "bench: lrt simulate on $kind names ended with $held holders, not $names" >&2
		exit 1
	fi
done
awk -v names="$names" -v random_ns="$random_ns" -v colliding_ns="$colliding_ns" 'BEGIN {
	printf "%-40s %9s\n", "", "wall s"
	printf "%-40s %9.3f\n", "lrt simulate, " names " random names", random_ns / 1e9
	printf "%-40s %9.3f\n", "lrt simulate, " names " FNV-colliding names", colliding_ns / 1e9
	printf "bench: colliding names take %.2fx the time of random ones (aim: 1.00 within noise)\n",
	       colliding_ns / random_ns
}'
