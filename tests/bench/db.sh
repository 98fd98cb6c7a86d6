#!/bin/sh
# db.sh - `make bench`, the database half: one million events over one
# million holders through a private PostgreSQL cluster, against PostgreSQL's
# own COPY of the same rows into a bare table, measured in the same run.
#
#   sh tests/bench/db.sh BUILD
#
# Prints, for BENCH_DB_EVENTS (1000000) deposits of as many holders in epoch
# 0, as many mixed events over them in epoch 1 (deposits, transfers,
# withdrawals: a fifth of them, which stay queued), then rewards-only
# epochs, each timed in this run:
#
#   COPY into a bare table      a baseline: the lines into one text column
#   COPY keyed by the event id  a baseline: (id PRIMARY KEY, line)
#   lrt ingest                  C judges each line, COPY of typed rows, inbox
#   lrt settle (the deposits)   a million new holders, journal, state
#   floor                       the rows that settlement wrote, COPYed into
#                               bare tables of the same columns
#   lrt settle (mixed)          the same for the mixed events, and its floor
#   lrt settle (rewards only)   a fresh process per epoch, with the holders
#                               and the queue stored: BENCH_REWARDS_RUNS (5)
#                               epochs of ten rewards, the best and the median
#   lrt settle (points on)      an epoch of a config that starts two points
#                               programs, and its rewards
#   lrt settle (rewards, points) the rewards-only epochs again, now that step 7
#                               (SPEC section 5) runs every epoch
#
# and the same three on a product of ten holders in the same database, with
# the ratios (aims: ingest within 1.5x the keyed COPY, each settlement
# within 3x the bare COPY of its events, the rewards-only epoch under 50 ms
# and, points or not, the same at ten holders as at a million: 1x).
# Then tests/bench/dashboard.sh: the same product grown to a thousand
# epochs, a holder's position and the last 30 epochs of rates read through
# the reporting views, timed and with their plans.
# The cluster lives in BUILD/bench/pg and is stopped and removed at the end.
set -eu

build=${1:-build}
events=${BENCH_DB_EVENTS:-1000000}
rewards_runs=${BENCH_REWARDS_RUNS:-5}
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
mixed=$out/mixed-$events.jsonl
# the delay keeps every request of epoch 1 queued through the rewards-only
# epochs: none is due, so each of them settles ten rewards and nothing else
product_line() {
	printf '{"product": {"symbol": "%s", "underlying": "ETH", "assets": [{"symbol": "ETH", "decimals": 18}], "offset": 3, "fee_bps": 1000, "fee_recipients": [{"holder": "treasury", "bps": 8000}, {"holder": "dao", "bps": 2000}], "delay_epochs": 100}}\n' "$1"
}
if [ ! -s "$deposits" ] || [ ! -s "$mixed" ] ||
	[ "$(head -n 1 "$deposits")" != "$(product_line benchETH)" ]; then
	echo "bench: generating $events deposits of as many holders, and $events mixed events"
	product_line benchETH >"$deposits"
	awk -v n="$events" 'BEGIN {
		seed = 12345;
		for (i = 0; i < n; i++) {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			printf "{\"id\": \"0x%064x:%d\", \"epoch\": 0, \"type\": \"deposit\", \"holder\": \"0x%040x\", \"asset\": \"ETH\", \"amount\": \"%d%015d\"}\n", i, i % 97, i + 1, 1 + seed % 5000, seed % 1000000000000000;
		}
	}' >>"$deposits"
	# two fifths deposits, two fifths transfers, one fifth withdrawals (which
	# stay queued: the delay is 100 epochs), over the holders of the deposits
	awk -v n="$events" 'BEGIN {
		seed = 54321;
		for (i = 0; i < n; i++) {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			k = i % 5;
			if (k < 2)
				printf "{\"id\": \"m-%d\", \"epoch\": 1, \"type\": \"deposit\", \"holder\": \"0x%040x\", \"asset\": \"ETH\", \"amount\": \"%d%015d\"}\n", i, i + 1, 1 + seed % 50, seed % 1000000000000000;
			else if (k < 4)
				printf "{\"id\": \"m-%d\", \"epoch\": 1, \"type\": \"transfer\", \"from\": \"0x%040x\", \"to\": \"0x%040x\", \"shares\": \"%d\"}\n", i, i + 1, (i * 7919) % n + 1, 1 + seed % 1000000;
			else
				printf "{\"id\": \"m-%d\", \"epoch\": 1, \"type\": \"withdraw\", \"holder\": \"0x%040x\", \"shares\": \"%d\"}\n", i, i + 1, 1 + seed % 1000000;
		}
	}' >"$mixed"
