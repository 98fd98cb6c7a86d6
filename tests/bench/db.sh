#!/bin/sh
# db.sh - `make bench`, the database half: one million events over one
# million holders through a private PostgreSQL cluster, against PostgreSQL's
# own COPY of the same rows into a bare table, measured in the same run.
#
#   sh tests/bench/db.sh BUILD
#
# Prints, for BENCH_DB_EVENTS (1000000) deposits of as many holders in epoch
# 0, then a rewards-only epoch 1:
#
#   COPY into a bare table      the baseline: the bytes into one text column
#   lrt ingest                  COPY into staging, set-based validation, inbox
#   lrt settle (epoch 0)        a million deposits: holders, journal, state
#   lrt settle (epoch 1)        rewards only, with a million holders stored
#
# and the ratios (aims: ingest within 2x of the COPY, settlement within 3x,
# the rewards-only epoch under 100 ms whatever the number of holders).  The
# cluster lives in BUILD/bench/pg and is stopped and removed at the end.
set -eu

build=${1:-build}
events=${BENCH_DB_EVENTS:-1000000}
build=$(cd "$build" && pwd)
lrt=$build/lrt
out=$build/bench
[ -x "$lrt" ] || { echo "bench: no $lrt (run make first)" >&2; exit 1; }
mkdir -p "$out"

fail() {
	echo "bench: $*" >&2
	exit 1
}

cluster_dir=$out/pg
cluster_port=5432
# shellcheck source=tests/pgcluster.sh
. "$(dirname "$0")/../pgcluster.sh"
trap 'cluster_stop; rm -rf "$cluster_dir"' EXIT INT TERM
rm -rf "$cluster_dir"
cluster_start -c synchronous_commit=off -c max_wal_size=4GB -c shared_buffers=512MB
export PGDATABASE=bench
psql_do() {
	"$cluster_bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}
psql_do -d postgres -c "CREATE DATABASE bench"

now_ms() {
	t=$(date +%s%N)
	echo $((t / 1000000))
}

# timed NAME COMMAND...: runs it, prints its time, keeps it in $elapsed_ms.
timed() {
	name=$1
	shift
	start=$(now_ms)
	"$@" >"$out/last.log" 2>&1 || { cat "$out/last.log" >&2; fail "$name failed"; }
	elapsed_ms=$(($(now_ms) - start))
	printf '  %-28s %8d ms\n' "$name" "$elapsed_ms"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }'
}

# ---- the events -------------------------------------------------------------------

deposits=$out/deposits-$events.jsonl
rewards=$out/rewards.jsonl
if [ ! -s "$deposits" ]; then
	echo "bench: generating $events deposits of as many holders"
	awk -v n="$events" 'BEGIN {
		printf "{\"product\": {\"symbol\": \"benchETH\", \"underlying\": \"ETH\", \"assets\": [{\"symbol\": \"ETH\", \"decimals\": 18}], \"offset\": 3, \"fee_bps\": 1000, \"fee_recipients\": [{\"holder\": \"treasury\", \"bps\": 8000}, {\"holder\": \"dao\", \"bps\": 2000}]}}\n";
		seed = 12345;
		for (i = 0; i < n; i++) {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			printf "{\"id\": \"0x%064x:%d\", \"epoch\": 0, \"type\": \"deposit\", \"holder\": \"0x%040x\", \"asset\": \"ETH\", \"amount\": \"%d%015d\"}\n", i, i % 97, i + 1, 1 + seed % 5000, seed % 1000000000000000;
		}
	}' >"$deposits"
fi
awk 'BEGIN {
	for (i = 0; i < 10; i++)
		printf "{\"id\": \"reward-%d\", \"epoch\": 1, \"type\": \"reward\", \"source\": \"consensus\", \"location\": \"buffer\", \"asset\": \"ETH\", \"amount\": \"%d000000000000000\"}\n", i, 100 + i;
}' >"$rewards"
tail -n +2 "$deposits" >"$out/rows.txt"

echo "bench: $events events of $events holders, PostgreSQL $(psql_do -At -c 'SHOW server_version' | sed 's/ .*//')"
"$lrt" migrate >/dev/null
"$lrt" product create "$deposits" >/dev/null
psql_do -c "CREATE TABLE bare (line text)"

timed "COPY into a bare table" psql_do -c "\\copy bare FROM '$out/rows.txt'"
copy_ms=$elapsed_ms
timed "lrt ingest" "$lrt" ingest "$deposits"
ingest_ms=$elapsed_ms
timed "lrt settle (the deposits)" "$lrt" settle --through 0
settle_ms=$elapsed_ms
"$lrt" ingest "$rewards" >/dev/null
timed "lrt settle (rewards only)" "$lrt" settle --through 1
rewards_ms=$elapsed_ms

holders=$(psql_do -At -c "SELECT count(*) FROM lrt.holders WHERE shares > 0")
echo "bench: $holders holders stored; ratios against the bare COPY:"
echo "  ingest   $(ratio "$ingest_ms" "$copy_ms")   (aim: within 2x)"
echo "  settle   $(ratio "$settle_ms" "$copy_ms")   (aim: within 3x)"
echo "  rewards-only epoch at $holders holders: $rewards_ms ms (aim: under 100 ms)"