fi
# rewards FIRST COUNT [POINTS]: ten rewards in each of COUNT epochs from
# FIRST; with POINTS, the first epoch also starts two points programs.
rewards() {
	awk -v first="$1" -v count="$2" -v points="${3:-}" 'BEGIN {
		if (points != "")
			printf "{\"id\": \"points-on\", \"epoch\": %d, \"type\": \"config\", \"points\": [{\"name\": \"eigenlayer\", \"per_share_epoch\": \"1\"}, {\"name\": \"loyalty\", \"per_share_epoch\": \"0.333333333333333333\"}]}\n", first;
		for (e = first; e < first + count; e++)
			for (i = 0; i < 10; i++)
				printf "{\"id\": \"reward-%d-%d\", \"epoch\": %d, \"type\": \"reward\", \"source\": \"consensus\", \"location\": \"buffer\", \"asset\": \"ETH\", \"amount\": \"%d000000000000000\"}\n", e, i, e, 100 + i;
	}'
}
# the product of ten holders: ten deposits, then a transfer and a
# withdrawal, as the large one's first two epochs
small=$out/small.jsonl
{
	product_line tenETH
	awk 'BEGIN {
		for (i = 0; i < 10; i++)
			printf "{\"id\": \"s-%d\", \"epoch\": 0, \"type\": \"deposit\", \"holder\": \"0x%040x\", \"asset\": \"ETH\", \"amount\": \"%d000000000000000000\"}\n", i, i + 1, i + 1;
		printf "{\"id\": \"s-t\", \"epoch\": 1, \"type\": \"transfer\", \"from\": \"0x%040x\", \"to\": \"0x%040x\", \"shares\": \"1000\"}\n", 1, 2;
		printf "{\"id\": \"s-w\", \"epoch\": 1, \"type\": \"withdraw\", \"holder\": \"0x%040x\", \"shares\": \"1000\"}\n", 3;
	}'
} >"$small"
# the baselines' rows: the lines, and the lines keyed by their id
tail -n +2 "$deposits" >"$out/rows.txt"
sed 's/^{"id": "\([^"]*\)".*/\1/' "$out/rows.txt" | paste - "$out/rows.txt" >"$out/keyed.txt"
cp "$mixed" "$out/mixed-rows.txt"

echo "bench: $events events of $events holders, PostgreSQL $(psql_do -At -c 'SHOW server_version' | sed 's/ .*//')"
"$lrt" migrate >/dev/null
"$lrt" product create "$deposits" >/dev/null
psql_do -c "CREATE TABLE bare (line text)" \
	-c "CREATE TABLE bare_mixed (line text)" \
	-c "CREATE TABLE keyed (id text COLLATE \"C\" PRIMARY KEY, line text)"

timed "COPY into a bare table" psql_do -c "\\copy bare FROM '$out/rows.txt'"
copy_ms=$elapsed_ms
timed "COPY keyed by the event id" psql_do -c "\\copy keyed FROM '$out/keyed.txt'"
keyed_ms=$elapsed_ms
timed "lrt ingest (the deposits)" "$lrt" ingest "$deposits"
ingest_ms=$elapsed_ms
timed "lrt settle (the deposits)" "$lrt" settle --product benchETH --through 0
settle_ms=$elapsed_ms

# the floor: the rows that settlement wrote, COPYed into bare tables of the
# same columns (no key, no check)
psql_do -c "CREATE TABLE floor_journal (LIKE lrt.journal)" \
	-c "CREATE TABLE floor_holders (LIKE lrt.holders)" \
	-c "\\copy (SELECT * FROM lrt.journal WHERE epoch = 0) TO '$out/journal-0.txt'" \
	-c "\\copy (SELECT * FROM lrt.holders) TO '$out/holders-0.txt'"
timed "floor: its rows, bare COPY" psql_do -c "\\copy floor_journal FROM '$out/journal-0.txt'" \
	-c "\\copy floor_holders FROM '$out/holders-0.txt'"
floor_ms=$elapsed_ms

timed "COPY the mixed events bare" psql_do -c "\\copy bare_mixed FROM '$out/mixed-rows.txt'"
copy_mixed_ms=$elapsed_ms
timed "lrt ingest (mixed)" "$lrt" ingest "$mixed"
ingest_mixed_ms=$elapsed_ms
timed "lrt settle (mixed)" "$lrt" settle --product benchETH --through 1
settle_mixed_ms=$elapsed_ms
psql_do -c "TRUNCATE floor_journal, floor_holders" \
	-c "\\copy (SELECT * FROM lrt.journal WHERE epoch = 1) TO '$out/journal-1.txt'" \
	-c "\\copy (SELECT h.* FROM lrt.holders h WHERE h.holder IN (SELECT holder FROM lrt.inbox WHERE epoch = 1 UNION SELECT to_name FROM lrt.inbox WHERE epoch = 1)) TO '$out/holders-1.txt'" \
	-c "\\copy (SELECT * FROM lrt.withdrawal_requests WHERE request_epoch = 1) TO '$out/requests-1.txt'" \
	-c "CREATE TABLE floor_requests (LIKE lrt.withdrawal_requests)"
timed "floor: its rows, bare COPY" psql_do -c "\\copy floor_journal FROM '$out/journal-1.txt'" \
	-c "\\copy floor_holders FROM '$out/holders-1.txt'" \
	-c "\\copy floor_requests FROM '$out/requests-1.txt'"
floor_mixed_ms=$elapsed_ms

# settle_each NAME PRODUCT FIRST: settles the epochs FIRST, FIRST + 1, ...
# (rewards_runs of them) one fresh `lrt settle` each; prints the best, the
# median and each time, keeps the best in $best_ms and the median in
# $median_ms.
settle_each() {
	name=$1
	product=$2
	epoch=$3
	times=""
	while [ "$epoch" -lt $(($3 + rewards_runs)) ]; do
		start=$(now_ms)
		"$lrt" settle --product "$product" --through "$epoch" >"$out/last.log" 2>&1 ||
			{ cat "$out/last.log" >&2; fail "$name failed"; }
		times="$times $(($(now_ms) - start))"
		epoch=$((epoch + 1))
	done
	best_ms=$(echo $times | tr ' ' '\n' | sort -n | head -n 1)
	median_ms=$(echo $times | tr ' ' '\n' | sort -n | sed -n "$(((rewards_runs + 1) / 2))p")
	printf '  %-28s %8d ms (best of %d; median %d ms; in order:%s)\n' "$name" \
		"$best_ms" "$rewards_runs" "$median_ms" "$times"
}

# The rewards-only epochs, then an epoch that starts two points programs,
# then the rewards-only epochs again with step 7 at work: on the large
# product, then on the product of ten holders, in the same database.
first=2
on=$((first + rewards_runs))
again=$((on + 1))
rewards "$first" "$rewards_runs" >"$out/rewards.jsonl"
rewards "$on" $((rewards_runs + 1)) points >"$out/rewards-points.jsonl"
"$lrt" ingest --product benchETH "$out/rewards.jsonl" "$out/rewards-points.jsonl" >/dev/null
settle_each "lrt settle (rewards only)" benchETH "$first"
rewards_ms=$best_ms
rewards_median_ms=$median_ms
timed "lrt settle (points on)" "$lrt" settle --product benchETH --through "$on"
points_on_ms=$elapsed_ms
settle_each "lrt settle (rewards, points)" benchETH "$again"
points_ms=$best_ms
points_median_ms=$median_ms
points_rows=$(psql_do -At -c "SELECT count(*) FROM lrt.holder_points p JOIN lrt.products USING (product_id) WHERE symbol = 'benchETH'")
# step 7 ran in each epoch from the one that started the programs
index=$(psql_do -At -c "SELECT point_index FROM lrt.points_programs JOIN lrt.products USING (product_id) WHERE symbol = 'benchETH' AND program = 'eigenlayer'")
[ "$index" = "$((rewards_runs + 1))000000000000000000" ] ||
	fail "the eigenlayer index is $index after $((rewards_runs + 1)) epochs of 1 point per share"

echo "bench: the same on a product of ten holders, in the same database"
"$lrt" product create "$small" >/dev/null
"$lrt" ingest --product tenETH "$small" "$out/rewards.jsonl" "$out/rewards-points.jsonl" >/dev/null
"$lrt" settle --product tenETH --through 1 >/dev/null
settle_each "lrt settle (rewards only)" tenETH "$first"
small_rewards_ms=$best_ms
timed "lrt settle (points on)" "$lrt" settle --product tenETH --through "$on"
small_points_on_ms=$elapsed_ms
settle_each "lrt settle (rewards, points)" tenETH "$again"
small_points_ms=$best_ms

large="(SELECT product_id FROM lrt.products WHERE symbol = 'benchETH')"
holders=$(psql_do -At -c "SELECT count(*) FROM lrt.holders WHERE product_id = $large AND shares > 0")
queued=$(psql_do -At -c "SELECT count(*) FROM lrt.withdrawal_requests WHERE product_id = $large AND status = 'queued'")
echo "bench: $holders holders and $queued queued requests stored; ratios:"
echo "  ingest of the deposits     $(ratio "$ingest_ms" "$keyed_ms") the keyed COPY, $(ratio "$ingest_ms" "$copy_ms") the bare COPY   (aim: within 1.5x the keyed COPY)"
echo "  settle of the deposits     $(ratio "$settle_ms" "$copy_ms") the bare COPY of its events; its floor $(ratio "$floor_ms" "$copy_ms")   (aim: within 3x)"
echo "  settle of the mixed events $(ratio "$settle_mixed_ms" "$copy_mixed_ms") the bare COPY of its events; its floor $(ratio "$floor_mixed_ms" "$copy_mixed_ms")   (aim: within 3x)"
echo "  rewards-only epoch, a fresh process at $holders holders and $queued queued requests: $rewards_ms ms, median $rewards_median_ms (aim: under 50 ms); $(ratio "$rewards_ms" "$small_rewards_ms") the same at 10 holders ($small_rewards_ms ms)   (aim: 1x)"
echo "  the epoch that starts two points programs: $points_on_ms ms, $(ratio "$points_on_ms" "$small_points_on_ms") the same at 10 holders ($small_points_on_ms ms)   (aim: 1x)"
echo "  rewards-only epoch with two points programs, a fresh process at $holders holders ($points_rows points accounts stored): $points_ms ms, median $points_median_ms; $(ratio "$points_ms" "$small_points_ms") the same at 10 holders ($small_points_ms ms), $(ratio "$points_ms" "$rewards_ms") the rewards-only epoch without points   (aim: 1x, 1x)"

# The dashboard's queries on this product, grown to a thousand epochs.
# shellcheck source=tests/bench/dashboard.sh
. "$(dirname "$0")/dashboard.sh"
